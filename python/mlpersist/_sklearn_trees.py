"""Table entries for tree models and Pipeline (see _sklearn_types).

scikit-learn 1.2 keeps weighted class counts in ``tree_.value``; the C++ schema (2) keeps the
class fractions of each node. Counts become fractions with the very division scikit-learn's
predict_proba performs, so C++ probabilities equal scikit-learn's bit for bit; fractions become
counts again by multiplying by the node's weighted sample count (rounded when the weights are
whole numbers, as they are without sample weights, which makes the round trip exact).
"""

import numpy as np

from ._core import UsageError
from ._sklearn_types import _F64, _classes_in, _classes_out, _f64, _i64, _plain, entry_for

_TREE_FIELDS = ("children_left", "children_right", "feature", "threshold", "impurity",
                "n_node_samples", "weighted_n_node_samples")
_INT_FIELDS = {"children_left", "children_right", "feature", "n_node_samples"}


def _growth_params(cls, given, keys):
    out = {}
    for key in keys:
        value = given[key]
        if key == "max_features" and value == "auto":  # deprecated alias, 'sqrt' for classifiers
            value = "sqrt"
        if key in ("min_samples_split", "min_samples_leaf") and not isinstance(value, (int, np.integer)):
            raise UsageError(f"{cls}({key}={value!r}): mlpersist stores an integer count")
        if key == "random_state" and value is not None and not isinstance(value, (int, np.integer)):
            raise UsageError(f"{cls}(random_state={value!r}): mlpersist stores an integer seed "
                             f"or None")
        out[key] = _plain(value, cls, key)
    return out


def tree_params(est, given):
    return _growth_params("DecisionTreeClassifier", given,
                          ("criterion", "max_depth", "min_samples_split", "min_samples_leaf",
                           "max_features", "random_state"))


def forest_params(est, given):
    out = {"n_estimators": int(given["n_estimators"])}
    out.update(_growth_params("RandomForestClassifier", given,
                              ("criterion", "max_depth", "min_samples_split", "min_samples_leaf",
                               "max_features")))
    out["bootstrap"] = bool(given["bootstrap"])
    out.update(_growth_params("RandomForestClassifier", given, ("n_jobs", "random_state")))
    return out


def _tree_nodes_out(tree, who):
    """The node arrays every tree document holds (classification and regression alike)."""
    if tree.n_outputs != 1:
        raise UsageError(f"{who}: multi-output trees are not supported")
    out = {"node_count": int(tree.node_count), "max_depth": int(tree.max_depth)}
    for key in _TREE_FIELDS:
        out[key] = _i64(getattr(tree, key)) if key in _INT_FIELDS else _f64(getattr(tree, key))
    return out


def _tree_in(state, n_features, n_classes, values):
    """scikit-learn's Tree from a document's node arrays and `values` (node_count, 1, n_classes)."""
    from sklearn.tree._tree import NODE_DTYPE, Tree
    n = int(state["node_count"])
    nodes = np.zeros(n, dtype=NODE_DTYPE)
    nodes["left_child"] = state["children_left"]
    nodes["right_child"] = state["children_right"]
    for key in ("feature", "threshold", "impurity", "n_node_samples", "weighted_n_node_samples"):
        nodes[key] = state[key]
    tree = Tree(n_features, np.array([n_classes], dtype=np.intp), 1)
    # The node arrays as Tree's own __setstate__ takes them: plain arrays built above, no pickle.
    tree.__setstate__({"max_depth": int(state["max_depth"]), "node_count": n, "nodes": nodes,
                       "values": values})
    return tree


def _tree_to_document(tree, who):
    out = _tree_nodes_out(tree, who)
    counts = np.asarray(tree.value)[:, 0, :]
    sums = counts.sum(axis=1)
    sums[sums == 0] = 1  # an empty node keeps all-zero fractions, as predict_proba does
    out["value"] = np.ascontiguousarray(counts / sums[:, None], dtype=_F64)
    return out


def _tree_from_document(state, n_features, n_classes):
    weights = np.asarray(state["weighted_n_node_samples"], dtype=_F64)
    counts = np.asarray(state["value"], dtype=_F64) * weights[:, None]
    if np.array_equal(weights, np.rint(weights)):
        counts = np.rint(counts)
    values = np.ascontiguousarray(counts.reshape(int(state["node_count"]), 1, n_classes))
    return _tree_in(state, n_features, n_classes, values)


