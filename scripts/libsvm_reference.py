#!/usr/bin/python3
"""Reproduces the upstream-libsvm constants of svc_solver_test's MatchesUpstreamLibsvmWithShrinking.

The test's overlapping blobs (its Lcg and blobs(100, 1.5), rebuilt here bit for bit) are fitted by
libsvm 3.24 itself (Debian's python3-libsvm: `apt-get install python3-libsvm`) with the test's
three kernels, C, eps 1e-3 and shrinking; this prints, per case, the number of support vectors,
the iterations of each one-vs-one sub-problem (libsvm writes them to stdout as "#iter = N") and
the rho of each pair, in the form the test's table takes.

Usage: /usr/bin/python3 scripts/libsvm_reference.py
"""

import os
import re
import sys
import tempfile

try:
    import svmutil
except ImportError:
    sys.exit("libsvm_reference.py: needs Debian's python3-libsvm (apt-get install python3-libsvm)")

MASK = (1 << 64) - 1
CENTERS = [(0.0, 0.0), (2.0, 0.0), (1.0, 2.0)]
# (name, libsvm kernel type, gamma, degree, coef0, C): the test's cases
CASES = [
    ("linear", 0, 1.0, 3, 0.0, 5.0),
    ("rbf", 2, 2.0, 3, 0.0, 10.0),
    ("poly", 1, 0.5, 2, 1.0, 3.0),
]


def blobs(per_class, spread):
    """The test's blobs: rows interleave the classes 0, 10, 20 (libsvm keeps that first-seen
    order, which is also the sorted one)."""
    state = 12345

    def uniform():
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) & MASK
        return (state >> 11) * 2.0**-53 * 2.0 - 1.0

    X, y = [], []
    for r in range(3 * per_class):
        c = r % 3
        x0 = CENTERS[c][0] + spread * uniform()
        x1 = CENTERS[c][1] + spread * uniform()
        X.append({1: x0, 2: x1})
        y.append(10.0 * c)
    return X, y


def train_capturing_stdout(y, X, options):
    """svm_train, with what libsvm's C code prints to file descriptor 1 captured."""
    sys.stdout.flush()
    saved = os.dup(1)
    with tempfile.TemporaryFile(mode="w+") as out:
        os.dup2(out.fileno(), 1)
        try:
            model = svmutil.svm_train(y, X, options)
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
        out.seek(0)
        return model, out.read()


def main():
    X, y = blobs(100, 1.5)
    for name, kernel, gamma, degree, coef0, C in CASES:
        options = f"-s 0 -t {kernel} -g {gamma!r} -d {degree} -r {coef0!r} -c {C!r} -e 0.001 -h 1"
        model, log = train_capturing_stdout(y, X, options)
        n_iter = [int(n) for n in re.findall(r"#iter = (\d+)", log)]
        n_pairs = model.nr_class * (model.nr_class - 1) // 2
        rho = [model.rho[p] for p in range(n_pairs)]
        print(f"{name}: C={C} n_sv={model.l} n_iter={n_iter} rho=[" +
              ", ".join(repr(r) for r in rho) + "]")


if __name__ == "__main__":
    main()
