"""Table entries for HistGradientBoostingClassifier and -Regressor (see _sklearn_types).

The document holds scikit-learn's own fitted arrays: the bin mapper's thresholds (categories for
categorical features) and every TreePredictor's node records and bitsets, field for field, so
that C++ walks scikit-learn's trees and predicts the same numbers.
"""

import numpy as np

from ._core import UsageError
from ._sklearn_types import _F64, _I64, Entry, _classes_in, _classes_out, _f64, _plain

_PARAMS = ("loss", "learning_rate", "max_iter", "max_leaf_nodes", "max_depth",
           "min_samples_leaf", "l2_regularization", "max_bins", "categorical_features",
           "early_stopping", "scoring", "validation_fraction", "n_iter_no_change", "tol",
           "random_state")
_FLOAT_FIELDS = ("value", "num_threshold", "gain")
_FLAG_FIELDS = ("missing_go_to_left", "is_leaf", "is_categorical")
_INT_FIELDS = ("count", "feature_idx", "left", "right", "depth", "bin_threshold", "bitset_idx")
_U8 = np.dtype(np.uint8)


def _params(est, given):
    name = type(est).__name__
    out = {}
    for key in _PARAMS:
        value = given[key]
        if key == "categorical_features" and value is not None:
            value = _categorical_indices(est, value)
        elif key == "random_state" and value is not None and not isinstance(value, (int, np.integer)):
            raise UsageError(f"{name}(random_state={value!r}): mlpersist stores an integer seed "
                             f"or None")
        else:
            value = _plain(value, name, key)
        out[key] = value
    return out


def _categorical_indices(est, value):
    a = np.asarray(value)
    if a.dtype.kind == "b":
        return [int(i) for i in np.flatnonzero(a)]
    if a.dtype.kind in "iu":
        return [int(i) for i in a]
    raise UsageError(f"{type(est).__name__}(categorical_features={value!r}): mlpersist stores "
                     f"column indices or a boolean mask")


def _tree_out(predictor):
    nodes = predictor.nodes
    tree = {}
    for field in _FLOAT_FIELDS + _INT_FIELDS + _FLAG_FIELDS:
        dtype = _F64 if field in _FLOAT_FIELDS else _U8 if field in _FLAG_FIELDS else _I64
        tree[field] = np.ascontiguousarray(nodes[field], dtype=dtype)
    for field in ("binned_left_cat_bitsets", "raw_left_cat_bitsets"):
        tree[field] = np.ascontiguousarray(getattr(predictor, field), dtype=_I64).reshape(-1, 8)
    return {key: tree[key] for key in ("value", "count", "feature_idx", "num_threshold",
                                       "missing_go_to_left", "left", "right", "gain", "depth",
                                       "is_leaf", "bin_threshold", "is_categorical",
                                       "bitset_idx", "binned_left_cat_bitsets",
                                       "raw_left_cat_bitsets")}


def hgb_out(est, extra, extras, path):
    state = {}
    if hasattr(est, "classes_"):
        state["classes_"] = _classes_out(est, extra)
        state["n_classes_"] = len(est.classes_)
    mapper = est._bin_mapper
    state["bin_thresholds_"] = [_f64(t) for t in mapper.bin_thresholds_]
    state["is_categorical_"] = np.ascontiguousarray(mapper.is_categorical_, dtype=_U8)
    state["missing_values_bin_idx_"] = int(mapper.missing_values_bin_idx_)
    state["_baseline_prediction"] = _f64(np.ravel(est._baseline_prediction))
    state["n_trees_per_iteration_"] = int(est.n_trees_per_iteration_)
    state["n_iter_"] = int(est.n_iter_)
    state["do_early_stopping_"] = bool(est.do_early_stopping_)
    state["train_score_"] = _f64(est.train_score_)
    state["validation_score_"] = _f64(est.validation_score_)
    state["_predictors"] = [[_tree_out(p) for p in iteration] for iteration in est._predictors]
    return state


def _tree_in(tree):
    from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
    n = len(tree["value"])
    nodes = np.zeros(n, dtype=PREDICTOR_RECORD_DTYPE)
    for field in _FLOAT_FIELDS + _INT_FIELDS + _FLAG_FIELDS:
        nodes[field] = tree[field]
    bitsets = [np.array(tree[f], dtype=np.uint32).reshape(-1, 8)
               for f in ("binned_left_cat_bitsets", "raw_left_cat_bitsets")]
    return TreePredictor(nodes, bitsets[0], bitsets[1])


def hgb_in(est, state, doc, extra, extras, path):
    from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper
    if "classes_" in state:
        est.classes_ = _classes_in(state["classes_"], extra)
    est.n_trees_per_iteration_ = int(state["n_trees_per_iteration_"])
    mapper = _BinMapper(n_bins=int(state["missing_values_bin_idx_"]) + 1)
    mapper.bin_thresholds_ = [np.array(t, dtype=_F64) for t in state["bin_thresholds_"]]
    mapper.is_categorical_ = np.array(state["is_categorical_"], dtype=np.uint8)
    mapper.missing_values_bin_idx_ = int(state["missing_values_bin_idx_"])
    mapper.n_bins_non_missing_ = np.array(
        [len(t) + (0 if c else 1) for t, c in zip(mapper.bin_thresholds_, mapper.is_categorical_)],
        dtype=np.uint32)
    est._bin_mapper = mapper
    est.is_categorical_ = mapper.is_categorical_.astype(bool) if mapper.is_categorical_.any() else None
    est._baseline_prediction = np.array(state["_baseline_prediction"], dtype=_F64).reshape(1, -1)
    est._predictors = [[_tree_in(t) for t in iteration] for iteration in state["_predictors"]]
    est.do_early_stopping_ = bool(state["do_early_stopping_"])
    est.train_score_ = np.array(state["train_score_"], dtype=_F64)
    est.validation_score_ = np.array(state["validation_score_"], dtype=_F64)
    est._n_features = int(doc["n_features_in_"])
    est._loss = est._get_loss(sample_weight=None)


HGB_ENTRIES = [
    Entry("ensemble.HistGradientBoostingClassifier", "sklearn.ensemble",
          "HistGradientBoostingClassifier", 1, _PARAMS, hgb_out, hgb_in, to_params=_params),
    Entry("ensemble.HistGradientBoostingRegressor", "sklearn.ensemble",
          "HistGradientBoostingRegressor", 1, _PARAMS, hgb_out, hgb_in, to_params=_params),
]
