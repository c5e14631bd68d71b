"""Bridge entries for the mixed-table types of issue 14: SimpleImputer, MinMaxScaler,
OneHotEncoder, OrdinalEncoder and ColumnTransformer, and the column types and string class
labels that the documents of any estimator may carry (`feature_types_in_`, `class_labels_`).

A category list is a float64 array for a number column (NaN last for missing) and a list of
strings for a string column (None last for missing), as the C++ plugins write them.
"""

import numpy as np

from ._core import UsageError

_F64 = np.dtype(np.float64)


def _is_nan(v):
    return isinstance(v, (float, np.floating)) and v != v


def _strings(values):
    return values.dtype.kind in "OUS"


def categories_out(cats):
    cats = np.asarray(cats)
    if not _strings(cats):
        return np.ascontiguousarray(cats, dtype=_F64)
    out = []
    for v in cats:
        if v is None or _is_nan(v):
            out.append(None)
        elif isinstance(v, str):
            out.append(v)
        else:
            raise UsageError(f"category {v!r}: mlpersist stores string or number categories")
    return out


def categories_in(value):
    if isinstance(value, np.ndarray):
        return np.array(value, dtype=_F64, copy=True)
    return np.array([np.nan if v is None else v for v in value], dtype=object)


def column_types(cats_list):
    return ["string" if _strings(np.asarray(c)) else "number" for c in cats_list]


# --- MinMaxScaler ----------------------------------------------------------------------------

def minmax_params(est, given):
    low, high = given["feature_range"]
    return {"feature_range": [float(low), float(high)], "clip": bool(given["clip"])}


def minmax_build(params):
    return dict(params, feature_range=tuple(params["feature_range"]))


def minmax_out(est, extra, extras, path):
    return {"min_": est.min_.astype(_F64), "scale_": est.scale_.astype(_F64),
            "data_min_": est.data_min_.astype(_F64), "data_max_": est.data_max_.astype(_F64),
            "data_range_": est.data_range_.astype(_F64),
            "n_samples_seen_": int(est.n_samples_seen_)}


def minmax_in(est, state, doc, extra, extras, path):
    for key in ("min_", "scale_", "data_min_", "data_max_", "data_range_"):
        setattr(est, key, np.array(state[key], dtype=_F64, copy=True))
    est.n_samples_seen_ = int(state["n_samples_seen_"])


# --- encoders --------------------------------------------------------------------------------

def _categories_param(value, cls):
    if isinstance(value, str):
        return value
    return [[None if (v is None or _is_nan(v)) and isinstance(v, (str, type(None))) else
             (float(v) if isinstance(v, (int, float, np.integer, np.floating)) else v)
             for v in c] for c in value]


def _check_dtype(given, cls):
    if np.dtype(given["dtype"]) != _F64:
        raise UsageError(f"{cls}(dtype={given['dtype']!r}): mlpersist encodes as float64")


def onehot_params(est, given):
    _check_dtype(given, "OneHotEncoder")
    drop = given["drop"]
    if drop is not None and not isinstance(drop, str):
        raise UsageError("OneHotEncoder(drop=<array>): mlpersist supports None, 'first' and "
                         "'if_binary'")
    if given["sparse"] != "deprecated":
        raise UsageError("OneHotEncoder(sparse=...): use sparse_output (scikit-learn 1.2)")
    freq = given["min_frequency"]
    return {"categories": _categories_param(given["categories"], "OneHotEncoder"),
            "drop": drop, "sparse_output": bool(given["sparse_output"]),
            "handle_unknown": given["handle_unknown"],
            "min_frequency": None if freq is None else (int(freq) if isinstance(
                freq, (int, np.integer)) else float(freq)),
            "max_categories": None if given["max_categories"] is None else int(
                given["max_categories"])}


def onehot_out(est, extra, extras, path):
    state = {"categories_": [categories_out(c) for c in est.categories_],
             "drop_idx_": None if est.drop_idx_ is None else
             [None if d is None else int(d) for d in est.drop_idx_]}
    if est._infrequent_enabled:
        state["infrequent_categories_"] = [None if c is None else categories_out(c)
                                           for c in est.infrequent_categories_]
    # An int64 column's categories (named "x_1", not "x_1.0"): schema 2's integer_columns_.
    integer = [j for j, c in enumerate(est.categories_) if np.asarray(c).dtype.kind in "iu"]
    if integer:
        state["integer_columns_"] = integer
    return state


def _position(cats, value):
    for i, c in enumerate(cats):
        if (_is_nan(c) or c is None) and (value is None or _is_nan(value)):
            return i
        if c == value:
            return i
    raise UsageError(f"infrequent category {value!r} is not among the categories")


