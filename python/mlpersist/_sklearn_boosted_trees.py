"""Table entries for regression trees, regression forests, ExtraTrees and GradientBoosting.

The C++ documents (estimators/tree, estimators/ensemble) hold scikit-learn's tree arrays; a
regression tree's `value` is one number per node (scikit-learn's value[:, 0, 0]). Gradient
boosting keeps its init estimator's fitted prior under init_ (constant_ of a DummyRegressor,
class_prior_ of a DummyClassifier) and its stages as estimators_[stage][k].
"""

import numpy as np

from ._core import UsageError
from ._sklearn_trees import (_fitted_tree, _growth_params, _resolve_max_features, _tree_in,
                             _tree_nodes_out, _tree_to_document)
from ._sklearn_types import _F64, Entry, _classes_in, _classes_out, _f64, _own, _plain

_GROWTH = ("criterion", "max_depth", "min_samples_split", "min_samples_leaf", "max_features")
_FOREST = ("n_estimators",) + _GROWTH + ("bootstrap", "n_jobs", "random_state")
_BOOSTING = ("loss", "learning_rate", "n_estimators", "subsample", "criterion",
             "min_samples_split", "min_samples_leaf", "max_depth", "random_state",
             "max_features", "alpha", "validation_fraction", "n_iter_no_change", "tol")


def _max_features(value, regression):
    # 'auto' (deprecated in 1.2): every feature for regressors, sqrt for classifiers.
    if value == "auto":
        return 1.0 if regression else "sqrt"
    return value


def _params(cls, given, keys, regression):
    plain = {k: v for k, v in given.items() if k != "max_features"}
    plain["max_features"] = None
    out = _growth_params(cls, plain, keys)
    if "max_features" in keys:
        out["max_features"] = _plain(_max_features(given["max_features"], regression), cls,
                                     "max_features")
    return out


def _dtr_params(est, given):
    return _params("DecisionTreeRegressor", given,
                   ("criterion", "splitter", "max_depth", "min_samples_split",
                    "min_samples_leaf", "max_features", "random_state"), True)


def _forest_params_for(name, regression):
    def to_params(est, given):
        out = {"n_estimators": int(given["n_estimators"])}
        out.update(_params(name, given, _GROWTH, regression))
        out["bootstrap"] = bool(given["bootstrap"])
        out.update(_params(name, given, ("n_jobs", "random_state"), regression))
        return out
    return to_params


def _boosting_params_for(name, classifier):
    def to_params(est, given):
        keys = tuple(k for k in _BOOSTING if k != "alpha" or not classifier)
        out = _params(name, given, keys, not classifier)
        if out["loss"] == "deviance":  # scikit-learn 1.2's deprecated name of log_loss
            out["loss"] = "log_loss"
        if classifier and out["max_features"] == 1.0 and given["max_features"] == "auto":
            out["max_features"] = "sqrt"
        return out
    return to_params


def _regression_tree_out(tree, who):
    out = _tree_nodes_out(tree, who)
    out["value"] = _f64(np.asarray(tree.value)[:, 0, :])  # (node_count, 1)
    return out


def _regression_tree_in(state, n_features):
    values = _own(np.reshape(state["value"], (int(state["node_count"]), 1, 1)), _F64)
    return _tree_in(state, n_features, 1, values)


def _fitted_regression_tree(est, state, n_features, max_features):
    est.n_features_in_ = n_features
    est.n_outputs_ = 1
    est.max_features_ = max_features
    est.tree_ = _regression_tree_in(state, n_features)
    return est


def _dtr_out(est, extra, extras, path):
    state = {"max_features_": int(est.max_features_)}
    state.update(_regression_tree_out(est.tree_, "DecisionTreeRegressor"))
    return state


def _dtr_in(est, state, doc, extra, extras, path):
    _fitted_regression_tree(est, state, int(doc["n_features_in_"]), int(state["max_features_"]))


def _forest_out(est, extra, extras, path):
    who = type(est).__name__
    if est.n_outputs_ != 1:
        raise UsageError(f"{who}: multi-output forests are not supported")
    extra["tree_random_states"] = [int(t.random_state) for t in est.estimators_]
    state = {}
    if hasattr(est, "classes_"):
        state = {"classes_": _classes_out(est, extra), "n_classes_": int(est.n_classes_)}
        state["estimators_"] = [_tree_to_document(t.tree_, who) for t in est.estimators_]
    else:
        state["estimators_"] = [_regression_tree_out(t.tree_, who) for t in est.estimators_]
    return state


