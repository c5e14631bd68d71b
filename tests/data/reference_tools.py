"""What the reference generators (gen_*_references.py) share: where they write, the thread
pinning that keeps scikit-learn's results reproducible, NumPy values as JSON numbers, and the
CSV layout of the data sets they write (README.md). Import it before NumPy: pin_threads() must
run before NumPy and scikit-learn load their thread pools.
"""
import os
import pathlib

HERE = pathlib.Path(__file__).resolve().parent


def pin_threads():
    """One OpenMP and one BLAS thread: parallel reductions would otherwise change the last bits
    of sums from run to run."""
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["OPENBLAS_NUM_THREADS"] = "1"


def json_numbers(v):
    """NumPy arrays and scalars as (lists of) Python numbers; anything else as it is."""
    import numpy as np
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def write_csv(path, X, y, integer_target):
    """Features x0... and `target`, every number as Python's repr (shortest round trip)."""
    header = ",".join([f"x{i}" for i in range(X.shape[1])] + ["target"])
    lines = [header]
    for row, t in zip(X, y):
        target = str(int(t)) if integer_target else repr(float(t))
        lines.append(",".join(repr(float(v)) for v in row) + "," + target)
    pathlib.Path(path).write_text("\n".join(lines) + "\n")
