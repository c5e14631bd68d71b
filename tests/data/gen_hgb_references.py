"""scikit-learn 1.2.1 references for HistGradientBoostingClassifier and -Regressor.

Writes references/hgb__<config>.json: the data (X with null for NaN, y), the parameters, the
fitted bin thresholds, every predictor's node arrays, the baseline prediction, n_iter_, the
train/validation scores and the predictions on the training data. Deterministic: one OpenMP
thread (scikit-learn's root gradient sum is a parallel reduction), fixed random_state.

Run with Debian's interpreter: `OMP_NUM_THREADS=1 /usr/bin/python3 gen_hgb_references.py`.
"""

import json
import os
import sys

from reference_tools import HERE, pin_threads

pin_threads()

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.datasets import load_diabetes, load_iris  # noqa: E402
from sklearn.ensemble import (HistGradientBoostingClassifier,  # noqa: E402
                              HistGradientBoostingRegressor)

NODE_FIELDS = ("value", "count", "feature_idx", "num_threshold", "missing_go_to_left", "left",
               "right", "gain", "depth", "is_leaf", "bin_threshold", "is_categorical",
               "bitset_idx")


def plain(a):
    """Lists of Python numbers; NaN as null, infinities as the strings 'inf' and '-inf'."""
    a = np.asarray(a)
    if a.ndim == 0:
        v = a.item()
        if isinstance(v, float):
            if np.isnan(v):
                return None
            if np.isinf(v):
                return "inf" if v > 0 else "-inf"
        return v
    return [plain(x) for x in a]


