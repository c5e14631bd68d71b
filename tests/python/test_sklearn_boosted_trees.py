"""The bridge for regression trees, regression forests, ExtraTrees and GradientBoosting:
scikit-learn -> artifact -> C++ predicts the same numbers (1e-12 relative), -> scikit-learn
bit for bit, and C++ fits load into scikit-learn (issue 15)."""

import numpy as np
import pytest
from sklearn import ensemble, tree

import mlpersist
import mlpersist.sklearn as mls
from conftest import assert_close

REGRESSION = ("predict",)
CLASSIFICATION = ("predict", "predict_proba")
BOOSTED = ("predict", "predict_proba", "decision_function")
CASES = {
    "dtr": (lambda: tree.DecisionTreeRegressor(random_state=0), "diabetes", REGRESSION),
    "dtr_random_friedman": (lambda: tree.DecisionTreeRegressor(
        splitter="random", criterion="friedman_mse", max_depth=6, max_features=0.5,
        random_state=1), "diabetes", REGRESSION),
    "rfr": (lambda: ensemble.RandomForestRegressor(n_estimators=5, max_depth=5, random_state=0),
            "diabetes", REGRESSION),
    "etr": (lambda: ensemble.ExtraTreesRegressor(n_estimators=5, random_state=0), "diabetes",
            REGRESSION),
    "etc": (lambda: ensemble.ExtraTreesClassifier(n_estimators=5, random_state=0), "iris",
            CLASSIFICATION),
    "gbr": (lambda: ensemble.GradientBoostingRegressor(n_estimators=10, random_state=0),
            "diabetes", REGRESSION),
    "gbr_huber_sub": (lambda: ensemble.GradientBoostingRegressor(
        loss="huber", n_estimators=10, subsample=0.7, max_features="sqrt", random_state=0),
        "diabetes", REGRESSION),
    "gbr_quantile_stop": (lambda: ensemble.GradientBoostingRegressor(
        loss="quantile", alpha=0.2, n_estimators=50, n_iter_no_change=2, random_state=0),
        "diabetes", REGRESSION),
    "gbc_multinomial": (lambda: ensemble.GradientBoostingClassifier(n_estimators=5,
                                                                    random_state=0), "iris",
                        BOOSTED),
    "gbc_binary_exponential": (lambda: ensemble.GradientBoostingClassifier(
        loss="exponential", n_estimators=5, random_state=0), "iris2", BOOSTED),
    "dtr_absolute": (lambda: tree.DecisionTreeRegressor(
        criterion="absolute_error", max_depth=6, random_state=0), "diabetes", REGRESSION),
    "rfr_absolute": (lambda: ensemble.RandomForestRegressor(
        criterion="absolute_error", n_estimators=3, max_depth=4, random_state=0), "diabetes",
        REGRESSION),
    "etr_poisson": (lambda: ensemble.ExtraTreesRegressor(
        criterion="poisson", n_estimators=3, max_depth=6, random_state=0), "diabetes",
        REGRESSION),
    "gbc_early_stop": (lambda: ensemble.GradientBoostingClassifier(
        n_estimators=100, learning_rate=0.5, max_depth=2, min_samples_leaf=5, n_iter_no_change=2,
        validation_fraction=0.15, random_state=0), "iris", BOOSTED),
}


def fitted(case, iris, diabetes):
    make, data, methods = CASES[case]
    X, y = iris if data.startswith("iris") else diabetes
    if data == "iris2":
        X, y = X[y < 2], y[y < 2]
    return make().fit(X, y), X, y, methods


@pytest.mark.parametrize("case", sorted(CASES))
def test_sklearn_models_predict_the_same_in_cpp(case, iris, diabetes):
    est, X, _, methods = fitted(case, iris, diabetes)
    model = mlpersist.load(mls.dumps(est))
    for method in methods:
        expected, actual = getattr(est, method)(X), getattr(model, method)(X)
        if method == "predict" and methods is not REGRESSION:
            assert np.array_equal(actual, expected), f"{case}: labels differ"
        else:
            assert_close(np.reshape(actual, np.shape(expected)), expected)


