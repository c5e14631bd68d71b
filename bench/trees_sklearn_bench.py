#!/usr/bin/python3
"""scikit-learn's side of estimators_bench's tree benchmarks (issue 15): the same 20,000 x 20
sets (written by `estimators_bench --data_out=F --regression_out=G`), the same default
parameters, one thread; prints fit seconds, batch predict milliseconds and single-row predict
microseconds per type, to set against estimators_bench's FitX, PredictX and PredictOneX.

Usage: trees_sklearn_bench.py CLASSIFICATION.csv REGRESSION.csv [--rows N]
"""
import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from sklearn import ensemble, tree  # noqa: E402

TYPES = [
    ("DecisionTreeRegressor", tree.DecisionTreeRegressor, True),
    ("RandomForestRegressor", ensemble.RandomForestRegressor, True),
    ("ExtraTreesClassifier", ensemble.ExtraTreesClassifier, False),
    ("ExtraTreesRegressor", ensemble.ExtraTreesRegressor, True),
    ("GradientBoostingClassifier", ensemble.GradientBoostingClassifier, False),
    ("GradientBoostingRegressor", ensemble.GradientBoostingRegressor, True),
]


def best_of(repeats, fn):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("classification")
    parser.add_argument("regression")
    parser.add_argument("--rows", type=int, default=None, help="use the first N rows only")
    args = parser.parse_args()
    sets = {}
    for key, path in (("c", args.classification), ("r", args.regression)):
        table = np.loadtxt(path, delimiter=",", skiprows=1, max_rows=args.rows)
        sets[key] = (table[:, :-1].copy(), table[:, -1].copy())
    print(f"{'type':<28}{'fit s':>10}{'predict ms':>12}{'one row us':>12}")
    for name, cls, regression in TYPES:
        X, y = sets["r" if regression else "c"]
        est = cls()
        fit = best_of(1, lambda: est.fit(X, y))
        predict = best_of(3, lambda: est.predict(X))
        row = X[:1]
        one = best_of(200, lambda: est.predict(row))
        print(f"{name:<28}{fit:>10.3f}{predict * 1e3:>12.2f}{one * 1e6:>12.1f}")


if __name__ == "__main__":
    main()
