"""Mixed tables through the scikit-learn bridge (issue 14, point 5): a ColumnTransformer
pipeline with string columns, missing cells and string labels, both ways, and the command line
tool in another process. Data: tests/data/churn.csv and the specs beside it."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder

import mlpersist.sklearn as mls
from conftest import DATA, run_cli

NUMERIC = ["tenure", "monthly_charges", "total_charges", "age"]
CATEGORICAL = ["contract", "payment", "internet", "region"]


@pytest.fixture(scope="module")
def churn():
    df = pd.read_csv(DATA / "churn.csv")
    return df.drop(columns="churn"), df["churn"]


def make_model(classifier):
    ct = ColumnTransformer([
        ("num", Pipeline([("imp", SimpleImputer(strategy="median")), ("scale", MinMaxScaler())]),
         NUMERIC),
        ("cat", Pipeline([("imp", SimpleImputer(strategy="most_frequent")),
                          ("onehot", OneHotEncoder(handle_unknown="ignore",
                                                   sparse_output=False))]), CATEGORICAL),
    ], sparse_threshold=0)
    return Pipeline([("ct", ct), ("clf", classifier)])


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        return np.array_equal(a.astype(float), b.astype(float), equal_nan=True)
    return list(a.ravel()) == list(b.ravel())


def test_sklearn_round_trip_keeps_every_fitted_attribute(churn):
    X, y = churn
    model = make_model(LogisticRegression(max_iter=1000)).fit(X, y)
    back = mls.load(mls.dumps(model))
    assert list(back.classes_) == ["churn", "stay"]
    assert list(back.predict(X)) == list(model.predict(X))
    assert np.array_equal(back.predict_proba(X), model.predict_proba(X))
    ct, ct2 = model.named_steps["ct"], back.named_steps["ct"]
    assert list(ct2.get_feature_names_out()) == list(ct.get_feature_names_out())
    for name in ("num", "cat"):
        for (_, a), (_, b) in zip(ct.named_transformers_[name].steps,
                                  ct2.named_transformers_[name].steps):
            for attr in ("statistics_", "data_min_", "data_max_", "scale_", "min_"):
                if hasattr(a, attr):
                    assert same(getattr(a, attr), getattr(b, attr)), attr
            if hasattr(a, "categories_"):
                assert all(same(p, q) for p, q in zip(a.categories_, b.categories_))


@pytest.mark.parametrize("encoder", [
    OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=0.05, sparse_output=False),
    OneHotEncoder(max_categories=3, drop="if_binary", handle_unknown="ignore",
                  sparse_output=False),
    OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                   encoded_missing_value=-2),
])
def test_encoders_with_missing_and_infrequent_categories_round_trip(churn, encoder):
    X, _ = churn
    ct = ColumnTransformer([("enc", encoder, CATEGORICAL),
                            ("imp", SimpleImputer(add_indicator=True), NUMERIC)],
                           sparse_threshold=0).fit(X)
    back = mls.load(mls.dumps(ct))
    assert np.array_equal(back.transform(X), ct.transform(X), equal_nan=True)


def test_sklearn_dump_then_cli_predicts_the_same_string_labels(cli, tmp_path, churn):
    X, y = churn
    model = make_model(LogisticRegression(max_iter=1000)).fit(X, y)
    path = tmp_path / "churn.mlp"
    mls.dump(model, path)
    out = run_cli(cli, "predict", path, "--data", DATA / "churn.csv", "--target", "churn")
    lines = out.decode().splitlines() if isinstance(out, bytes) else out.splitlines()
    assert lines[0] == "prediction"
    assert lines[1:] == list(model.predict(X))


def test_cli_fit_spec_then_sklearn_load(cli, tmp_path, churn):
    X, y = churn
    path = tmp_path / "spec.mlp"
    run_cli(cli, "fit", "--spec", DATA / "specs" / "churn__logistic_regression.json", "--data",
            DATA / "churn.csv", "--target", "churn", "-o", path)
    est = mls.load(path)
    assert list(est.classes_) == ["churn", "stay"]
    out = run_cli(cli, "predict", path, "--data", DATA / "churn.csv", "--target", "churn")
    lines = out.decode().splitlines() if isinstance(out, bytes) else out.splitlines()
    assert lines[1:] == list(est.predict(X))
    spec = json.loads((DATA / "specs" / "churn__logistic_regression.json").read_text())
    assert est.named_steps["clf"].max_iter == spec["params"]["clf__max_iter"]


def test_integer_column_categories_keep_scikit_learns_names_both_ways(cli, tmp_path):
    # pandas reads "seats" as int64: its categories are named seats_1, floors' floors_1.0.
    X = pd.read_csv(DATA / "integer_columns.csv")
    encoder = OneHotEncoder(sparse_output=False).fit(X)
    names = list(encoder.get_feature_names_out())
    assert "seats_1" in names and "floors_1.0" in names
    back = mls.load(mls.dumps(encoder))
    assert list(back.get_feature_names_out()) == names
    assert back.categories_[0].dtype.kind == "i"
    assert np.array_equal(back.transform(X), encoder.transform(X))
    # Fitted by the command line tool from the CSV: the same names in scikit-learn.
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"type": "preprocessing.OneHotEncoder",
                                "params": {"sparse_output": False}}))
    path = tmp_path / "onehot.mlp"
    run_cli(cli, "fit", "--spec", spec, "--data", DATA / "integer_columns.csv", "-o", path)
    assert list(mls.load(path).get_feature_names_out()) == names
