"""Shared fixtures: the repository's data sets and the build's command line tool.

CTest runs these with PYTHONPATH=<build>/python and MLPERSIST_CLI set (tests/python/
CMakeLists.txt); data is read from tests/data only."""

import os
import pathlib
import subprocess
import warnings

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
FIXTURES = REPO / "tests" / "fixtures"

# scikit-learn 1.2 warns about KMeans' n_init default change; the value used is what counts.
warnings.filterwarnings("ignore", category=FutureWarning)


def read_csv(name):
    """(X, y, feature names) of a CSV in tests/data whose last column is the target."""
    path = DATA / name
    with open(path) as f:
        header = f.readline().strip().split(",")
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    return table[:, :-1].copy(), table[:, -1].copy(), header[:-1]


@pytest.fixture(scope="session")
def iris():
    X, y, _ = read_csv("iris.csv")
    return X, y.astype(np.int64)


@pytest.fixture(scope="session")
def diabetes():
    X, y, _ = read_csv("diabetes.csv")
    return X, y


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("MLPERSIST_CLI")
    if not path or not os.path.exists(path):
        pytest.skip("MLPERSIST_CLI is not set to the built mlpersist command")
    return path


def run_cli(cli, *args):
    done = subprocess.run([cli, *map(str, args)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def read_output_csv(text):
    """The CSV `mlpersist predict` writes: a header row, then numbers."""
    rows = [line.split(",") for line in text.strip().splitlines()[1:]]
    return np.array([[float(v) for v in row] for row in rows])


def assert_close(actual, expected, rtol=1e-12):
    """Equal within `rtol` relative to each element (absolute for values near zero)."""
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape
    scale = np.maximum(np.abs(expected), 1.0)
    assert np.all(np.abs(actual - expected) <= rtol * scale), np.max(np.abs(actual - expected) / scale)