def synthetic(n, seed, classification):
    """Three numeric columns (one with 15% NaN), one categorical column (0..5, some NaN)."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    X[:, 3] = rng.randint(0, 6, size=n)
    X[rng.rand(n) < 0.15, 1] = np.nan
    X[rng.rand(n) < 0.05, 3] = np.nan
    effect = np.array([0.0, 1.5, -1.0, 0.5, 2.0, -2.0])
    cat = np.nan_to_num(X[:, 3], nan=0).astype(int)
    signal = X[:, 0] * 1.5 + np.nan_to_num(X[:, 1], nan=2.0) - X[:, 2] ** 2 + effect[cat]
    if classification:
        y = (signal + rng.normal(scale=0.5, size=n) > 0).astype(float)
    else:
        y = signal + rng.normal(scale=0.3, size=n)
    return X, y


def wide(n, seed):
    """More distinct values than bins: thresholds come from percentiles."""
    rng = np.random.RandomState(seed)
    X = rng.standard_t(df=3, size=(n, 3))
    X[:, 2] = np.round(X[:, 2], 1)  # ties
    y = X[:, 0] - 0.5 * X[:, 1] + rng.normal(scale=0.1, size=n)
    return X, y


def predictors_doc(est):
    out = []
    for iteration in est._predictors:
        trees = []
        for p in iteration:
            t = {f: plain(p.nodes[f]) for f in NODE_FIELDS}
            t["binned_left_cat_bitsets"] = plain(p.binned_left_cat_bitsets)
            t["raw_left_cat_bitsets"] = plain(p.raw_left_cat_bitsets)
            trees.append(t)
        out.append(trees)
    return out


def write(config, est, X, y, classification, dataset=None):
    """`dataset` names the CSV that holds X and y, or 'formula' (formula_set): then X and y are
    not repeated in the file, nor the predictions beyond the first 100 rows."""
    est.fit(X, y)
    doc = {
        "config": config,
        "estimator": "ensemble." + type(est).__name__,
        "params": {k: plain(v) if isinstance(v, (np.ndarray, float)) else v
                   for k, v in est.get_params().items()},
        "dataset": dataset,
        "X": None if dataset else plain(X),
        "y": None if dataset else plain(y),
        "fitted": {
            "bin_thresholds_": [plain(t) for t in est._bin_mapper.bin_thresholds_],
            "missing_values_bin_idx_": int(est._bin_mapper.missing_values_bin_idx_),
            "is_categorical_": plain(est._bin_mapper.is_categorical_),
            "_baseline_prediction": plain(est._baseline_prediction.ravel()),
            "n_iter_": int(est.n_iter_),
            "n_trees_per_iteration_": int(est.n_trees_per_iteration_),
            "train_score_": plain(est.train_score_),
            "validation_score_": plain(est.validation_score_),
            "do_early_stopping_": bool(est.do_early_stopping_),
            "_predictors": predictors_doc(est),
        },
        "predict_train": plain(est.predict(X[:100] if dataset == "formula" else X)),
        "score_train": float(est.score(X, y)),
        "n_samples": int(X.shape[0]),
        "versions": {"python": sys.version.split()[0], "sklearn": sklearn.__version__,
                     "numpy": np.__version__},
    }
    if classification:
        doc["fitted"]["classes_"] = plain(est.classes_)
        doc["predict_proba_train"] = plain(est.predict_proba(X))
    path = os.path.join(HERE, "references", f"hgb__{config}.json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


def subsample_bins():
    """_BinMapper on more rows than its subsample (2e5): the rows it draws decide the bins.
    The column is integer arithmetic, so the C++ test rebuilds it exactly."""
    from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper
    n = 250000
    i = np.arange(n, dtype=np.int64)
    X = (((i * 7919) % 100003) / 7.0 + (i % 11) * 1000.0).reshape(-1, 1)
    mapper = _BinMapper(n_bins=256, random_state=42).fit(X)
    doc = {"config": "subsample_bins", "n_samples": n, "random_state": 42,
           "column": "((i * 7919) % 100003) / 7.0 + (i % 11) * 1000.0",
           "bin_thresholds_": plain(mapper.bin_thresholds_[0])}
    with open(os.path.join(HERE, "references", "hgb__subsample_bins.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


def formula_set(n):
    """Integer arithmetic only, so that the C++ test rebuilds the same doubles: 4 columns, one
    with missing values, large enough (n x 4 >= 65536) for the C++ fit to use its threads."""
    i = np.arange(n, dtype=np.int64)
    X = np.empty((n, 4))
    X[:, 0] = ((i * 7919) % 1009) / 8.0
    X[:, 1] = ((i * 104729) % 997) / 16.0
    X[:, 2] = (i * 31) % 17
    X[:, 3] = np.where(i % 13 == 0, np.nan, ((i * 613) % 101) / 4.0)
    y = X[:, 0] - 2.0 * X[:, 1] + (i % 7) + np.nan_to_num(X[:, 3], nan=30.0)
    return X, y


def main():
    subsample_bins()
    Xf, yf = formula_set(20000)
    write("threads", HistGradientBoostingRegressor(max_iter=5, early_stopping=False,
                                                   random_state=0), Xf, yf, False, "formula")
    iris = load_iris()
    diabetes = load_diabetes()
    Xs, ys = synthetic(400, 0, classification=False)
    Xc, yc = synthetic(400, 1, classification=True)
    Xw, yw = wide(600, 2)
    cat = [3]
    write("iris", HistGradientBoostingClassifier(max_iter=5, random_state=0),
          iris.data, iris.target.astype(float), True, "iris")
    write("diabetes", HistGradientBoostingRegressor(max_iter=10, random_state=0),
          diabetes.data, diabetes.target, False, "diabetes")
    write("diabetes_absolute", HistGradientBoostingRegressor(
        loss="absolute_error", max_iter=5, max_depth=3, random_state=0),
        diabetes.data, diabetes.target, False, "diabetes")
    write("diabetes_poisson", HistGradientBoostingRegressor(
        loss="poisson", max_iter=5, l2_regularization=1.0, max_leaf_nodes=8, random_state=0),
        diabetes.data, diabetes.target, False, "diabetes")
    write("synthetic_regression", HistGradientBoostingRegressor(
        max_iter=10, categorical_features=cat, min_samples_leaf=10, random_state=0),
        Xs, ys, False)
    write("synthetic_binary", HistGradientBoostingClassifier(
        max_iter=10, categorical_features=cat, max_bins=64, random_state=0), Xc, yc, True)
    write("early_stopping_regression", HistGradientBoostingRegressor(
        max_iter=200, early_stopping=True, n_iter_no_change=3, learning_rate=0.5,
        categorical_features=cat, random_state=3), Xs, ys, False)
    write("early_stopping_binary", HistGradientBoostingClassifier(
        max_iter=200, early_stopping=True, n_iter_no_change=3, learning_rate=0.5,
        categorical_features=cat, random_state=4), Xc, yc, True)
    write("early_stopping_train_loss", HistGradientBoostingRegressor(
        max_iter=200, early_stopping=True, validation_fraction=None, n_iter_no_change=2,
        tol=10.0, random_state=0), Xs, ys, False)
    write("wide_bins", HistGradientBoostingRegressor(max_iter=3, random_state=0), Xw, yw, False)


if __name__ == "__main__":
    main()
