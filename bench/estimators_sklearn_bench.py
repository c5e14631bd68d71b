#!/usr/bin/python3
"""The C++ estimators against scikit-learn on the same arrays, in one run (issue 15, point 3).

Both contenders run in this process on the same float64 arrays with the same parameters:
mlpersist.fit and Model.predict fit and predict in C++ (the GIL released; the binding reads X in
place, as scikit-learn does; converting y and the result to and from NumPy is counted against
us), scikit-learn through its own estimators. Each row runs the two back to back, alternating
which goes first, so that a change in the machine's load hits both alike; the table reports
medians with min and max over the rows and the ratio of medians, with the issue's goals: fit
<= 1.0x and batch predict <= 0.5x scikit-learn's time. HistGradientBoosting uses OpenMP in both
(the same libgomp): it is measured at 1 and at 2 threads. Everything else runs on one thread.
Single-row latency as a C++ service sees it is estimators_bench's PredictOneRow.

Run by `make bench` (PYTHONPATH=<build>/python); `--rows`, `--repeats` and `--types` shrink it.
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn import ensemble, linear_model, neighbors, svm, tree
from threadpoolctl import threadpool_limits

import mlpersist

warnings.filterwarnings("ignore")

SEEDED = {"random_state": 0}
# (name, scikit-learn class, regression?, parameters for both, rows cap or None)
TYPES = [
    ("tree.DecisionTreeRegressor", tree.DecisionTreeRegressor, True, SEEDED, None),
    ("ensemble.RandomForestClassifier", ensemble.RandomForestClassifier, False, SEEDED, None),
    ("ensemble.RandomForestRegressor", ensemble.RandomForestRegressor, True, SEEDED, None),
    ("ensemble.ExtraTreesClassifier", ensemble.ExtraTreesClassifier, False, SEEDED, None),
    ("ensemble.ExtraTreesRegressor", ensemble.ExtraTreesRegressor, True, SEEDED, None),
    ("ensemble.GradientBoostingClassifier", ensemble.GradientBoostingClassifier, False, SEEDED,
     None),
    ("ensemble.GradientBoostingRegressor", ensemble.GradientBoostingRegressor, True, SEEDED, None),
    ("ensemble.HistGradientBoostingClassifier", ensemble.HistGradientBoostingClassifier, False,
     SEEDED, None),
    ("ensemble.HistGradientBoostingRegressor", ensemble.HistGradientBoostingRegressor, True,
     SEEDED, None),
    # SVR's fit grows with the square of the rows in both: 8,000 keeps a row under a minute.
    ("svm.SVR", svm.SVR, True, {}, 8000),
    ("linear_model.Lasso", linear_model.Lasso, True, {"alpha": 0.01}, None),
    ("linear_model.ElasticNet", linear_model.ElasticNet, True, {"alpha": 0.01}, None),
    ("neighbors.KNeighborsRegressor", neighbors.KNeighborsRegressor, True, {}, None),
]
THREADED = ("ensemble.HistGradientBoosting",)


def classification(rows, rng):
    """Two classes whose means differ on the first 5 of 20 unit-variance features, 5% of the
    labels flipped: not separable, so the solvers do real work (as estimators_bench's set)."""
    y = np.arange(rows) % 2
    X = rng.normal(size=(rows, 20))
    X[:, :5] += np.where(y == 1, 0.8, -0.8)[:, None]
    flip = rng.random(rows) < 0.05
    return X, np.where(flip, 1 - y, y).astype(np.float64)


def regression(rows, rng):
    """y = X w + unit noise, w = 1..10 on the first 10 of 20 standard normal features."""
    X = rng.normal(size=(rows, 20))
    w = np.concatenate([np.arange(1.0, 11.0), np.zeros(10)])
    return X, X @ w + rng.normal(size=rows)


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def interleaved(repeats, ours, theirs):
    """Times of each contender over `repeats` rows; the first to run alternates."""
    times = {"ours": [], "theirs": []}
    results = {}
    for i in range(repeats):
        order = [("ours", ours), ("theirs", theirs)]
        for name, fn in order if i % 2 == 0 else order[::-1]:
            seconds, results[name] = timed(fn)
            times[name].append(seconds)
    return times, results


def describe(seconds):
    med = statistics.median(seconds)
    unit, scale = ("us", 1e6) if med < 1e-3 else ("ms", 1e3) if med < 1 else ("s", 1.0)
    return f"{med * scale:8.2f} {unit:<2} ({min(seconds) * scale:.2f}-{max(seconds) * scale:.2f})"


def ratio(times):
    return statistics.median(times["ours"]) / statistics.median(times["theirs"])


def row(name, what, times, goal):
    r = ratio(times)
    verdict = "met" if r <= goal else "MISSED"
    print(f"{name:<40} {what:<8} {describe(times['ours']):>30} {describe(times['theirs']):>30} "
          f"{r:7.2f}x  <= {goal}: {verdict}")


def agreement(ours, theirs, regression):
    """How far the two models' predictions are apart: a sanity check that both did the same
    job (randomised ensembles draw the same trees, so this is usually 0)."""
    if regression:
        scale = max(1.0, float(np.max(np.abs(theirs))))
        return f"max |diff| / scale {float(np.max(np.abs(ours - theirs))) / scale:.1e}"
    return f"labels differ {int(np.sum(ours != theirs))}/{len(theirs)}"


def bench_type(entry, sets, repeats, threads):
    tag, cls, is_regression, params, cap = entry
    X, y = sets["r" if is_regression else "c"]
    if cap:
        X, y = X[:cap], y[:cap]
    label = tag if threads is None else f"{tag} [{threads} thr]"
    with threadpool_limits(limits=threads or 1):
        fit_times, models = interleaved(repeats, lambda: mlpersist.fit(tag, X, y, **params),
                                        lambda: cls(**params).fit(X, y))
        ours, theirs = models["ours"], models["theirs"]
        predict_times, outputs = interleaved(repeats, lambda: ours.predict(X),
                                             lambda: theirs.predict(X))
    row(label, "fit", fit_times, 1.0)
    row(label, "predict", predict_times, 0.5)
    print(f"{'':<40} {len(X)} rows; {agreement(outputs['ours'], outputs['theirs'], is_regression)}")
    return ratio(fit_times), ratio(predict_times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=3, help="interleaved rows per measure")
    parser.add_argument("--types", default="", help="comma-separated substrings of type tags")
    args = parser.parse_args()
    rng = np.random.default_rng(42)
    sets = {"c": classification(args.rows, rng), "r": regression(args.rows, rng)}
    wanted = [t for t in args.types.split(",") if t]
    entries = [e for e in TYPES if not wanted or any(w in e[0] for w in wanted)]
    print(f"C++ (mlpersist) against scikit-learn, {args.rows} x 20, {args.repeats} interleaved "
          "rows: median (min-max), ratio of medians")
    print(f"{'type':<40} {'':<8} {'mlpersist':>30} {'scikit-learn':>30}")
    missed = []
    for entry in entries:
        thread_counts = [1, 2] if entry[0].startswith(THREADED) else [None]
        for threads in thread_counts:
            fit_ratio, predict_ratio = bench_type(entry, sets, args.repeats, threads)
            if fit_ratio > 1.0 or predict_ratio > 0.5:
                missed.append(entry[0] + ("" if threads is None else f" [{threads} thr]"))
    print(f"\ngoals missed: {', '.join(missed) if missed else 'none'}")


if __name__ == "__main__":
    main()
