#!/usr/bin/python3
"""scikit-learn 1.2.1's absolute_error and poisson regression trees, and GradientBoostingClassifier
with early stopping (a stratified validation split).

Writes counts.csv (150 x 4: features on a 0.1 grid and Poisson counts as the target, so that
both features and targets are full of ties) and references/trees__<dataset>__<config>.json in
the format of gen_trees_references.py, whose helpers it uses. Deterministic: reruns reproduce
every file byte for byte. Run with Debian's interpreter: /usr/bin/python3 gen_criteria_references.py
"""
import json
import os

import numpy as np
from sklearn.ensemble import ExtraTreesRegressor, GradientBoostingClassifier, RandomForestRegressor
from sklearn.tree import DecisionTreeRegressor

from gen_trees_references import HERE, datasets, reference, write_csv


def counts():
    rng = np.random.RandomState(0)
    X = np.round(rng.uniform(0.0, 3.0, size=(150, 4)), 1)
    rate = np.exp(0.5 * X[:, 0] - 0.4 * X[:, 1] + 0.2 * X[:, 2])
    y = rng.poisson(rate).astype(np.float64)
    write_csv("counts", X, y, False)
    return X, y


DTR, RFR, ETR = DecisionTreeRegressor, RandomForestRegressor, ExtraTreesRegressor
GBC = GradientBoostingClassifier

CONFIGS = [
    # (data set, config name, type tag, estimator class, parameters)
    ("diabetes", "dtr_absolute", "tree.DecisionTreeRegressor", DTR,
     {"criterion": "absolute_error", "max_depth": 5, "random_state": 0}),
    ("counts", "dtr_absolute", "tree.DecisionTreeRegressor", DTR,
     {"criterion": "absolute_error", "random_state": 1}),
    ("counts", "dtr_absolute_random", "tree.DecisionTreeRegressor", DTR,
     {"criterion": "absolute_error", "splitter": "random", "max_depth": 6, "random_state": 2}),
    # Bootstrap counts are sample weights: medians of integer weights other than one.
    ("counts", "rfr_absolute", "ensemble.RandomForestRegressor", RFR,
     {"criterion": "absolute_error", "n_estimators": 5, "max_depth": 6, "random_state": 2}),
    ("diabetes", "rfr_absolute", "ensemble.RandomForestRegressor", RFR,
     {"criterion": "absolute_error", "n_estimators": 3, "max_depth": 4, "max_features": 0.5,
      "random_state": 3}),
    ("counts", "etr_absolute", "ensemble.ExtraTreesRegressor", ETR,
     {"criterion": "absolute_error", "n_estimators": 5, "max_depth": 5, "bootstrap": True,
      "random_state": 4}),
    ("counts", "dtr_poisson", "tree.DecisionTreeRegressor", DTR,
     {"criterion": "poisson", "min_samples_leaf": 3, "random_state": 0}),
    ("counts", "rfr_poisson", "ensemble.RandomForestRegressor", RFR,
     {"criterion": "poisson", "n_estimators": 5, "max_depth": 5, "random_state": 5}),
    ("counts", "etr_poisson", "ensemble.ExtraTreesRegressor", ETR,
     {"criterion": "poisson", "n_estimators": 3, "max_depth": 6, "random_state": 6}),
    # Early stopping on a stratified split. iris with validation_fraction=0.15: 127 training rows
    # for three classes of 50, so the per-class counts tie and RandomState breaks the tie.
    ("iris", "gbc_early_stop", "ensemble.GradientBoostingClassifier", GBC,
     {"n_estimators": 200, "learning_rate": 0.5, "max_depth": 2, "min_samples_leaf": 5,
      "n_iter_no_change": 2, "validation_fraction": 0.15, "random_state": 0}),
    ("binary", "gbc_early_stop", "ensemble.GradientBoostingClassifier", GBC,
     {"n_estimators": 300, "learning_rate": 0.5, "n_iter_no_change": 3,
      "validation_fraction": 0.2, "random_state": 7}),
]


def main():
    data = datasets()
    data["counts"] = counts()
    out_dir = os.path.join(HERE, "references")
    for dataset, config, tag, cls, params in CONFIGS:
        X, y = data[dataset]
        ref = reference(dataset, config, tag, cls, params, X, y)
        if "n_iter_no_change" in params:
            assert ref["fitted"]["n_estimators_"] < params["n_estimators"], config
        with open(os.path.join(out_dir, f"trees__{dataset}__{config}.json"), "w") as f:
            json.dump(ref, f, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main()
