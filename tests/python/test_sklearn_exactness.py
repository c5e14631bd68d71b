"""scikit-learn -> artifact -> C++ and -> scikit-learn, and C++ -> artifact -> scikit-learn, for
every type of mlpersist.sklearn's table (issue 13, point 4)."""

import numpy as np
import pytest
from sklearn import (cluster, decomposition, ensemble, linear_model, naive_bayes, neighbors,
                     pipeline, preprocessing, svm, tree)

import mlpersist
import mlpersist.sklearn as mls
from conftest import assert_close

CLASSIFIER_METHODS = ("predict", "predict_proba")
CASES = {
    "svc_rbf": (lambda: svm.SVC(), "iris", ("predict", "decision_function")),
    "svc_binary_linear": (lambda: svm.SVC(kernel="linear", C=0.5), "iris2", ("predict", "decision_function")),
    "svc_poly_ovo": (lambda: svm.SVC(kernel="poly", degree=2, gamma="auto",
                                     decision_function_shape="ovo"), "iris", ("predict", "decision_function")),
    "linear_regression": (lambda: linear_model.LinearRegression(), "diabetes", ("predict",)),
    "ridge": (lambda: linear_model.Ridge(alpha=0.3), "diabetes", ("predict",)),
    "logistic": (lambda: linear_model.LogisticRegression(max_iter=1000), "iris",
                 ("predict", "predict_proba", "decision_function")),
    "logistic_binary": (lambda: linear_model.LogisticRegression(C=0.1), "iris2",
                        ("predict", "predict_proba", "decision_function")),
    "gaussian_nb": (lambda: naive_bayes.GaussianNB(), "iris", CLASSIFIER_METHODS),
    "scaler": (lambda: preprocessing.StandardScaler(), "iris", ("transform", "inverse_transform")),
    "scaler_no_mean": (lambda: preprocessing.StandardScaler(with_mean=False), "iris", ("transform",)),
    "pca": (lambda: decomposition.PCA(n_components=2), "iris", ("transform", "inverse_transform")),
    "pca_whiten": (lambda: decomposition.PCA(whiten=True), "diabetes", ("transform",)),
    "kmeans": (lambda: cluster.KMeans(n_clusters=3, n_init=3, random_state=0), "iris",
               ("predict", "transform")),
    "knn": (lambda: neighbors.KNeighborsClassifier(n_neighbors=7), "iris", CLASSIFIER_METHODS),
    "knn_distance": (lambda: neighbors.KNeighborsClassifier(weights="distance"), "iris", CLASSIFIER_METHODS),
    "tree": (lambda: tree.DecisionTreeClassifier(random_state=0), "iris", CLASSIFIER_METHODS),
    "tree_shallow": (lambda: tree.DecisionTreeClassifier(max_depth=2, max_features="sqrt",
                                                          random_state=3), "iris", CLASSIFIER_METHODS),
    "forest": (lambda: ensemble.RandomForestClassifier(n_estimators=10, random_state=0), "iris",
               CLASSIFIER_METHODS),
    "pipeline": (lambda: pipeline.Pipeline([("scale", preprocessing.StandardScaler()),
                                            ("pca", decomposition.PCA(3)),
                                            ("svc", svm.SVC(C=2.0))]), "iris",
                 ("predict", "decision_function")),
}


def dataset(name, iris, diabetes):
    if name == "iris2":
        X, y = iris
        return X[y < 2], y[y < 2]
    return iris if name == "iris" else diabetes


def fitted(case, iris, diabetes):
    make, data, methods = CASES[case]
    X, y = dataset(data, iris, diabetes)
    return make().fit(X, y), X, y, methods


def fitted_attributes(est):
    """What scikit-learn calls fitted attributes: public names ending in an underscore."""
    return {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("_")}


def assert_same_value(a, b, where):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        assert a.dtype == b.dtype, f"{where}: dtype {a.dtype} != {b.dtype}"
        assert a.shape == b.shape, f"{where}: shape {a.shape} != {b.shape}"
        if a.dtype == object:
            assert a.tolist() == b.tolist(), where
        else:
            assert a.tobytes() == b.tobytes(), f"{where}: bytes differ"
    elif hasattr(a, "__sklearn_is_fitted__") or hasattr(a, "get_params"):
        assert_same_estimator(a, b, where)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_value(x, y, f"{where}[{i}]")
    elif type(a).__name__ == "Tree":
        for key in ("node_count", "max_depth", "children_left", "children_right", "feature",
                    "threshold", "impurity", "n_node_samples", "weighted_n_node_samples", "value"):
            assert_same_value(np.asarray(getattr(a, key)), np.asarray(getattr(b, key)),
                              f"{where}.{key}")
    else:
        assert np.asarray(a).dtype == np.asarray(b).dtype, f"{where}: {type(a)} != {type(b)}"
        assert a == b or (a != a and b != b), f"{where}: {a!r} != {b!r}"


def assert_same_estimator(a, b, where="estimator"):
    assert type(a) is type(b), where
    if isinstance(a, pipeline.Pipeline):
        assert [n for n, _ in a.steps] == [n for n, _ in b.steps]
        for (name, x), (_, y) in zip(a.steps, b.steps):
            assert_same_estimator(x, y, f"{where}.{name}")
        return
    fa, fb = fitted_attributes(a), fitted_attributes(b)
    assert sorted(fa) == sorted(fb), f"{where}: {sorted(fa)} != {sorted(fb)}"
    for key in fa:
        assert_same_value(fa[key], fb[key], f"{where}.{key}")


