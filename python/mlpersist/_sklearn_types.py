"""The fixed table of scikit-learn classes that mlpersist.sklearn converts.

Each entry names its type tag, the scikit-learn class, the schema version whose layout it
writes and reads (the C++ plugin's: estimators/<family>/), and four functions: parameters and
fitted state to the document, and back. Adding a type is adding an entry. Modules are imported
by the names written here, never by a name read from a file.
"""

import functools
import importlib
import inspect

import numpy as np

from ._core import UsageError

_F64, _I64, _I32 = np.dtype(np.float64), np.dtype(np.int64), np.dtype(np.int32)
# Parameters that only say how to compute, not what the fitted model computes.
_RUNTIME = {"verbose", "n_jobs", "copy", "copy_X", "copy_x", "cache_size", "warm_start"}


class Entry:
    def __init__(self, tag, module, name, schema_version, params, to_state, from_state, *,
                 ignored=(), min_reader_version=None, to_params=None, from_params=None):
        self.tag, self.module, self.name = tag, module, name
        self.schema_version, self.min_reader_version = schema_version, min_reader_version
        self.params = params  # the C++ plugin's parameter names, in its order
        self.ignored = set(ignored) | _RUNTIME
        self.state_to_document_fn, self.state_from_document_fn = to_state, from_state
        self.to_params, self.from_params = to_params, from_params
        self._cls = None

    @property
    def cls(self):
        if self._cls is None:
            self._cls = getattr(importlib.import_module(self.module), self.name)
        return self._cls

    def params_to_document(self, est):
        defaults = _defaults(self.cls)
        # What get_params(deep=False) returns, without its per-call signature inspection.
        given = {key: getattr(est, key) for key in defaults}
        for key, value in given.items():
            if key in self.params or key in self.ignored:
                continue
            if not _same(value, defaults[key]):
                raise UsageError(
                    f"{self.name}({key}={value!r}) cannot be represented by mlpersist's "
                    f"{self.tag}; supported parameters: {', '.join(self.params)} (others must "
                    f"keep their defaults)")
        if self.to_params is not None:
            return self.to_params(est, given)
        return {key: _plain(given[key], self.name, key) for key in self.params}

    def build(self, params):
        kwargs = self.from_params(params) if self.from_params else dict(params)
        return self.cls(**kwargs)

    def state_to_document(self, est, extra, extras, path):
        return self.state_to_document_fn(est, extra, extras, path)

    def state_from_document(self, est, doc, extra, extras, path):
        self.state_from_document_fn(est, doc["state"], doc, extra, extras, path)


@functools.lru_cache(maxsize=None)
def _defaults(cls):
    """The constructor's parameters and their defaults, as scikit-learn's get_params finds
    them (the table's classes only, so the cache stays small)."""
    return {name: p.default for name, p in inspect.signature(cls).parameters.items()
            if name != "self" and p.kind != p.VAR_KEYWORD}


def _same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (a != a and b != b)
    try:
        return type(a) is type(b) and bool(a == b)
    except (TypeError, ValueError):
        return False


def _plain(value, cls, key):
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    raise UsageError(f"{cls}({key}={value!r}): mlpersist stores numbers, strings, booleans and "
                     f"None as parameters, not {type(value).__name__}")


def feature_name(name):
    if not isinstance(name, str):
        raise UsageError(f"feature names must be strings, not {type(name).__name__}")
    return name


def check_fitted(est, entry):
    if entry.tag == "pipeline.Pipeline":
        return
    if not hasattr(est, "n_features_in_"):
        raise UsageError(f"{entry.name} is not fitted; fit it before saving")


def entry_for(est):
    # The exact class: a subclass may change what the model computes.
    for entry in TABLE.values():
        if type(est) is entry.cls:
            return entry
    cls = type(est)
    raise UsageError(f"{cls.__module__}.{cls.__qualname__} is not supported by "
                     f"mlpersist.sklearn; supported: "
                     f"{', '.join(e.module + '.' + e.name for e in TABLE.values())}")


# --- arrays --------------------------------------------------------------------------------

def _f64(a):
    return np.ascontiguousarray(a, dtype=_F64)


def _i64(a):
    return np.ascontiguousarray(a, dtype=_I64)


