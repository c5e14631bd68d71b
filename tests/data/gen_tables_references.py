#!/usr/bin/python3
"""Writes the mixed-table parity data of issue 14 and scikit-learn 1.2.1's results on it.

    /usr/bin/python3 tests/data/gen_tables_references.py

Deterministic: reruns reproduce both files byte for byte.

- churn.csv: a synthetic customer-churn table, 2,000 rows: numeric columns (tenure,
  monthly_charges, total_charges, age), categorical string columns (contract, payment, internet,
  region, with a non-ASCII category and one holding a comma and quotes), the string label
  `churn` ("churn" / "stay"), about 5% missing cells in every feature column. Rows 0-1499 are
  the training set, rows 1500-1999 the test set, which holds categories never seen in training.
- specs/churn__<config>.json: each configuration as `mlpersist fit --spec` reads it (the
  estimators here are built from the same specs).
- references/churn__tables.json: for each configuration, the fitted attributes, the output
  feature names, and the transformed matrices (first rows in full, the whole matrix as the
  SHA-256 of its little-endian C-order float64 bytes); for the classifier pipelines, classes_,
  the test predictions and predict_proba (hash and first rows).

- integer_columns.csv and references/integer_columns.json: a small table whose columns pandas
  reads as int64 (integers, none missing), float64 (integers with a missing cell, or written
  "2.0") and strings, with OneHotEncoder's feature names and output on it: an int64 column's
  categories are named "seats_1", a float64 column's "floors_1.0".
- references/churn__cv.json: cross_val_score(model, X, y, cv=5) (StratifiedKFold, accuracy) of
  the classifier pipelines on the whole churn table, what `mlpersist fit --cv 5` must print.

The table is read back with pandas.read_csv, as a user would, so the estimators see what they
see in practice: a DataFrame whose string columns hold NaN for missing cells, and whose numeric
column blocks are column-major (NumPy sums them pairwise).
"""

import hashlib
import io
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder

HERE = os.path.dirname(os.path.abspath(__file__))
N_ROWS, N_TRAIN = 2000, 1500
NUMERIC = ["tenure", "monthly_charges", "total_charges", "age"]
CATEGORICAL = ["contract", "payment", "internet", "region"]
SHOWN_ROWS = 8


def make_table():
    rng = np.random.RandomState(14)
    contract = rng.choice(["month-to-month", "one year", "two year"], N_ROWS, p=[0.55, 0.25, 0.2])
    payment = rng.choice(["electronic check", "mailed check", "bank transfer", "credit card"],
                         N_ROWS)
    internet = rng.choice(["DSL", "fiber optic", "none"], N_ROWS, p=[0.4, 0.45, 0.15])
    regions = ["north", "south", "east", "west", "Zürich", 'Paris, "Centre"', "Åland", "oslo",
               "lima"]
    region = rng.choice(regions, N_ROWS, p=[0.3, 0.25, 0.15, 0.12, 0.08, 0.05, 0.03, 0.015,
                                            0.005])
    # Categories the training rows never hold.
    internet[N_TRAIN + 7::50] = "satellite"
    region[N_TRAIN + 3::40] = "atlantis"
    tenure = rng.randint(0, 72, N_ROWS).astype(float)
    monthly = np.round(rng.uniform(18, 120, N_ROWS), 2)
    total = np.round(tenure * monthly * rng.uniform(0.9, 1.1, N_ROWS), 2)
    age = np.round(rng.normal(45, 14, N_ROWS), 1)
    score = (0.9 * (contract == "month-to-month") + 0.5 * (internet == "fiber optic")
             - 0.03 * tenure + 0.01 * monthly + rng.normal(0, 0.6, N_ROWS))
    churn = np.where(score > 0.6, "churn", "stay")
    df = pd.DataFrame({"tenure": tenure, "monthly_charges": monthly, "total_charges": total,
                       "age": age, "contract": contract, "payment": payment,
                       "internet": internet, "region": region})
    for column in df.columns:
        df.loc[rng.uniform(size=N_ROWS) < 0.05, column] = np.nan
    df["churn"] = churn
    return df


def sha(matrix):
    data = np.ascontiguousarray(np.asarray(matrix, dtype="<f8"))
    return hashlib.sha256(data.tobytes()).hexdigest()


