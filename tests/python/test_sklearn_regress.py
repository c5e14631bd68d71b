"""SVR, Lasso, ElasticNet and KNeighborsRegressor through the scikit-learn bridge: models fitted
in scikit-learn predict the same in C++ (within 1e-12 relative), survive a round trip bit for
bit, and models fitted in C++ predict the same in scikit-learn."""

import numpy as np
import pytest
from sklearn import linear_model, neighbors, svm

import mlpersist
import mlpersist.sklearn as mls
from conftest import assert_close, read_csv
from test_sklearn_exactness import assert_same_estimator

CASES = {
    "svr_rbf": lambda: svm.SVR(C=100.0, epsilon=5.0),
    "svr_linear": lambda: svm.SVR(kernel="linear", C=10.0),
    "svr_poly": lambda: svm.SVR(kernel="poly", gamma="auto", coef0=1.0, C=50.0),
    "svr_sigmoid": lambda: svm.SVR(kernel="sigmoid", gamma=0.5, shrinking=False),
    "lasso": lambda: linear_model.Lasso(alpha=0.05),
    "lasso_random": lambda: linear_model.Lasso(alpha=0.05, selection="random", random_state=0),
    "lasso_positive": lambda: linear_model.Lasso(alpha=0.2, positive=True, fit_intercept=False),
    "enet": lambda: linear_model.ElasticNet(alpha=0.01, l1_ratio=0.3),
    "enet_warm": lambda: linear_model.ElasticNet(alpha=0.02, warm_start=True, precompute=True),
    "knn": lambda: neighbors.KNeighborsRegressor(n_neighbors=7),
    "knn_distance": lambda: neighbors.KNeighborsRegressor(weights="distance"),
    "knn_brute": lambda: neighbors.KNeighborsRegressor(algorithm="brute", weights="distance"),
}


@pytest.fixture(scope="module", params=["diabetes.csv", "synthetic_regression.csv"])
def data(request):
    X, y, _ = read_csv(request.param)
    return X, y


@pytest.mark.parametrize("case", sorted(CASES))
def test_sklearn_to_cpp_predictions_match(case, data):
    X, y = data
    est = CASES[case]().fit(X, y)
    model = mlpersist.load(mls.dumps(est))
    assert model.type_tag == mls.to_document(est)["type"]
    # algorithm='brute' has scikit-learn compute distances as |x|^2 - 2 x.y + |y|^2, which
    # loses digits that its KD-tree (and mlpersist, both summing (x - y)^2) keeps: with
    # weights='distance' its own predictions then differ from the exact ones by up to ~1e-11.
    rtol = 1e-10 if case == "knn_brute" else 1e-12
    for queries in (X, X + 0.001):
        assert_close(model.predict(queries), est.predict(queries), rtol=rtol)


@pytest.mark.parametrize("case", sorted(CASES))
def test_sklearn_round_trip_is_bit_exact(case, data, tmp_path):
    X, y = data
    est = CASES[case]().fit(X, y)
    path = tmp_path / "model.mlp"
    mls.dump(est, path)
    back = mls.load(path)
    assert_same_estimator(est, back)
    assert np.array_equal(back.predict(X + 0.001), est.predict(X + 0.001))


@pytest.mark.parametrize("tag,params", [
    ("svm.SVR", {"C": 20.0, "epsilon": 1.0}),
    ("linear_model.Lasso", {"alpha": 0.1, "selection": "random", "random_state": 3}),
    ("linear_model.ElasticNet", {"alpha": 0.01, "l1_ratio": 0.8}),
    ("neighbors.KNeighborsRegressor", {"n_neighbors": 4, "weights": "distance"}),
])
def test_cpp_fit_to_sklearn_matches(tag, params, data):
    X, y = data
    model = mlpersist.fit(tag, X, y, **params)
    est = mls.load(model.dumps())
    assert type(est).__name__ == tag.split(".")[1]
    # A C++ model names no search structure: scikit-learn then searches by brute force, whose
    # distances lose digits (see above).
    rtol = 1e-10 if params.get("weights") == "distance" else 1e-12
    for queries in (X, X + 0.001):
        assert_close(est.predict(queries), model.predict(queries), rtol=rtol)


def test_cpp_fit_matches_sklearn_fit():
    """The same data and parameters fitted on both sides give the same model."""
    X, y, _ = read_csv("diabetes.csv")
    for tag, make, params in [
            ("linear_model.ElasticNet", linear_model.ElasticNet, {"alpha": 0.01}),
            ("svm.SVR", svm.SVR, {"C": 100.0, "epsilon": 5.0})]:
        model = mlpersist.fit(tag, X, y, **params)
        assert_close(model.predict(X), make(**params).fit(X, y).predict(X), rtol=1e-9)


def test_unsupported_settings_are_refused():
    X, y, _ = read_csv("synthetic_regression.csv")
    for est in (neighbors.KNeighborsRegressor(metric="manhattan").fit(X, y),
                linear_model.Lasso().fit(X, np.column_stack([y, y]))):
        with pytest.raises(mlpersist.UsageError):
            mls.dumps(est)


@pytest.mark.parametrize("case,key,value", [
    ("svr_rbf", "dual_coef_", lambda s: s[:, :-1]),
    ("svr_rbf", "n_support_", lambda s: s + 1),
    ("lasso", "coef_", lambda s: s[:-1]),
    ("enet", "n_iter_", lambda s: 0),
    ("enet", "dual_gap_", lambda s: float("nan")),
    ("knn", "_y", lambda s: s[:-1]),
])
def test_hostile_states_are_refused_with_their_path(case, key, value, tmp_path):
    """A document edited after saving reaches neither C++ nor scikit-learn: loading names the
    member."""
    X, y, _ = read_csv("synthetic_regression.csv")
    doc = mls.to_document(CASES[case]().fit(X, y))
    doc["state"][key] = value(np.asarray(doc["state"][key]))
    path = tmp_path / "edited.mlp"
    mlpersist.write_document(doc, path)
    for load in (mlpersist.load, mls.load):
        with pytest.raises(mlpersist.SchemaError, match=f"state.{key}"):
            load(path)