def onehot_in(est, state, doc, extra, extras, path):
    est.categories_ = [categories_in(c) for c in state["categories_"]]
    for j in state.get("integer_columns_", []):
        est.categories_[j] = est.categories_[j].astype(np.int64)
    est._check_infrequent_enabled()
    if est._infrequent_enabled:
        est._infrequent_indices = []
        est._default_to_infrequent_mappings = []
        for cats, rare in zip(est.categories_, state["infrequent_categories_"]):
            if rare is None:
                est._infrequent_indices.append(None)
                est._default_to_infrequent_mappings.append(None)
                continue
            idx = np.array(sorted(_position(cats, v) for v in categories_in(rare)),
                           dtype=np.int64)
            mapping = np.empty(len(cats), dtype=np.int64)
            frequent = np.setdiff1d(np.arange(len(cats)), idx)
            mapping[idx] = len(frequent)
            mapping[frequent] = np.arange(len(frequent))
            est._infrequent_indices.append(idx)
            est._default_to_infrequent_mappings.append(mapping)
    drop = state["drop_idx_"]
    est.drop_idx_ = None if drop is None else np.array(drop, dtype=object)
    est._n_features_outs = est._compute_n_features_outs()


def ordinal_params(est, given):
    _check_dtype(given, "OrdinalEncoder")

    def number(v):
        return v if v is None else (float(v) if _is_nan(v) else int(v))
    return {"categories": _categories_param(given["categories"], "OrdinalEncoder"),
            "handle_unknown": given["handle_unknown"],
            "unknown_value": number(given["unknown_value"]),
            "encoded_missing_value": number(given["encoded_missing_value"])}


def ordinal_out(est, extra, extras, path):
    return {"categories_": [categories_out(c) for c in est.categories_]}


def ordinal_in(est, state, doc, extra, extras, path):
    est.categories_ = [categories_in(c) for c in state["categories_"]]
    est._missing_indices = {}
    for i, cats in enumerate(est.categories_):
        for j, c in enumerate(cats):
            if _is_nan(c) or c is None:
                est._missing_indices[i] = j
    est._infrequent_enabled = False


# --- SimpleImputer ---------------------------------------------------------------------------

def imputer_params(est, given):
    if not _is_nan(given["missing_values"]):
        raise UsageError(f"SimpleImputer(missing_values={given['missing_values']!r}): mlpersist "
                         f"imputes NaN (and missing strings) only")
    fill = given["fill_value"]
    if isinstance(fill, (np.integer, np.floating)):
        fill = fill.item()
    return {"missing_values": float("nan"), "strategy": given["strategy"], "fill_value": fill,
            "copy": bool(given["copy"]), "add_indicator": bool(given["add_indicator"]),
            "keep_empty_features": bool(given["keep_empty_features"])}


def imputer_out(est, extra, extras, path):
    stats = est.statistics_
    state = {"statistics_": categories_out(stats) if stats.dtype.kind == "O" else
             np.ascontiguousarray(stats, dtype=_F64)}
    state["indicator_"] = None if est.indicator_ is None else {
        "features_": [int(f) for f in est.indicator_.features_]}
    return state


def imputer_in(est, state, doc, extra, extras, path):
    from sklearn.impute import MissingIndicator
    stats = state["statistics_"]
    est.statistics_ = categories_in(stats)
    est._fit_dtype = est.statistics_.dtype
    n = int(doc["n_features_in_"])
    est.indicator_ = None
    if state["indicator_"] is not None:
        ind = MissingIndicator(missing_values=np.nan, error_on_new=False)
        ind.features_ = np.array(state["indicator_"]["features_"], dtype=np.int64)
        ind._n_features, ind._precomputed, ind.n_features_in_ = n, True, n
        est.indicator_ = ind


def imputer_types(est):
    return ["string" if est.statistics_.dtype.kind == "O" else "number"] * est.n_features_in_


# --- ColumnTransformer -----------------------------------------------------------------------

def _kind(trans, entry_for):
    return trans if isinstance(trans, str) else entry_for(trans).tag


def column_transformer_params(est, given):
    from ._sklearn_types import entry_for
    if given["transformer_weights"] is not None:
        raise UsageError("ColumnTransformer(transformer_weights=...): not supported")
    params = {"transformers": [], "remainder": _kind(given["remainder"], entry_for),
              "sparse_threshold": float(given["sparse_threshold"]), "n_jobs": given["n_jobs"],
              "transformer_weights": None, "verbose": bool(given["verbose"]),
              "verbose_feature_names_out": bool(given["verbose_feature_names_out"])}
    nested = []
    for name, trans, columns in given["transformers"]:
        if np.isscalar(columns) or callable(columns) or isinstance(columns, slice):
            raise UsageError(f"ColumnTransformer transformer {name!r}: mlpersist selects columns "
                             f"by a list of names or indices")
        cols = [c if isinstance(c, str) else int(c) for c in columns]
        params["transformers"].append([name, _kind(trans, entry_for), cols])
        if not isinstance(trans, str):
            nested.append((name, trans))
    if not isinstance(given["remainder"], str):
        nested.append(("remainder", given["remainder"]))
    for name, trans in nested:
        for key, value in entry_for(trans).params_to_document(trans).items():
            params[f"{name}__{key}"] = value
    return params