def _own(a, dtype=None):
    """A writable copy: scikit-learn's compiled code refuses read-only buffers."""
    return np.array(a, dtype=dtype, copy=True)


def _classes_out(est, extra):
    classes = np.asarray(est.classes_)
    if classes.ndim == 1 and classes.dtype.kind in "OU":
        # String labels: the document's class_labels_ (to_document moves them there), and the
        # classifier's state holds their indices, as the C++ side fits on them.
        if not all(isinstance(c, str) for c in classes):
            raise UsageError(f"{type(est).__name__}: class labels must all be numbers or all "
                             f"strings")
        extra["class_labels_"] = [str(c) for c in classes]
        extra["classes_dtype"] = classes.dtype.str
        return np.arange(len(classes), dtype=_F64)
    if classes.ndim != 1 or classes.dtype.kind not in "iuf":
        raise UsageError(f"{type(est).__name__}: mlpersist stores numeric or string class "
                         f"labels; classes_ of dtype {classes.dtype} are not supported")
    as_float = classes.astype(_F64)
    if not np.array_equal(as_float.astype(classes.dtype), classes):
        raise UsageError(f"{type(est).__name__}: class labels not exactly representable as "
                         f"float64")
    extra["classes_dtype"] = classes.dtype.str
    return as_float


def _classes_in(classes, extra):
    dtype = extra.get("classes_dtype")
    try:
        dtype = np.dtype(dtype) if isinstance(dtype, str) else _F64
    except TypeError:
        dtype = _F64
    if dtype.kind not in "iuf":
        dtype = _F64
    out = _own(classes, dtype)
    # The recorded dtype is only a hint from the header: it must hold the labels exactly.
    return out if np.array_equal(out.astype(_F64), classes) else _own(classes)


def _scalar(value, dtype=_F64):
    return dtype.type(value)


# --- linear models -------------------------------------------------------------------------

def _check_linear(est):
    if np.ndim(est.coef_) != 1:
        raise UsageError(f"{type(est).__name__}: multi-output (2-D y) models are not supported")


def _linear_out(est, extra, extras, path):
    _check_linear(est)
    state = {"coef_": _f64(est.coef_), "intercept_": float(est.intercept_)}
    if type(est).__name__ == "LinearRegression":
        state["rank_"] = int(est.rank_)
        state["singular_"] = _f64(est.singular_)
    return state


def _linear_in(est, state, doc, extra, extras, path):
    est.coef_ = _own(state["coef_"])
    est.intercept_ = _scalar(state["intercept_"])
    if "rank_" in state:
        est.rank_ = int(state["rank_"])
        est.singular_ = _own(state["singular_"])
    else:
        est.n_iter_ = None


def _logistic_out(est, extra, extras, path):
    return {"classes_": _classes_out(est, extra), "coef_": _f64(est.coef_),
            "intercept_": _f64(est.intercept_), "n_iter_": _i64(est.n_iter_)}


def _logistic_in(est, state, doc, extra, extras, path):
    est.classes_ = _classes_in(state["classes_"], extra)
    est.coef_ = _own(state["coef_"])
    est.intercept_ = _own(state["intercept_"])
    est.n_iter_ = _own(state["n_iter_"], _I32)


# --- SVC -----------------------------------------------------------------------------------

def _svc_out(est, extra, extras, path):
    extra["shape_fit_"] = [int(n) for n in est.shape_fit_]
    return {
        "classes_": _classes_out(est, extra),
        "support_": _i64(est.support_),
        "support_vectors_": _f64(est.support_vectors_),
        "dual_coef_": _f64(est.dual_coef_),
        "intercept_": _f64(est.intercept_),
        "n_support_": _i64(est._n_support),
        "n_iter_": _i64(est.n_iter_),
        "fit_status_": int(est.fit_status_),
        "kernel_": {"kernel": est.kernel, "gamma": float(est._gamma),
                    "degree": int(est.degree), "coef0": float(est.coef0)},
    }


