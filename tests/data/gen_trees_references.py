#!/usr/bin/python3
"""scikit-learn 1.2.1's regression trees, forests, ExtraTrees and GradientBoosting on small sets.

Writes references/trees__<dataset>__<config>.json (and the synthetic data sets friedman.csv and
binary.csv) for the C++ parity tests in tests/estimators. Deterministic: reruns reproduce every
file byte for byte. Run with Debian's interpreter: /usr/bin/python3 gen_trees_references.py

Each reference holds the estimator's type tag and the parameters the C++ side sets, every fitted
tree's node arrays (scikit-learn's tree_ arrays; `value` is the node's one regression value, or
its class fractions for a classification tree), predict (and predict_proba / decision_function
where the estimator has them) on the training data, and the fitted attributes that are numbers.
"""
import json
import os

from reference_tools import HERE, json_numbers, pin_threads, write_csv

pin_threads()
import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.datasets import (load_diabetes, load_iris, make_classification,  # noqa: E402
                              make_friedman1)
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor,  # noqa: E402
                              GradientBoostingClassifier, GradientBoostingRegressor,
                              RandomForestRegressor)
from sklearn.tree import DecisionTreeRegressor  # noqa: E402


def datasets():
    X, y = make_friedman1(n_samples=200, n_features=6, noise=0.5, random_state=0)
    write_csv(HERE / "friedman.csv", X, y, False)
    Xb, yb = make_classification(n_samples=200, n_features=6, n_informative=3, random_state=0)
    write_csv(HERE / "binary.csv", Xb, yb, True)
    d = load_diabetes()
    i = load_iris()
    return {"diabetes": (d.data, d.target), "iris": (i.data, i.target.astype(np.float64)),
            "friedman": (X, y), "binary": (Xb, yb.astype(np.float64))}


def tree_arrays(tree, classification):
    value = np.asarray(tree.value)[:, 0, :]
    if classification:
        sums = value.sum(axis=1)
        sums[sums == 0] = 1
        value = value / sums[:, None]
    else:
        value = value[:, 0]
    return {"node_count": int(tree.node_count), "max_depth": int(tree.max_depth),
            "children_left": tree.children_left.tolist(),
            "children_right": tree.children_right.tolist(), "feature": tree.feature.tolist(),
            "threshold": tree.threshold.tolist(), "impurity": tree.impurity.tolist(),
            "n_node_samples": tree.n_node_samples.tolist(),
            "weighted_n_node_samples": tree.weighted_n_node_samples.tolist(),
            "value": value.tolist()}


