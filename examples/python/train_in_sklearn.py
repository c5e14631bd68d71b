"""Train in scikit-learn, serve in C++: fits a Pipeline on iris with scikit-learn and saves it as
an mlpersist artifact (no pickle), which `mlpersist predict` or any C++ program then serves.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/train_in_sklearn.py iris.mlp
    build/bin/mlpersist predict iris.mlp --data tests/data/iris.csv
"""

import sys

import numpy as np
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import mlpersist
import mlpersist.sklearn

data = np.loadtxt("tests/data/iris.csv", delimiter=",", skiprows=1)
X, y = data[:, :-1], data[:, -1].astype(int)

model = make_pipeline(StandardScaler(), PCA(n_components=3), SVC(C=2.0)).fit(X, y)
path = sys.argv[1] if len(sys.argv) > 1 else "iris_pipeline.mlp"
mlpersist.sklearn.dump(model, path, metadata={"trained_by": "examples/python/train_in_sklearn.py"})

header = mlpersist.inspect(path)
print(f"saved {header['type']} ({', '.join(sorted(header['types']))}) to {path}")
print(f"recorded: {header['metadata']['sklearn']['python']} / numpy "
      f"{header['metadata']['sklearn']['numpy']} / scikit-learn "
      f"{header['metadata']['sklearn']['scikit-learn']}")
print(f"scikit-learn predicts {model.predict(X[:3]).tolist()} for the first three rows")