def _svc_in(est, state, doc, extra, extras, path):
    kernel = state["kernel_"]
    # The fitted kernel, as the C++ model uses it (schema 2), whatever the parameters say.
    est.kernel, est.degree, est.coef0 = kernel["kernel"], int(kernel["degree"]), kernel["coef0"]
    est._gamma = float(kernel["gamma"])
    est._sparse = False
    est.classes_ = _classes_in(state["classes_"], extra)
    est.class_weight_ = np.ones(len(est.classes_), dtype=_F64)
    est.support_ = _own(state["support_"], _I32)
    est.support_vectors_ = _own(state["support_vectors_"])
    est._n_support = _own(state["n_support_"], _I32)
    est.dual_coef_ = _own(state["dual_coef_"])
    est.intercept_ = _own(state["intercept_"])
    # libsvm's signs: scikit-learn flips them for two classes (BaseLibSVM.fit).
    sign = -1.0 if len(est.classes_) == 2 else 1.0
    est._dual_coef_ = sign * est.dual_coef_ if sign < 0 else est.dual_coef_
    est._intercept_ = sign * est.intercept_ if sign < 0 else est.intercept_.copy()
    est._probA = np.empty(0, dtype=_F64)
    est._probB = np.empty(0, dtype=_F64)
    est.fit_status_ = int(state["fit_status_"])
    est._num_iter = _own(state["n_iter_"], _I32)
    est.n_iter_ = est._num_iter
    shape = extra.get("shape_fit_")
    n_features = int(doc["n_features_in_"])
    if isinstance(shape, list) and len(shape) == 2 and isinstance(shape[0], int):
        est.shape_fit_ = (shape[0], n_features)
    else:  # written by C++: the training set's size is not recorded
        est.shape_fit_ = (int(np.sum(est._n_support)), n_features)


def _svc_params(params):
    out = dict(params)
    return out


# --- naive Bayes, scaler, PCA, k-means, neighbours -----------------------------------------

def _gnb_out(est, extra, extras, path):
    return {"classes_": _classes_out(est, extra), "theta_": _f64(est.theta_),
            "var_": _f64(est.var_), "class_prior_": _f64(est.class_prior_),
            "class_count_": _f64(est.class_count_), "epsilon_": float(est.epsilon_)}


def _gnb_in(est, state, doc, extra, extras, path):
    est.classes_ = _classes_in(state["classes_"], extra)
    for key in ("theta_", "var_", "class_prior_", "class_count_"):
        setattr(est, key, _own(state[key]))
    est.epsilon_ = float(state["epsilon_"])


def _optional(a):
    return None if a is None else _f64(a)


def _scaler_out(est, extra, extras, path):
    n = np.asarray(est.n_samples_seen_)
    if n.ndim != 0:
        raise UsageError("StandardScaler: per-feature n_samples_seen_ (NaN in X) is not supported")
    return {"mean_": _optional(est.mean_), "var_": _optional(est.var_),
            "scale_": _optional(est.scale_), "n_samples_seen_": int(n)}


def _scaler_in(est, state, doc, extra, extras, path):
    for key in ("mean_", "var_", "scale_"):
        value = state[key]
        setattr(est, key, None if value is None else _own(value))
    est.n_samples_seen_ = _scalar(state["n_samples_seen_"], _I64)


def _pca_check(est, given):
    if given["n_components"] is not None and not isinstance(given["n_components"], (int, np.integer)):
        raise UsageError(f"PCA(n_components={given['n_components']!r}): mlpersist stores a count "
                         f"of components or None")
    return {"n_components": _plain(given["n_components"], "PCA", "n_components"),
            "whiten": bool(given["whiten"])}


def _pca_out(est, extra, extras, path):
    extra["_fit_svd_solver"] = str(est._fit_svd_solver)
    return {"components_": _f64(est.components_),
            "explained_variance_": _f64(est.explained_variance_),
            "explained_variance_ratio_": _f64(est.explained_variance_ratio_),
            "singular_values_": _f64(est.singular_values_), "mean_": _f64(est.mean_),
            "noise_variance_": float(est.noise_variance_),
            "n_components_": int(est.n_components_), "n_samples_": int(est.n_samples_)}


def _pca_in(est, state, doc, extra, extras, path):
    for key in ("components_", "explained_variance_", "explained_variance_ratio_",
                "singular_values_", "mean_"):
        setattr(est, key, _own(state[key]))
    est.noise_variance_ = _scalar(state["noise_variance_"])
    est.n_components_ = int(state["n_components_"])
    est.n_samples_ = int(state["n_samples_"])
    solver = extra.get("_fit_svd_solver")
    est._fit_svd_solver = solver if solver in ("full", "arpack", "randomized") else "full"