def column_transformer_build(params):
    # The transformers come from the state, each built by its own entry.
    return {"transformers": [], "remainder": "drop"}


def column_transformer_out(est, extra, extras, path):
    from .sklearn import to_document
    entries = []
    for i, (name, trans, _) in enumerate(est.transformers_):
        indices = [int(j) for j in est._transformer_to_input_indices[name]]
        kind = trans if isinstance(trans, str) else None
        doc = None
        if kind is None:
            from ._sklearn_types import entry_for
            kind = entry_for(trans).tag
            doc = (to_document(trans, extras, f"{path}/transformers_/{i}") if indices else
                   _unfitted_document(trans))
        entries.append({"name": name, "kind": kind, "columns": indices, "estimator": doc})
    return {"transformers_": entries}


def _unfitted_document(trans):
    from ._sklearn_types import entry_for
    entry = entry_for(trans)
    doc = {"type": entry.tag, "schema_version": entry.schema_version}
    if entry.min_reader_version is not None:
        doc["min_reader_version"] = entry.min_reader_version
    doc["params"] = entry.params_to_document(trans)
    doc["state"] = None
    return doc


def column_transformer_in(est, state, doc, extra, extras, path):
    from .sklearn import from_document
    from ._sklearn_types import TABLE
    params = doc["params"]
    fitted, indices = [], {}
    for i, entry in enumerate(state["transformers_"]):
        name, kind = entry["name"], entry["kind"]
        if entry["estimator"] is None:
            trans = kind
        elif entry["estimator"]["state"] is None:
            nested = entry["estimator"]
            trans = TABLE[nested["type"]].build(nested["params"])
        else:
            trans = from_document(entry["estimator"], extras, f"{path}/transformers_/{i}")
        fitted.append((name, trans, list(entry["columns"])))
        indices[name] = list(entry["columns"])
    given = {name: columns for name, _, columns in params["transformers"]}
    est.transformers = [(name, trans, given[name]) for name, trans, _ in fitted
                        if name != "remainder"]
    est.transformers_ = [(name, trans, given.get(name, cols)) for name, trans, cols in fitted]
    remainder = [t for n, t, _ in fitted if n == "remainder"]
    est.remainder = remainder[0] if remainder else params["remainder"]
    if not remainder and est.remainder not in ("drop", "passthrough"):  # no column was left
        nested = {k[len("remainder__"):]: v for k, v in params.items()
                  if k.startswith("remainder__")}
        est.remainder = TABLE[est.remainder].build(nested)
    for key in ("sparse_threshold", "n_jobs", "verbose", "verbose_feature_names_out"):
        setattr(est, key, params[key])
    n = int(doc["n_features_in_"])
    est._n_features = n
    used = set(j for name, cols in indices.items() if name != "remainder" for j in cols)
    est._remainder = ("remainder", est.remainder, [j for j in range(n) if j not in used])
    indices.setdefault("remainder", est._remainder[2])
    est._transformer_to_input_indices = indices
    est._columns = [columns for _, _, columns in est.transformers]
    est._name_to_fitted_passthrough = {}
    est.sparse_output_ = False


def column_transformer_types(est, types_of):
    out = ["number"] * est.n_features_in_
    for name, trans, _ in est.transformers_:
        if isinstance(trans, str):
            continue
        cols = est._transformer_to_input_indices[name]
        for j, t in zip(cols, types_of(trans) or ["number"] * len(cols)):
            out[j] = t
    return out


def ENTRIES(Entry):  # noqa: N802  (called once by _sklearn_types with its Entry class)
    return [
        Entry("preprocessing.MinMaxScaler", "sklearn.preprocessing", "MinMaxScaler", 1,
              ("feature_range", "clip"), minmax_out, minmax_in, to_params=minmax_params,
              from_params=minmax_build),
        Entry("preprocessing.OneHotEncoder", "sklearn.preprocessing", "OneHotEncoder", 2,
              ("categories", "drop", "sparse_output", "handle_unknown", "min_frequency",
               "max_categories"), onehot_out, onehot_in, to_params=onehot_params,
              ignored=("dtype", "sparse"), min_reader_version=1),
        Entry("preprocessing.OrdinalEncoder", "sklearn.preprocessing", "OrdinalEncoder", 1,
              ("categories", "handle_unknown", "unknown_value", "encoded_missing_value"),
              ordinal_out, ordinal_in, to_params=ordinal_params, ignored=("dtype",)),
        Entry("impute.SimpleImputer", "sklearn.impute", "SimpleImputer", 1,
              ("missing_values", "strategy", "fill_value", "copy", "add_indicator",
               "keep_empty_features"), imputer_out, imputer_in, to_params=imputer_params),
        Entry("compose.ColumnTransformer", "sklearn.compose", "ColumnTransformer", 1,
              ("transformers", "remainder", "sparse_threshold", "n_jobs", "transformer_weights",
               "verbose", "verbose_feature_names_out"), column_transformer_out,
              column_transformer_in, to_params=column_transformer_params,
              from_params=column_transformer_build),
    ]