@pytest.mark.parametrize("case", sorted(CASES))
def test_sklearn_to_cpp_outputs_match(case, iris, diabetes):
    est, X, y, methods = fitted(case, iris, diabetes)
    model = mlpersist.load(mls.dumps(est))
    assert model.type_tag == mls.to_document(est)["type"]
    for method in methods:
        x = est.transform(X) if method == "inverse_transform" else X
        expected = getattr(est, method)(x)
        actual = getattr(model, method)(x)
        if method == "predict" and model.type_tag != "linear_model.LinearRegression" and \
                model.type_tag != "linear_model.Ridge":
            assert np.array_equal(actual, expected), f"{case}.{method}: labels differ"
        else:
            assert_close(actual, expected)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("fmt", ["binary", "msgpack", "json"])
def test_sklearn_round_trip_is_bit_exact(case, fmt, iris, diabetes, tmp_path):
    est, X, _, methods = fitted(case, iris, diabetes)
    path = tmp_path / f"model.{fmt}.mlp"
    mls.dump(est, path, format=fmt)
    back = mls.load(path)
    assert_same_estimator(est, back)
    assert back.get_params() == est.get_params() or case.startswith(("kmeans", "knn", "pipeline"))
    for method in methods:
        x = est.transform(X) if method == "inverse_transform" else X
        assert np.array_equal(getattr(back, method)(x), getattr(est, method)(x)), method


@pytest.mark.parametrize("tag,params,data,methods", [
    ("svm.SVC", {"C": 3.0}, "iris", ("predict", "decision_function")),
    ("linear_model.LinearRegression", {}, "diabetes", ("predict",)),
    ("linear_model.Ridge", {"alpha": 2.0}, "diabetes", ("predict",)),
    ("linear_model.LogisticRegression", {"max_iter": 500}, "iris", ("predict", "predict_proba")),
    ("naive_bayes.GaussianNB", {}, "iris", ("predict", "predict_proba")),
    ("preprocessing.StandardScaler", {}, "iris", ("transform",)),
    ("decomposition.PCA", {"n_components": 3}, "iris", ("transform",)),
    ("cluster.KMeans", {"n_clusters": 3, "random_state": 1}, "iris", ("predict", "transform")),
    ("neighbors.KNeighborsClassifier", {"n_neighbors": 3}, "iris", ("predict", "predict_proba")),
    ("tree.DecisionTreeClassifier", {"random_state": 0}, "iris", ("predict", "predict_proba")),
    ("ensemble.RandomForestClassifier", {"n_estimators": 5, "random_state": 0}, "iris",
     ("predict", "predict_proba")),
])
def test_cpp_fit_to_sklearn_matches(tag, params, data, methods, iris, diabetes):
    X, y = dataset(data, iris, diabetes)
    model = mlpersist.fit(tag, X, None if tag.startswith(("preprocessing", "decomposition")) else
                          y.astype(np.float64), **params)
    est = mls.load(model.dumps())
    assert type(est).__name__ == tag.split(".")[1]
    for method in methods:
        expected = getattr(model, method)(X)
        actual = getattr(est, method)(X)
        if method == "predict" and "Regression" not in tag and "Ridge" not in tag:
            assert np.array_equal(actual, expected), method
        else:
            assert_close(actual, expected)


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_cpp_artifacts_in_the_repository_load_in_sklearn(iris):
    X, _ = iris
    fixtures = sorted((pytest.importorskip("conftest").FIXTURES / "cross-arch").glob("*.bin"))
    assert fixtures
    for path in fixtures:
        est = mls.load(path)
        model = mlpersist.load(path)
        n = model.n_features_in_
        sample = X[:, :n] if X.shape[1] >= n else np.tile(X, (1, n))[:, :n]
        if model.supports("predict"):
            expected = model.predict(sample)
            assert np.allclose(est.predict(sample), expected, rtol=1e-12, atol=0), path.name


GOLDEN = sorted((pytest.importorskip("conftest").FIXTURES / "schema-v1").glob("*.mlp"))


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.name)
def test_old_cpp_artifacts_migrate_into_sklearn(path):
    """Golden schema-1 files written by C++ a week ago: migrated by the C++ plugins, then given to
    scikit-learn, whose own methods reproduce the outputs the old code stored beside them."""
    from conftest import read_csv
    name = path.name.split(".")[0]
    X, _, _ = read_csv("diabetes.csv" if "diabetes" in name else "iris.csv")
    est = mls.load(path)
    outputs = sorted(path.parent.glob(name + ".*.csv"))
    assert outputs
    for csv in outputs:
        method = csv.name.split(".")[1]
        expected = np.loadtxt(csv, delimiter=",", skiprows=1, ndmin=2)
        actual = np.asarray(getattr(est, method)(X)).reshape(len(X), -1)
        if method == "predict" and "ridge" not in name:
            assert np.array_equal(actual, expected), csv.name
        else:
            assert_close(actual, expected)