def _kmeans_params(est, given):
    n_init = given["n_init"]
    if isinstance(n_init, str):  # scikit-learn 1.2: 'warn' means 10 for k-means++, 'auto' 1
        n_init = 10 if n_init == "warn" else 1
    seed = given["random_state"]
    if seed is not None and not isinstance(seed, (int, np.integer)):
        raise UsageError(f"KMeans(random_state={seed!r}): mlpersist stores an integer seed or None")
    return {"n_clusters": int(given["n_clusters"]), "n_init": int(n_init),
            "max_iter": int(given["max_iter"]), "tol": float(given["tol"]),
            "random_state": None if seed is None else int(seed)}


def _kmeans_out(est, extra, extras, path):
    return {"cluster_centers_": _f64(est.cluster_centers_), "labels_": _i64(est.labels_),
            "inertia_": float(est.inertia_), "n_iter_": int(est.n_iter_)}


def _kmeans_in(est, state, doc, extra, extras, path):
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
    est.cluster_centers_ = _own(state["cluster_centers_"])
    est.labels_ = _own(state["labels_"], _I32)
    est.inertia_ = float(state["inertia_"])
    est.n_iter_ = int(state["n_iter_"])
    est._n_features_out = est.cluster_centers_.shape[0]
    est._n_threads = _openmp_effective_n_threads()
    est._algorithm = "lloyd"


def _knn_params(est, given):
    name = type(est).__name__
    if callable(given["weights"]):
        raise UsageError(f"{name}(weights=<callable>): mlpersist stores 'uniform' or 'distance'")
    if getattr(est, "effective_metric_", "euclidean") != "euclidean" or given["metric_params"]:
        raise UsageError(f"{name}(metric={given['metric']!r}, p={given['p']!r}): "
                         f"mlpersist computes Euclidean distances only")
    return {"n_neighbors": int(given["n_neighbors"]), "weights": given["weights"]}


def _knn_out(est, extra, extras, path):
    if est.outputs_2d_:
        raise UsageError("KNeighborsClassifier: multi-output (2-D y) models are not supported")
    # The search structure scikit-learn chose; a load rebuilds it, as its ties may be broken
    # differently from a brute-force search (whose distances scikit-learn rounds differently).
    extra["_fit_method"] = str(est._fit_method)
    extra["leaf_size"] = int(est.leaf_size)
    extra["algorithm"] = str(est.algorithm)
    # Tensors borrow these arrays: a 256 MB training set is written without a copy.
    return {"classes_": _classes_out(est, extra), "_fit_X": _f64(est._fit_X), "_y": _i64(est._y)}


def _knn_in(est, state, doc, extra, extras, path):
    # The training set stays a read-only view of the mapped file: no copy, however large.
    # The brute-force search is what mlpersist computes; a KD or ball tree would be rebuilt.
    if "classes_" in state:  # a classifier; a KNeighborsRegressor's _y holds the targets
        est.classes_ = _classes_in(state["classes_"], extra)
        est.outputs_2d_ = False
    est._fit_X = state["_fit_X"]
    est._y = state["_y"]
    est.n_samples_fit_ = est._fit_X.shape[0]
    est.effective_metric_ = "euclidean"
    est.effective_metric_params_ = {}
    est._fit_method = "brute"
    est._tree = None
    method = extra.get("_fit_method")
    leaf_size = extra.get("leaf_size")
    if method in ("kd_tree", "ball_tree") and isinstance(leaf_size, int) and leaf_size >= 1:
        from sklearn.neighbors import BallTree, KDTree
        index = KDTree if method == "kd_tree" else BallTree
        est.algorithm, est.leaf_size = extra.get("algorithm", method), extra["leaf_size"]
        if est.algorithm not in ("auto", "kd_tree", "ball_tree"):
            est.algorithm = method
        # The index needs its own writable copy of the training set.
        est._tree = index(_own(est._fit_X), est.leaf_size, metric="euclidean")
        est._fit_method = method


def _knn_build(params):
    return dict(params, algorithm="brute")


from . import _sklearn_tables as _tables  # noqa: E402
from ._sklearn_trees import (  # noqa: E402  (the tree entries need the helpers above)
    forest_in, forest_out, forest_params, tree_in, tree_out, tree_params, pipeline_build,
    pipeline_in, pipeline_out, pipeline_params)

