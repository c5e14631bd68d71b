"""HistGradientBoosting through the bridge: scikit-learn's fitted trees walked in C++ give the
same outputs (within 1e-12 relative), C++-fitted models load into scikit-learn, and the bridge
refuses what the C++ model cannot represent."""

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

import mlpersist
import mlpersist.sklearn as mls


@pytest.fixture(autouse=True)
def one_openmp_thread():
    """scikit-learn's OpenMP threads spin on a busy machine; one keeps the tests fast."""
    with threadpool_limits(limits=1, user_api="openmp"):
        yield


def mixed(seed, n=300, classes=None):
    """Numeric columns with NaN and a categorical column 0..4 (with NaN)."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    X[:, 3] = rng.randint(0, 5, n)
    X[rng.rand(n) < 0.2, 0] = np.nan
    X[rng.rand(n) < 0.1, 3] = np.nan
    signal = np.nan_to_num(X[:, 0], nan=1.5) + X[:, 1] * X[:, 2] + np.nan_to_num(X[:, 3]) * 0.4
    if classes is None:
        return X, signal + rng.normal(scale=0.2, size=n)
    return X, np.digitize(signal, np.quantile(signal, np.linspace(0, 1, classes + 1)[1:-1]))


def rel_err(a, b):
    return np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b)))


CASES = {
    "regressor": (lambda: HistGradientBoostingRegressor(
        max_iter=30, categorical_features=[3], random_state=0), None),
    "absolute": (lambda: HistGradientBoostingRegressor(
        loss="absolute_error", max_iter=10, random_state=0), None),
    "poisson": (lambda: HistGradientBoostingRegressor(loss="poisson", max_iter=10), "poisson"),
    "binary": (lambda: HistGradientBoostingClassifier(
        max_iter=20, categorical_features=[False, False, False, True]), 2),
    "multiclass": (lambda: HistGradientBoostingClassifier(
        max_iter=15, max_depth=4, categorical_features=[3], early_stopping=True,
        n_iter_no_change=3, random_state=2), 3),
}


def fitted(case):
    make, kind = CASES[case]
    X, y = mixed(7, classes=kind if isinstance(kind, int) else None)
    if kind == "poisson":
        y = np.exp(y / 3)
    return make().fit(X, y), X, y


@pytest.mark.parametrize("case", sorted(CASES))
def test_sklearn_trees_predict_the_same_in_cpp(case):
    est, X, y = fitted(case)
    model = mlpersist.load(mls.dumps(est))
    # Unknown and negative categories, infinities excluded (C++ refuses them): as missing values.
    probe = np.vstack([X, [[np.nan, 0.5, -0.5, 9.0], [1.0, 1.0, 1.0, -2.0]]])
    methods = ["predict"] + (["predict_proba", "decision_function"]
                             if hasattr(est, "classes_") else [])
    for method in methods:
        expected, actual = getattr(est, method)(probe), getattr(model, method)(probe)
        assert rel_err(np.asarray(actual, dtype=float).reshape(np.shape(expected)),
                       expected) <= 1e-12, method


@pytest.mark.parametrize("case", sorted(CASES))
def test_sklearn_round_trip_predicts_bit_identically(case):
    est, X, y = fitted(case)
    back = mls.load(mls.dumps(est, format="msgpack"))
    assert type(back) is type(est) and back.n_iter_ == est.n_iter_
    assert np.array_equal(back.predict(X), est.predict(X))


def test_cpp_fit_loads_into_sklearn():
    X, y = mixed(3, classes=3)
    model = mlpersist.fit("ensemble.HistGradientBoostingClassifier", X, y.astype(np.float64),
                          max_iter=10, categorical_features=[3])
    est = mls.load(model.dumps())
    assert np.array_equal(est.predict(X), model.predict(X).ravel())
    assert rel_err(est.predict_proba(X), model.predict_proba(X)) <= 1e-12


def test_unsupported_parameters_are_refused():
    X, y = mixed(1)
    est = HistGradientBoostingRegressor(max_iter=3, monotonic_cst=[1, 0, 0, 0]).fit(X, y)
    with pytest.raises(mlpersist.UsageError, match="monotonic_cst"):
        mls.dumps(est)


FIT_CASES = [
    ("ensemble.HistGradientBoostingRegressor", HistGradientBoostingRegressor,
     dict(max_iter=8, max_leaf_nodes=None, max_depth=6, min_samples_leaf=5), None),
    ("ensemble.HistGradientBoostingRegressor", HistGradientBoostingRegressor,
     dict(max_iter=6, loss="absolute_error", categorical_features=[3], max_bins=32), None),
    ("ensemble.HistGradientBoostingClassifier", HistGradientBoostingClassifier,
     dict(max_iter=8, categorical_features=[3], l2_regularization=0.5, min_samples_leaf=8), 4),
    ("ensemble.HistGradientBoostingClassifier", HistGradientBoostingClassifier,
     dict(max_iter=50, early_stopping=True, validation_fraction=0.2, n_iter_no_change=2,
          random_state=5), 2),
]


@pytest.mark.parametrize("tag,cls,params,classes", FIT_CASES)
def test_cpp_fit_grows_scikit_learns_trees(tag, cls, params, classes):
    """Fitted in C++ and in scikit-learn (one OpenMP thread) on data with missing values: the
    same number of iterations and the same raw predictions, bit for bit (the same trees);
    probabilities within 1e-12 (NumPy's vectorised exp and the C library's may differ in the
    last bit)."""
    X, y = mixed(11, n=500, classes=classes)
    est = cls(**params).fit(X, y)
    model = mlpersist.fit(tag, X, y.astype(np.float64), **params)
    assert model.document()["state"]["n_iter_"] == est.n_iter_
    assert np.array_equal(np.ravel(model.predict(X)), est.predict(X))
    if classes:
        raw = np.asarray(model.decision_function(X)).reshape(np.shape(est.decision_function(X)))
        assert np.array_equal(raw, est.decision_function(X))
        assert rel_err(model.predict_proba(X), est.predict_proba(X)) <= 1e-12