@pytest.mark.parametrize("case", sorted(CASES))
def test_sklearn_round_trip_predicts_bit_for_bit(case, iris, diabetes, tmp_path):
    est, X, _, methods = fitted(case, iris, diabetes)
    path = tmp_path / "model.mlp"
    mls.dump(est, path)
    back = mls.load(path)
    assert type(back) is type(est)
    assert back.get_params() == est.get_params()
    for method in methods:
        assert np.array_equal(getattr(back, method)(X), getattr(est, method)(X)), method


@pytest.mark.parametrize("tag,params,data,methods", [
    ("tree.DecisionTreeRegressor", {"random_state": 0}, "diabetes", REGRESSION),
    ("ensemble.RandomForestRegressor", {"n_estimators": 4, "random_state": 0}, "diabetes",
     REGRESSION),
    ("ensemble.ExtraTreesRegressor", {"n_estimators": 4, "random_state": 0}, "diabetes",
     REGRESSION),
    ("ensemble.ExtraTreesClassifier", {"n_estimators": 4, "random_state": 0}, "iris",
     CLASSIFICATION),
    ("ensemble.GradientBoostingRegressor", {"n_estimators": 8, "loss": "absolute_error",
                                            "random_state": 0}, "diabetes", REGRESSION),
    ("ensemble.GradientBoostingClassifier", {"n_estimators": 4, "random_state": 0}, "iris",
     BOOSTED),
])
def test_cpp_fits_load_in_sklearn(tag, params, data, methods, iris, diabetes):
    X, y = iris if data == "iris" else diabetes
    model = mlpersist.fit(tag, X, y.astype(np.float64), **params)
    est = mls.load(model.dumps())
    assert type(est).__name__ == tag.split(".")[1]
    for method in methods:
        expected, actual = getattr(model, method)(X), getattr(est, method)(X)
        if method == "predict" and methods is not REGRESSION:
            assert np.array_equal(actual, expected), method
        else:
            assert_close(actual, np.reshape(expected, np.shape(actual)))


@pytest.mark.parametrize("cls,params", [
    (ensemble.GradientBoostingRegressor, {"n_estimators": 10, "subsample": 0.8, "random_state": 3}),
    (ensemble.RandomForestRegressor, {"criterion": "absolute_error", "n_estimators": 3,
                                      "max_depth": 5, "random_state": 1}),
    (tree.DecisionTreeRegressor, {"criterion": "poisson", "min_samples_leaf": 4,
                                  "random_state": 2}),
])
def test_cpp_fit_equals_sklearn_fit(cls, params, diabetes):
    # Same parameters and seed, same model: C++ fits what scikit-learn fits.
    X, y = diabetes
    est = cls(**params).fit(X, y)
    model = mlpersist.fit(f"{cls.__module__.split('.')[1]}.{cls.__name__}", X, y, **params)
    assert np.array_equal(model.predict(X), est.predict(X))


def test_cpp_early_stopping_classifier_equals_sklearn(iris):
    # The validation rows are scikit-learn's stratified split: the same stages stop the fit.
    X, y = iris
    params = {"n_estimators": 100, "learning_rate": 0.5, "max_depth": 2, "min_samples_leaf": 5,
              "n_iter_no_change": 2, "validation_fraction": 0.15, "random_state": 0}
    est = ensemble.GradientBoostingClassifier(**params).fit(X, y)
    model = mlpersist.fit("ensemble.GradientBoostingClassifier", X, y.astype(np.float64),
                          **params)
    back = mls.load(model.dumps())
    assert back.n_estimators_ == est.n_estimators_ < 100
    assert np.array_equal(model.predict(X), est.predict(X))
    assert_close(model.predict_proba(X), est.predict_proba(X))


@pytest.mark.parametrize("est,needle", [
    (ensemble.GradientBoostingRegressor(init="zero", n_estimators=2), "init"),
    (ensemble.GradientBoostingRegressor(max_leaf_nodes=4, n_estimators=2), "max_leaf_nodes"),
    (tree.DecisionTreeRegressor(min_weight_fraction_leaf=0.1), "min_weight_fraction_leaf"),
])
def test_unsupported_settings_are_refused(est, needle, diabetes):
    X, y = diabetes
    est.fit(X, y)
    with pytest.raises((mlpersist.UsageError, mlpersist.Error), match=needle):
        mlpersist.load(mls.dumps(est))
