"""scikit-learn 1.2.1 references for SVR, Lasso, ElasticNet and KNeighborsRegressor.

Writes `synthetic_regression.csv` (a small make_regression set) and
`references/<dataset>__<config>.json` for every configuration below, on it and on
`diabetes.csv`. Same JSON layout as the other references (see README.md), plus
`predict_shift`: predict(X + 0.001), so that no query coincides with a training row (the KNN
`distance` weights then divide by real distances). Deterministic: reruns rewrite every file
byte for byte.

    /usr/bin/python3 tests/data/gen_regress_references.py
"""

import json
import platform

from reference_tools import HERE, json_numbers, pin_threads, write_csv

pin_threads()

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import sklearn  # noqa: E402
from sklearn.datasets import make_regression  # noqa: E402
from sklearn.linear_model import ElasticNet, Lasso  # noqa: E402
from sklearn.neighbors import KNeighborsRegressor  # noqa: E402
from sklearn.svm import SVR  # noqa: E402

SHIFT = 0.001

CONFIGS = {
    "svr_rbf": (SVR, {}),
    "svr_rbf_C100_eps5": (SVR, {"C": 100.0, "epsilon": 5.0}),
    "svr_linear_C10": (SVR, {"kernel": "linear", "C": 10.0}),
    "svr_poly3_auto": (SVR, {"kernel": "poly", "gamma": "auto", "C": 50.0, "coef0": 1.0}),
    "svr_sigmoid_noshrink": (SVR, {"kernel": "sigmoid", "C": 2.0, "shrinking": False}),
    "lasso": (Lasso, {}),
    "lasso_a0.05": (Lasso, {"alpha": 0.05}),
    "lasso_positive": (Lasso, {"alpha": 0.05, "positive": True}),
    "lasso_random": (Lasso, {"alpha": 0.05, "selection": "random", "random_state": 0}),
    "lasso_nointercept": (Lasso, {"alpha": 0.2, "fit_intercept": False}),
    "enet_a0.01": (ElasticNet, {"alpha": 0.01}),
    "enet_l1r0.2_random": (ElasticNet, {"alpha": 0.02, "l1_ratio": 0.2, "selection": "random",
                                        "random_state": 42}),
    "enet_positive_tol": (ElasticNet, {"alpha": 0.003, "l1_ratio": 0.7, "positive": True,
                                       "tol": 1e-6, "max_iter": 5000}),
    "knn5": (KNeighborsRegressor, {}),
    "knn7_distance": (KNeighborsRegressor, {"n_neighbors": 7, "weights": "distance"}),
}

# Kernels whose diabetes models are large (hundreds of support vectors) and add nothing the
# synthetic set does not test.
SYNTHETIC_ONLY = {"svr_poly3_auto", "svr_sigmoid_noshrink"}


def dump(path, obj):
    path.write_text(json.dumps(obj, indent=1, sort_keys=False) + "\n")


def read_csv(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1]


def write_synthetic():
    X, y = make_regression(n_samples=60, n_features=5, n_informative=4, noise=3.0, bias=7.0,
                           random_state=0)
    write_csv(HERE / "synthetic_regression.csv", X, y, False)


def fitted_attributes(est):
    out = {}
    for key in sorted(vars(est)):
        if not key.endswith("_") or key.startswith("_"):
            continue
        value = getattr(est, key)
        if isinstance(value, (bool, int, float, np.integer, np.floating)) or (
                isinstance(value, np.ndarray) and value.dtype.kind in "biuf"):
            out[key] = json_numbers(value)
    if isinstance(est, SVR):
        out["_gamma"] = float(est._gamma)
        # support_vectors_ is X[support_]: left out to keep the files small.
        del out["support_vectors_"]
    return out


def reference(dataset, config, X, y):
    cls, params = CONFIGS[config]
    np.random.seed(0)
    est = cls(**params).fit(X, y)
    return {
        "dataset": dataset, "config": config, "task": "regression",
        "train_file": f"{dataset}.csv", "test_file": None,
        "estimator": f"{cls.__module__.split('.')[1]}.{cls.__name__}",
        "params": {k: json_numbers(v) for k, v in est.get_params().items()},
        "fitted": fitted_attributes(est),
        "predict_train": est.predict(X).tolist(),
        "predict_shift": est.predict(X + SHIFT).tolist(),
        "score_kind": "r2", "score_train": float(est.score(X, y)),
        "versions": {"python": platform.python_version(), "sklearn": sklearn.__version__,
                     "numpy": np.__version__, "scipy": scipy.__version__},
    }


def main():
    write_synthetic()
    for dataset in ("diabetes", "synthetic_regression"):
        X, y = read_csv(HERE / f"{dataset}.csv")
        for config in CONFIGS:
            if dataset == "diabetes" and config in SYNTHETIC_ONLY:
                continue
            dump(HERE / "references" / f"{dataset}__{config}.json",
                 reference(dataset, config, X, y))


if __name__ == "__main__":
    main()
