"""Interoperation with the command line tool in another process, both ways (issue 13, point 7)."""

import numpy as np
import pytest
from sklearn import decomposition, linear_model, pipeline, preprocessing, svm

import mlpersist.sklearn as mls
from conftest import DATA, assert_close, read_csv, read_output_csv, run_cli


@pytest.mark.parametrize("fmt", ["binary", "msgpack", "json"])
def test_sklearn_dump_then_cli_predict(cli, tmp_path, fmt):
    X, y, names = read_csv("iris.csv")
    est = pipeline.make_pipeline(preprocessing.StandardScaler(), decomposition.PCA(3),
                                 svm.SVC(C=2.0)).fit(X, y.astype(np.int64))
    path = tmp_path / "pipeline.mlp"
    mls.dump(est, path, format=fmt)
    for method in ("predict", "decision_function"):
        out = read_output_csv(run_cli(cli, "predict", path, "--data", DATA / "iris.csv",
                                      "--method", method))
        expected = getattr(est, method)(X)
        if method == "predict":
            assert np.array_equal(out[:, 0], expected)
        else:
            assert_close(out, expected)




def test_cli_fit_then_sklearn_load(cli, tmp_path):
    X, y, names = read_csv("diabetes.csv")
    path = tmp_path / "ridge.mlp"
    run_cli(cli, "fit", "linear_model.Ridge", "--data", DATA / "diabetes.csv", "--param",
            "alpha=0.5", "-o", path)
    est = mls.load(path)
    assert isinstance(est, linear_model.Ridge) and est.alpha == 0.5
    assert list(est.feature_names_in_) == names
    out = read_output_csv(run_cli(cli, "predict", path, "--data", DATA / "diabetes.csv"))
    assert_close(est.predict(X), out[:, 0])


def test_cli_fit_pipeline_then_sklearn_load(cli, tmp_path):
    X, y, names = read_csv("iris.csv")
    path = tmp_path / "pipe.mlp"
    run_cli(cli, "fit", "pipeline.Pipeline", "--data", DATA / "iris.csv", "--step",
            "scale=preprocessing.StandardScaler", "--step", "clf=linear_model.LogisticRegression",
            "-o", path)
    est = mls.load(path)
    assert [name for name, _ in est.steps] == ["scale", "clf"]
    for method in ("predict", "predict_proba"):
        out = read_output_csv(run_cli(cli, "predict", path, "--data", DATA / "iris.csv",
                                      "--method", method))
        expected = out[:, 0] if method == "predict" else out
        if method == "predict":
            assert np.array_equal(est.predict(X), expected)
        else:
            assert_close(est.predict_proba(X), expected)