def as_json(value):
    """Numbers as shortest round-trip decimals; NaN (a missing value) as null."""
    if isinstance(value, np.ndarray):
        return [as_json(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [as_json(v) for v in value]
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, (np.floating,)):
        return as_json(float(value))
    if isinstance(value, (np.integer,)):
        return int(value)
    return value


def matrix(m):
    m = np.asarray(m, dtype=float)
    return {"shape": list(m.shape), "sha256": sha(m), "rows": as_json(m[:SHOWN_ROWS])}


def categories(encoder):
    return [as_json(list(c)) for c in encoder.categories_]


CLASSES = {
    "compose.ColumnTransformer": ColumnTransformer,
    "pipeline.Pipeline": Pipeline,
    "impute.SimpleImputer": SimpleImputer,
    "preprocessing.MinMaxScaler": MinMaxScaler,
    "preprocessing.OneHotEncoder": OneHotEncoder,
    "preprocessing.OrdinalEncoder": OrdinalEncoder,
    "linear_model.LogisticRegression": LogisticRegression,
    "ensemble.RandomForestClassifier": RandomForestClassifier,
}
KINDS = ("drop", "passthrough")


def build(tag, params):
    """The scikit-learn estimator of a spec (the shape `mlpersist fit --spec` reads)."""
    own = {k: v for k, v in params.items() if "__" not in k}

    def child(name, child_tag):
        prefix = name + "__"
        return build(child_tag, {k[len(prefix):]: v for k, v in params.items()
                                 if k.startswith(prefix)})

    if tag == "pipeline.Pipeline":
        return Pipeline([(name, child(name, t)) for name, t in own["steps"]])
    if tag == "compose.ColumnTransformer":
        kwargs = dict(own)
        kwargs["transformers"] = [(name, t if t in KINDS else child(name, t), columns)
                                  for name, t, columns in own["transformers"]]
        if kwargs.get("remainder", "drop") not in KINDS:
            kwargs["remainder"] = child("remainder", kwargs["remainder"])
        return ColumnTransformer(**kwargs)
    if "feature_range" in own:
        own["feature_range"] = tuple(own["feature_range"])
    return CLASSES[tag](**own)


ONEHOT = {"handle_unknown": "ignore", "sparse_output": False}
CONFIGS = {
    "median_minmax_mostfrequent_onehot": {
        "transformers": [["num", "pipeline.Pipeline", NUMERIC],
                         ["cat", "pipeline.Pipeline", CATEGORICAL]],
        "sparse_threshold": 0,
        "num__steps": [["imp", "impute.SimpleImputer"], ["scale", "preprocessing.MinMaxScaler"]],
        "num__imp__strategy": "median",
        "cat__steps": [["imp", "impute.SimpleImputer"], ["onehot", "preprocessing.OneHotEncoder"]],
        "cat__imp__strategy": "most_frequent",
        "cat__onehot__handle_unknown": "ignore",
        "cat__onehot__sparse_output": False,
    },
    "mean_indicator_ordinal_passthrough": {
        "transformers": [["num", "impute.SimpleImputer", ["tenure", "age"]],
                         ["ord", "preprocessing.OrdinalEncoder", CATEGORICAL]],
        "remainder": "passthrough",
        "sparse_threshold": 0,
        "num__strategy": "mean",
        "num__add_indicator": True,
        "ord__handle_unknown": "use_encoded_value",
        "ord__unknown_value": -1,
        "ord__encoded_missing_value": -2,
    },
    "onehot_missing_infrequent": {
        "transformers": [["hot", "preprocessing.OneHotEncoder", ["region", "internet"]],
                         ["few", "preprocessing.OneHotEncoder", ["payment", "contract"]],
                         ["const", "impute.SimpleImputer", [0, 2]],
                         ["scale", "preprocessing.MinMaxScaler", ["monthly_charges"]]],
        "sparse_threshold": 0,
        "hot__handle_unknown": "infrequent_if_exist",
        "hot__min_frequency": 0.05,
        "hot__sparse_output": False,
        "few__max_categories": 3,
        "few__drop": "if_binary",
        "few__handle_unknown": "ignore",
        "few__sparse_output": False,
        "const__strategy": "constant",
        "const__fill_value": -1.5,
        "scale__feature_range": [-1, 2],
        "scale__clip": True,
    },
    "constant_strings_onehot_first": {
        "transformers": [["cat", "pipeline.Pipeline", CATEGORICAL]],
        "remainder": "preprocessing.MinMaxScaler",
        "sparse_threshold": 0,
        "cat__steps": [["imp", "impute.SimpleImputer"], ["onehot", "preprocessing.OneHotEncoder"]],
        "cat__imp__strategy": "constant",
        "cat__onehot__drop": "first",
        "cat__onehot__handle_unknown": "ignore",
        "cat__onehot__sparse_output": False,
    },
}
CLASSIFIERS = {
    "logistic_regression": ("linear_model.LogisticRegression", {"max_iter": 1000}),
    "random_forest": ("ensemble.RandomForestClassifier",
                      {"n_estimators": 10, "max_depth": 6, "random_state": 0}),
}


def specs():
    """Every configuration as the spec file `mlpersist fit --spec` takes."""
    out = {name: {"type": "compose.ColumnTransformer", "params": params}
           for name, params in CONFIGS.items()}
    for name, (tag, params) in CLASSIFIERS.items():
        pipeline = {"steps": [["ct", "compose.ColumnTransformer"], ["clf", tag]]}
        pipeline.update({"ct__" + k: v
                         for k, v in CONFIGS["median_minmax_mostfrequent_onehot"].items()})
        pipeline.update({"clf__" + k: v for k, v in params.items()})
        out[name] = {"type": "pipeline.Pipeline", "params": pipeline}
    return out


def fitted_attributes(ct):
    out = {}
    for name, trans, columns in ct.transformers_:
        steps = trans.steps if isinstance(trans, Pipeline) else [(None, trans)]
        for step, est in steps:
            if isinstance(est, str):
                continue
            key = name if step is None else name + "." + step
            entry = {"type": type(est).__name__}
            if hasattr(est, "statistics_"):
                entry["statistics_"] = as_json(list(est.statistics_))
            if hasattr(est, "categories_"):
                entry["categories_"] = categories(est)
            if getattr(est, "drop_idx_", None) is not None:
                entry["drop_idx_"] = as_json([None if d is None else int(d)
                                              for d in est.drop_idx_])
            if getattr(est, "infrequent_categories_", None) is not None:
                entry["infrequent_categories_"] = [None if c is None else as_json(list(c))
                                                   for c in est.infrequent_categories_]
            for attr in ["data_min_", "data_max_", "scale_", "min_"]:
                if hasattr(est, attr):
                    entry[attr] = as_json(getattr(est, attr))
            out[key] = entry
    return out


def integer_columns():
    rng = np.random.RandomState(7)
    n = 40
    floors = rng.randint(1, 4, n).astype(float)
    floors[5] = np.nan
    df = pd.DataFrame({"seats": rng.randint(-2, 5, n), "floors": floors,
                       "score": rng.randint(0, 3, n).astype(float),
                       "plan": rng.choice(["basic", "plus"], n)})
    csv_path = os.path.join(HERE, "integer_columns.csv")
    df.to_csv(csv_path, index=False, lineterminator="\n", float_format="%.1f")
    df = pd.read_csv(csv_path)
    encoder = OneHotEncoder(sparse_output=False)
    out = {"dtypes": [str(t) for t in df.dtypes],
           "transform": matrix(encoder.fit_transform(df)),
           "feature_names_out": list(encoder.get_feature_names_out())}
    with open(os.path.join(HERE, "references", "integer_columns.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


def cross_validation_scores(X, y, all_specs):
    """cross_val_score(model, X, y, cv=5) of the classifier pipelines on the whole table."""
    from sklearn.model_selection import cross_val_score
    out = {"cv": 5, "scoring": "accuracy", "scores": {}}
    for name in CLASSIFIERS:
        model = build(all_specs[name]["type"], all_specs[name]["params"])
        out["scores"][name] = as_json(list(cross_val_score(model, X, y, cv=5)))
    with open(os.path.join(HERE, "references", "churn__cv.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


def main():
    csv_path = os.path.join(HERE, "churn.csv")
    make_table().to_csv(csv_path, index=False, lineterminator="\n")
    df = pd.read_csv(csv_path)
    X, y = df.drop(columns="churn"), df["churn"]
    X_train, X_test, y_train = X.iloc[:N_TRAIN], X.iloc[N_TRAIN:], y.iloc[:N_TRAIN]
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "pandas": pd.__version__,
           "data": "churn.csv", "train_rows": N_TRAIN, "transformers": {}, "classifiers": {}}
    all_specs = specs()
    os.makedirs(os.path.join(HERE, "specs"), exist_ok=True)
    for name, spec in all_specs.items():
        with open(os.path.join(HERE, "specs", "churn__" + name + ".json"), "w") as f:
            json.dump(spec, f, indent=1, ensure_ascii=False)
            f.write("\n")
    for name in CONFIGS:
        ct = build(all_specs[name]["type"], all_specs[name]["params"])
        train = ct.fit_transform(X_train, y_train)
        out["transformers"][name] = {
            "feature_names_out": list(ct.get_feature_names_out()),
            "fitted": fitted_attributes(ct),
            "transform_train": matrix(train),
            "transform_test": matrix(ct.transform(X_test)),
        }
    for name in CLASSIFIERS:
        model = build(all_specs[name]["type"], all_specs[name]["params"])
        model.fit(X_train, y_train)
        out["classifiers"][name] = {
            "classes_": list(model.classes_),
            "predict_test": list(model.predict(X_test)),
            "predict_proba_test": matrix(model.predict_proba(X_test)),
        }
    with open(os.path.join(HERE, "references", "churn__tables.json"), "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    integer_columns()
    cross_validation_scores(X, y, all_specs)


if __name__ == "__main__":
    main()