from ._sklearn_hgb import HGB_ENTRIES  # noqa: E402

_TREE_PARAMS = ("criterion", "max_depth", "min_samples_split", "min_samples_leaf",
                "max_features", "random_state")

TABLE = {e.tag: e for e in [
    Entry("svm.SVC", "sklearn.svm", "SVC", 2,
          ("C", "kernel", "degree", "gamma", "coef0", "tol", "shrinking", "max_iter",
           "cache_size", "decision_function_shape"), _svc_out, _svc_in,
          ignored=("random_state",)),
    Entry("linear_model.LinearRegression", "sklearn.linear_model", "LinearRegression", 1,
          ("fit_intercept",), _linear_out, _linear_in),
    Entry("linear_model.Ridge", "sklearn.linear_model", "Ridge", 2, ("alpha", "fit_intercept"),
          _linear_out, _linear_in, min_reader_version=1,
          ignored=("solver", "tol", "max_iter", "random_state")),
    Entry("linear_model.LogisticRegression", "sklearn.linear_model", "LogisticRegression", 1,
          ("tol", "C", "fit_intercept", "max_iter"), _logistic_out, _logistic_in,
          ignored=("random_state",)),
    Entry("naive_bayes.GaussianNB", "sklearn.naive_bayes", "GaussianNB", 1, ("var_smoothing",),
          _gnb_out, _gnb_in),
    Entry("preprocessing.StandardScaler", "sklearn.preprocessing", "StandardScaler", 1,
          ("with_mean", "with_std"), _scaler_out, _scaler_in),
    Entry("decomposition.PCA", "sklearn.decomposition", "PCA", 1, ("n_components", "whiten"),
          _pca_out, _pca_in, to_params=_pca_check,
          ignored=("svd_solver", "tol", "iterated_power", "n_oversamples",
                   "power_iteration_normalizer", "random_state")),
    Entry("cluster.KMeans", "sklearn.cluster", "KMeans", 1,
          ("n_clusters", "n_init", "max_iter", "tol", "random_state"), _kmeans_out, _kmeans_in,
          to_params=_kmeans_params, ignored=("algorithm",)),
    Entry("neighbors.KNeighborsClassifier", "sklearn.neighbors", "KNeighborsClassifier", 1,
          ("n_neighbors", "weights"), _knn_out, _knn_in, to_params=_knn_params,
          from_params=_knn_build, ignored=("algorithm", "leaf_size", "metric", "p")),
    Entry("tree.DecisionTreeClassifier", "sklearn.tree", "DecisionTreeClassifier", 2,
          _TREE_PARAMS, tree_out, tree_in, min_reader_version=2, to_params=tree_params),
    Entry("ensemble.RandomForestClassifier", "sklearn.ensemble", "RandomForestClassifier", 2,
          ("n_estimators",) + _TREE_PARAMS[:5] + ("bootstrap", "n_jobs", "random_state"),
          forest_out, forest_in, min_reader_version=2, to_params=forest_params,
          ignored=("oob_score",)),
    Entry("pipeline.Pipeline", "sklearn.pipeline", "Pipeline", 1, ("steps",), pipeline_out,
          pipeline_in, to_params=pipeline_params, from_params=pipeline_build,
          ignored=("memory",)),
] + HGB_ENTRIES + _tables.ENTRIES(Entry)}

from ._sklearn_regress import ENTRIES as _REGRESS_ENTRIES  # noqa: E402
TABLE.update((e.tag, e) for e in _REGRESS_ENTRIES)

from ._sklearn_boosted_trees import ENTRIES as _BOOSTED_TREE_ENTRIES  # noqa: E402
TABLE.update((e.tag, e) for e in _BOOSTED_TREE_ENTRIES)

def input_types(est):
    """The column types ("number" / "string") an estimator was fitted on, or None."""
    name = type(est).__name__
    if name == "Pipeline":
        return input_types(est.steps[0][1]) if est.steps else None
    if name in ("OneHotEncoder", "OrdinalEncoder"):
        return _tables.column_types(est.categories_)
    if name == "SimpleImputer":
        return _tables.imputer_types(est)
    if name == "ColumnTransformer":
        return _tables.column_transformer_types(est, input_types)
    return None
