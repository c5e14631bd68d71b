"""Table entries for SVR, Lasso, ElasticNet and KNeighborsRegressor (see _sklearn_types).

Each writes the layout of its C++ plugin's schema (estimators/svm/svr.hpp,
estimators/linear_model/elastic_net.hpp, estimators/neighbors/k_neighbors_regressor.hpp).
"""

import numpy as np

from ._core import UsageError
from ._sklearn_types import (_F64, _I32, Entry, _f64, _i64, _knn_build, _knn_in, _knn_params,
                             _own, _plain, _scalar)

_SVR_PARAMS = ("kernel", "degree", "gamma", "coef0", "tol", "C", "epsilon", "shrinking",
               "cache_size", "max_iter")
_ENET_PARAMS = ("alpha", "l1_ratio", "fit_intercept", "max_iter", "tol", "positive",
                "random_state", "selection")


def _svr_out(est, extra, extras, path):
    extra["shape_fit_"] = [int(n) for n in est.shape_fit_]
    return {
        "support_": _i64(est.support_),
        "support_vectors_": _f64(est.support_vectors_),
        "dual_coef_": _f64(est.dual_coef_),
        "intercept_": _f64(est.intercept_),
        "n_support_": _i64(est.n_support_),
        "n_iter_": int(est.n_iter_),
        "fit_status_": int(est.fit_status_),
        "kernel_": {"kernel": est.kernel, "gamma": float(est._gamma),
                    "degree": int(est.degree), "coef0": float(est.coef0)},
    }


def _svr_in(est, state, doc, extra, extras, path):
    kernel = state["kernel_"]
    # The fitted kernel, as the C++ model uses it, whatever the parameters say.
    est.kernel, est.degree, est.coef0 = kernel["kernel"], int(kernel["degree"]), kernel["coef0"]
    est._gamma = float(kernel["gamma"])
    est._sparse = False
    est.support_ = _own(state["support_"], _I32)
    est.support_vectors_ = _own(state["support_vectors_"])
    n_sv = len(est.support_)
    est._n_support = np.array([n_sv, n_sv], dtype=_I32)  # libsvm's regression layout
    est.dual_coef_ = _own(state["dual_coef_"])
    est._dual_coef_ = est.dual_coef_
    est.intercept_ = _own(state["intercept_"])
    est._intercept_ = est.intercept_.copy()
    est._probA = np.empty(0, dtype=_F64)
    est._probB = np.empty(0, dtype=_F64)
    est.fit_status_ = int(state["fit_status_"])
    est._num_iter = np.array([int(state["n_iter_"])], dtype=_I32)
    est.n_iter_ = int(state["n_iter_"])
    shape = extra.get("shape_fit_")
    n_features = int(doc["n_features_in_"])
    if isinstance(shape, list) and len(shape) == 2 and isinstance(shape[0], int):
        est.shape_fit_ = (shape[0], n_features)
    else:  # written by C++: the training set's size is not recorded
        est.shape_fit_ = (n_sv, n_features)


def _enet_params(est, given):
    name = type(est).__name__
    seed = given["random_state"]
    if seed is not None and not isinstance(seed, (int, np.integer)):
        raise UsageError(f"{name}(random_state={seed!r}): mlpersist stores an integer seed or "
                         f"None")
    keys = [k for k in _ENET_PARAMS if k in given]
    return {key: _plain(given[key], name, key) for key in keys}


def _enet_out(est, extra, extras, path):
    if np.ndim(est.coef_) != 1:
        raise UsageError(f"{type(est).__name__}: multi-output (2-D y) models are not supported")
    return {"coef_": _f64(est.coef_), "intercept_": float(est.intercept_),
            "n_iter_": int(est.n_iter_), "dual_gap_": float(est.dual_gap_)}


def _enet_in(est, state, doc, extra, extras, path):
    est.coef_ = _own(state["coef_"])
    est.intercept_ = _scalar(state["intercept_"])
    est.n_iter_ = int(state["n_iter_"])
    est.dual_gap_ = _scalar(state["dual_gap_"])


def _knn_regressor_out(est, extra, extras, path):
    if np.ndim(est._y) != 1:
        raise UsageError("KNeighborsRegressor: multi-output (2-D y) models are not supported")
    # As KNeighborsClassifier: the search structure is recorded, and rebuilt at load.
    extra["_fit_method"] = str(est._fit_method)
    extra["leaf_size"] = int(est.leaf_size)
    extra["algorithm"] = str(est.algorithm)
    return {"_fit_X": _f64(est._fit_X), "_y": _f64(est._y)}


# precompute only says how coordinate descent computes (a Gram matrix or not).
_ENET_IGNORED = ("precompute",)

ENTRIES = [
    Entry("svm.SVR", "sklearn.svm", "SVR", 1, _SVR_PARAMS, _svr_out, _svr_in),
    Entry("linear_model.Lasso", "sklearn.linear_model", "Lasso", 1,
          tuple(k for k in _ENET_PARAMS if k != "l1_ratio"), _enet_out, _enet_in,
          to_params=_enet_params, ignored=_ENET_IGNORED),
    Entry("linear_model.ElasticNet", "sklearn.linear_model", "ElasticNet", 1, _ENET_PARAMS,
          _enet_out, _enet_in, to_params=_enet_params, ignored=_ENET_IGNORED),
    Entry("neighbors.KNeighborsRegressor", "sklearn.neighbors", "KNeighborsRegressor", 1,
          ("n_neighbors", "weights"), _knn_regressor_out, _knn_in, to_params=_knn_params,
          from_params=_knn_build, ignored=("algorithm", "leaf_size", "metric", "p")),
]