CONFIGS = [
    # (data set, config name, type tag, estimator class, parameters)
    ("diabetes", "dtr", "tree.DecisionTreeRegressor", DecisionTreeRegressor,
     {"random_state": 0}),
    ("diabetes", "dtr_friedman", "tree.DecisionTreeRegressor", DecisionTreeRegressor,
     {"criterion": "friedman_mse", "max_features": 4, "min_samples_leaf": 3, "random_state": 1}),
    ("friedman", "dtr_random", "tree.DecisionTreeRegressor", DecisionTreeRegressor,
     {"splitter": "random", "max_depth": 8, "random_state": 2}),
    ("diabetes", "rfr", "ensemble.RandomForestRegressor", RandomForestRegressor,
     {"n_estimators": 10, "max_depth": 6, "random_state": 0}),
    ("friedman", "rfr_sqrt", "ensemble.RandomForestRegressor", RandomForestRegressor,
     {"n_estimators": 5, "max_features": "sqrt", "min_samples_split": 5, "random_state": 3}),
    ("friedman", "etr", "ensemble.ExtraTreesRegressor", ExtraTreesRegressor,
     {"n_estimators": 10, "max_depth": 6, "random_state": 0}),
    ("diabetes", "etr_bootstrap", "ensemble.ExtraTreesRegressor", ExtraTreesRegressor,
     {"n_estimators": 5, "max_depth": 5, "bootstrap": True, "criterion": "friedman_mse",
      "random_state": 4}),
    ("iris", "etc", "ensemble.ExtraTreesClassifier", ExtraTreesClassifier,
     {"n_estimators": 10, "random_state": 0}),
    ("binary", "etc_entropy", "ensemble.ExtraTreesClassifier", ExtraTreesClassifier,
     {"n_estimators": 5, "criterion": "entropy", "max_depth": 4, "random_state": 5}),
    ("diabetes", "gbr", "ensemble.GradientBoostingRegressor", GradientBoostingRegressor,
     {"n_estimators": 20, "random_state": 0}),
    ("diabetes", "gbr_absolute", "ensemble.GradientBoostingRegressor", GradientBoostingRegressor,
     {"n_estimators": 20, "loss": "absolute_error", "random_state": 0}),
    ("friedman", "gbr_huber", "ensemble.GradientBoostingRegressor", GradientBoostingRegressor,
     {"n_estimators": 20, "loss": "huber", "alpha": 0.8, "random_state": 0}),
    ("friedman", "gbr_quantile", "ensemble.GradientBoostingRegressor", GradientBoostingRegressor,
     {"n_estimators": 20, "loss": "quantile", "alpha": 0.3, "max_depth": 2, "random_state": 0}),
    ("diabetes", "gbr_subsample", "ensemble.GradientBoostingRegressor",
     GradientBoostingRegressor,
     {"n_estimators": 15, "subsample": 0.7, "max_features": 0.5, "learning_rate": 0.2,
      "random_state": 6}),
    ("friedman", "gbr_early_stop", "ensemble.GradientBoostingRegressor",
     GradientBoostingRegressor,
     {"n_estimators": 300, "learning_rate": 0.5, "n_iter_no_change": 3,
      "validation_fraction": 0.2, "random_state": 7}),
    ("binary", "gbc", "ensemble.GradientBoostingClassifier", GradientBoostingClassifier,
     {"n_estimators": 20, "random_state": 0}),
    ("binary", "gbc_exponential", "ensemble.GradientBoostingClassifier",
     GradientBoostingClassifier,
     # NumPy's vectorised exp rounds some residuals differently from the C library's; with
     # random_state=8 that flips a near-tie in stage 8 (scikit-learn itself grows the C++ tree
     # there when its exp is replaced by math.exp). This seed has no such tie.
     {"n_estimators": 20, "loss": "exponential", "subsample": 0.8, "min_samples_leaf": 5,
      "random_state": 10}),
    # Multinomial residuals go through exp and log as well: min_samples_leaf=5 keeps clear of
    # the nodes of near-zero impurity whose split NumPy's rounding decides (without it, stage 5
    # differs in scikit-learn itself once its exp and log are the C library's).
    ("iris", "gbc", "ensemble.GradientBoostingClassifier", GradientBoostingClassifier,
     {"n_estimators": 10, "max_depth": 2, "min_samples_leaf": 5, "random_state": 0}),
]


def fitted_trees(est):
    if hasattr(est, "tree_"):
        return [est.tree_]
    members = np.asarray(est.estimators_, dtype=object).ravel()
    return [m.tree_ for m in members]


def reference(dataset, config, tag, cls, params, X, y):
    np.random.seed(0)
    est = cls(**params).fit(X, y)
    classification = hasattr(est, "classes_")
    ref = {"dataset": dataset, "config": config, "estimator": tag, "params": params,
           "versions": {"scikit-learn": sklearn.__version__, "numpy": np.__version__}}
    grown_as_classifier = classification and not tag.startswith("ensemble.GradientBoosting")
    ref["trees"] = [tree_arrays(t, grown_as_classifier) for t in fitted_trees(est)]
    ref["predict"] = json_numbers(est.predict(X))
    if classification:
        ref["predict_proba"] = json_numbers(est.predict_proba(X))
    if hasattr(est, "decision_function"):
        ref["decision_function"] = json_numbers(est.decision_function(X))
    fitted = {}
    for key in ("n_features_in_", "max_features_", "n_estimators_", "train_score_",
                "oob_improvement_", "feature_importances_", "n_classes_", "classes_"):
        if hasattr(est, key):
            fitted[key] = json_numbers(getattr(est, key))
    if hasattr(est, "init_") and hasattr(est.init_, "constant_"):
        fitted["init_.constant_"] = json_numbers(np.ravel(est.init_.constant_))
    if hasattr(est, "init_") and hasattr(est.init_, "class_prior_"):
        fitted["init_.class_prior_"] = json_numbers(est.init_.class_prior_)
    ref["fitted"] = fitted
    return ref


def main():
    data = datasets()
    out_dir = os.path.join(HERE, "references")
    for dataset, config, tag, cls, params in CONFIGS:
        X, y = data[dataset]
        ref = reference(dataset, config, tag, cls, params, X, y)
        with open(os.path.join(out_dir, f"trees__{dataset}__{config}.json"), "w") as f:
            json.dump(ref, f, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main()
