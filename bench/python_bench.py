"""mlpersist.sklearn against pickle and joblib, in one run (issue 13, point 5).

Each row runs the contenders back to back (interleaved), so that a change in the machine's load
hits all of them alike; the table reports the median with min and max over the rows, and the
ratio of medians. Run by `make bench` (PYTHONPATH=<build>/python); `--mb` and `--rows` shrink it
for a quick check.
"""

import argparse
import os
import pickle
import statistics
import tempfile
import time
import warnings

import joblib
import numpy as np
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

import mlpersist
import mlpersist.sklearn as mls

warnings.filterwarnings("ignore")


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(rows, contenders):
    times = {name: [] for name in contenders}
    for _ in range(rows):
        for name, fn in contenders.items():
            times[name].append(timed(fn))
    return times


def describe(seconds):
    med = statistics.median(seconds)
    unit, scale = ("us", 1e6) if med < 1e-3 else ("ms", 1e3)
    return (f"{med * scale:9.2f} {unit} (min {min(seconds) * scale:.2f}, "
            f"max {max(seconds) * scale:.2f})")


def report(title, times, pairs):
    print(f"\n{title}")
    for name, seconds in times.items():
        print(f"  {name:<44} {describe(seconds)}")
    for ours, theirs, goal in pairs:
        ratio = statistics.median(times[ours]) / statistics.median(times[theirs])
        print(f"  ratio {ours} / {theirs}: {ratio:.3f} (goal {goal})")


def iris_svc(rows):
    from sklearn.datasets import load_iris
    X, y = load_iris(return_X_y=True)
    est = SVC().fit(X, y)
    times = interleaved(rows, {
        "mlpersist.sklearn dumps+load": lambda: mls.load(mls.dumps(est)),
        "pickle dumps+loads": lambda: pickle.loads(pickle.dumps(est)),
    })
    report("iris SVC, save to bytes and load back", times,
           [("mlpersist.sklearn dumps+load", "pickle dumps+loads", "<= 1.0")])


def knn(mb, rows, directory):
    n_features = 32
    n = (mb << 20) // (8 * n_features)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, n_features))
    y = rng.integers(0, 3, n)
    est = KNeighborsClassifier(algorithm="brute").fit(X, y)
    ours, theirs = os.path.join(directory, "knn.mlp"), os.path.join(directory, "knn.joblib")
    times = interleaved(rows, {
        "mlpersist.sklearn dump": lambda: mls.dump(est, ours),
        "joblib.dump": lambda: joblib.dump(est, theirs),
    })
    times.update(interleaved(rows, {
        "mlpersist.sklearn load (mapped)": lambda: mls.load(ours),
        "joblib.load": lambda: joblib.load(theirs),
        "mlpersist.load (C++ model, mapped)": lambda: mlpersist.load(ours),
        "joblib.load(mmap_mode='r')": lambda: joblib.load(theirs, mmap_mode="r"),
    }))
    size = os.path.getsize(ours) / (1 << 20)
    report(f"KNeighborsClassifier, {n} x {n_features} float64 ({size:.0f} MB file; page cache "
           f"warm)", times,
           [("mlpersist.sklearn dump", "joblib.dump", "<= 1.0, i.e. as fast or faster"),
            ("mlpersist.sklearn load (mapped)", "joblib.load", "<= 1.0"),
            ("mlpersist.load (C++ model, mapped)", "joblib.load(mmap_mode='r')", "<= 1 ms")])
    check = X[:200]
    assert np.array_equal(mls.load(ours).predict(check), est.predict(check))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=256, help="size of the KNN training set")
    parser.add_argument("--rows", type=int, default=15, help="interleaved rows per table")
    args = parser.parse_args()
    print(f"mlpersist {mlpersist.__version__}, load average {os.getloadavg()[0]:.2f}")
    iris_svc(max(args.rows, 50) * 10)
    with tempfile.TemporaryDirectory() as directory:
        knn(args.mb, args.rows, directory)


if __name__ == "__main__":
    main()