def _forest_in(est, state, doc, extra, extras, path):
    n_features = int(doc["n_features_in_"])
    member_cls = type(est.estimator)
    est.n_outputs_ = 1
    classification = "classes_" in state
    if classification:
        est.classes_ = _classes_in(state["classes_"], extra)
        est.n_classes_ = int(state["n_classes_"])
        indices = np.arange(len(est.classes_), dtype=_F64)
    est._estimator = member_cls()
    seeds = extra.get("tree_random_states")
    members = state["estimators_"]
    if not isinstance(seeds, list) or len(seeds) != len(members):
        seeds = [None] * len(members)
    growth = {k: getattr(est, k) for k in _GROWTH}
    max_features = _resolve_max_features(_max_features(growth["max_features"], not classification),
                                         n_features)
    est.estimators_ = []
    for member, seed in zip(members, seeds):
        tree = member_cls(**growth, random_state=seed if isinstance(seed, int) else None)
        if classification:
            _fitted_tree(tree, member, n_features, indices.copy(), max_features)
        else:
            _fitted_regression_tree(tree, member, n_features, max_features)
        est.estimators_.append(tree)


def _boosting_out(est, extra, extras, path):
    who = type(est).__name__
    if isinstance(est.init_, str) or type(est.init_).__name__ not in ("DummyRegressor",
                                                                      "DummyClassifier"):
        raise UsageError(f"{who}(init={est.init!r}): mlpersist stores the default init only")
    classification = hasattr(est, "classes_")
    state = {}
    if classification:
        state = {"classes_": _classes_out(est, extra), "n_classes_": int(est.n_classes_)}
        state["init_"] = {"class_prior_": _f64(est.init_.class_prior_)}
    else:
        state["init_"] = {"constant_": _f64(np.ravel(est.init_.constant_))}
    state["estimators_"] = [[_regression_tree_out(t.tree_, who) for t in stage]
                            for stage in est.estimators_]
    state["n_estimators_"] = int(est.n_estimators_)
    state["train_score_"] = _f64(est.train_score_)
    if hasattr(est, "oob_improvement_"):
        state["oob_improvement_"] = _f64(est.oob_improvement_)
    state["max_features_"] = int(est.max_features_)
    return state


def _boosting_in(est, state, doc, extra, extras, path):
    from sklearn.tree import DecisionTreeRegressor
    n_features = int(doc["n_features_in_"])
    est.n_features_in_ = n_features
    if "classes_" in state:
        est.classes_ = _classes_in(state["classes_"], extra)
        est._n_classes = est.n_classes_ = int(state["n_classes_"])
    else:
        est._n_classes = 1
    est._check_params()  # scikit-learn's own choice of loss object (and max_features_)
    est.max_features_ = int(state["max_features_"])
    init = est._loss.init_estimator()
    init.n_features_in_ = n_features
    init.n_outputs_ = 1
    if "classes_" in state:
        init.class_prior_ = _own(state["init_"]["class_prior_"], _F64)
        init.classes_ = np.arange(len(init.class_prior_))
        init.n_classes_ = len(init.class_prior_)
        init._strategy = "prior"
        init.sparse_output_ = False
    else:
        init.constant_ = _own(np.reshape(state["init_"]["constant_"], (1, 1)), _F64)
    est.init_ = init
    stages = state["estimators_"]
    est.estimators_ = np.empty((len(stages), len(stages[0]) if stages else 1), dtype=object)
    for i, stage in enumerate(stages):
        for k, member in enumerate(stage):
            tree = DecisionTreeRegressor(criterion=est.criterion, max_depth=est.max_depth,
                                         min_samples_split=est.min_samples_split,
                                         min_samples_leaf=est.min_samples_leaf,
                                         max_features=est.max_features)
            est.estimators_[i, k] = _fitted_regression_tree(tree, member, n_features,
                                                            est.max_features_)
    est.n_estimators_ = int(state["n_estimators_"])
    est.train_score_ = _own(state["train_score_"], _F64)
    if "oob_improvement_" in state:
        est.oob_improvement_ = _own(state["oob_improvement_"], _F64)


def _boosting_entry(name, classifier):
    keys = tuple(k for k in _BOOSTING if k != "alpha" or not classifier)
    return Entry(f"ensemble.{name}", "sklearn.ensemble", name, 1, keys, _boosting_out,
                 _boosting_in, to_params=_boosting_params_for(name, classifier),
                 ignored=("init",))


def _forest_entry(name, classifier):
    return Entry(f"ensemble.{name}", "sklearn.ensemble", name, 1, _FOREST, _forest_out,
                 _forest_in, to_params=_forest_params_for(name, not classifier),
                 ignored=("oob_score",))


ENTRIES = [
    Entry("tree.DecisionTreeRegressor", "sklearn.tree", "DecisionTreeRegressor", 1,
          ("criterion", "splitter", "max_depth", "min_samples_split", "min_samples_leaf",
           "max_features", "random_state"), _dtr_out, _dtr_in, to_params=_dtr_params),
    _forest_entry("RandomForestRegressor", False),
    _forest_entry("ExtraTreesClassifier", True),
    _forest_entry("ExtraTreesRegressor", False),
    _boosting_entry("GradientBoostingClassifier", True),
    _boosting_entry("GradientBoostingRegressor", False),
]