def tree_out(est, extra, extras, path):
    if est.n_outputs_ != 1:
        raise UsageError("DecisionTreeClassifier: multi-output trees are not supported")
    state = {"classes_": _classes_out(est, extra), "n_classes_": int(est.n_classes_),
             "max_features_": int(est.max_features_)}
    state.update(_tree_to_document(est.tree_, "DecisionTreeClassifier"))
    return state


def _fitted_tree(est, state, n_features, classes, max_features):
    est.n_features_in_ = n_features
    est.n_outputs_ = 1
    est.classes_ = classes
    est.n_classes_ = np.intp(len(classes))
    est.max_features_ = max_features
    est.tree_ = _tree_from_document(state, n_features, len(classes))


def tree_in(est, state, doc, extra, extras, path):
    classes = _classes_in(state["classes_"], extra)
    _fitted_tree(est, state, int(doc["n_features_in_"]), classes, int(state["max_features_"]))


def _resolve_max_features(value, n_features):
    if value is None:
        return n_features
    if value == "sqrt":
        return max(1, int(np.sqrt(n_features)))
    if value == "log2":
        return max(1, int(np.log2(n_features)))
    if isinstance(value, float):
        return max(1, int(value * n_features))
    return int(value)


def forest_out(est, extra, extras, path):
    if est.n_outputs_ != 1:
        raise UsageError("RandomForestClassifier: multi-output forests are not supported")
    extra["tree_random_states"] = [int(t.random_state) for t in est.estimators_]
    return {"classes_": _classes_out(est, extra), "n_classes_": int(est.n_classes_),
            "estimators_": [_tree_to_document(t.tree_, "RandomForestClassifier")
                            for t in est.estimators_]}


def forest_in(est, state, doc, extra, extras, path):
    from sklearn.tree import DecisionTreeClassifier
    n_features = int(doc["n_features_in_"])
    est.classes_ = _classes_in(state["classes_"], extra)
    est.n_classes_ = int(state["n_classes_"])
    est.n_outputs_ = 1
    est._estimator = DecisionTreeClassifier()
    seeds = extra.get("tree_random_states")
    members = state["estimators_"]
    if not isinstance(seeds, list) or len(seeds) != len(members):
        seeds = [None] * len(members)
    growth = {k: getattr(est, k) for k in ("criterion", "max_depth", "min_samples_split",
                                           "min_samples_leaf", "max_features")}
    # Each tree predicts class indices (the forest encodes y), as in scikit-learn's fit.
    indices = np.arange(len(est.classes_), dtype=_F64)
    est.estimators_ = []
    for member, seed in zip(members, seeds):
        tree = DecisionTreeClassifier(**growth, random_state=seed if isinstance(seed, int) else None)
        max_features = _resolve_max_features(growth["max_features"], n_features)
        _fitted_tree(tree, member, n_features, indices.copy(), max_features)
        est.estimators_.append(tree)


def pipeline_params(est, given):
    params = {"steps": []}
    for name, step in _steps(est):
        params["steps"].append([name, entry_for(step).tag])
    for name, step in _steps(est):
        for key, value in entry_for(step).params_to_document(step).items():
            params[f"{name}__{key}"] = value
    return params


def _steps(est):
    for name, step in est.steps:
        if step is None or isinstance(step, str):
            raise UsageError(f"Pipeline step {name!r} is {step!r}; mlpersist stores estimators "
                             f"only")
        yield name, step


def pipeline_out(est, extra, extras, path):
    from .sklearn import to_document
    return {"steps": [{"name": name,
                       "estimator": to_document(step, extras, f"{path}/steps/{i}")}
                      for i, (name, step) in enumerate(_steps(est))]}


def pipeline_build(params):
    return {"steps": []}  # the steps come from the state, each built by its own entry


def pipeline_in(est, state, doc, extra, extras, path):
    from .sklearn import from_document
    est.steps = [(step["name"], from_document(step["estimator"], extras, f"{path}/steps/{i}"))
                 for i, step in enumerate(state["steps"])]
