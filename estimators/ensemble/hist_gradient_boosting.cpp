#include "hist_gradient_boosting.hpp"

#include <algorithm>
#include <cmath>
#include <mlpersist/error.hpp>

#include "common/numeric.hpp"
#include "tree_common.hpp"

namespace mlpersist::ensemble {
namespace hgb {

Value param_to_value(const CategoricalFeatures& c) {
  if (c.indices.empty()) return Value();
  Array a;
  for (const std::int64_t i : c.indices) a.emplace_back(i);
  return a;
}

void param_from_node(const Node& n, CategoricalFeatures& out) {
  out.indices.clear();
  if (n.value().is_null()) return;
  const Array& items = n.as_array();
  const bool mask = !items.empty() && items.front().kind() == Kind::kBool;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (mask) {
      if (n[i].as_bool()) out.indices.push_back(static_cast<std::int64_t>(i));
    } else {
      out.indices.push_back(n[i].as_int(0, INT32_MAX));
    }
  }
  std::sort(out.indices.begin(), out.indices.end());
  if (std::adjacent_find(out.indices.begin(), out.indices.end()) != out.indices.end())
    n.fail("categorical_features lists a column twice");
}

Value param_to_value(const EarlyStoppingParam& e) {
  if (e.mode == EarlyStopping::kAuto) return Value(std::string("auto"));
  return Value(e.mode == EarlyStopping::kOn);
}

void param_from_node(const Node& n, EarlyStoppingParam& out) {
  if (n.value().kind() == Kind::kBool) {
    out.mode = n.as_bool() ? EarlyStopping::kOn : EarlyStopping::kOff;
  } else if (n.as_string() == "auto") {
    out.mode = EarlyStopping::kAuto;
  } else {
    n.fail("expected 'auto', true or false");
  }
}

}  // namespace hgb

namespace {

template <bool kClassifier>
void validate_common(std::string_view name, const hgb::HistGradientBoostingParams<kClassifier>& p) {
  const auto bad = [name](const std::string& what) { throw_invalid_param(name, what); };
  if (!(p.learning_rate > 0) || !std::isfinite(p.learning_rate))
    bad("learning_rate must be a finite number > 0");
  if (p.max_iter < 1 || p.max_iter > 1000000) bad("max_iter must be in [1, 1e6]");
  const auto outside = [](std::int64_t v, std::int64_t lo, std::int64_t hi) {
    return v < lo || v > hi;
  };
  if (p.max_leaf_nodes && outside(*p.max_leaf_nodes, 2, INT32_MAX))
    bad("max_leaf_nodes must be None or >= 2");
  if (p.max_depth && outside(*p.max_depth, 1, INT32_MAX)) bad("max_depth must be None or >= 1");
  if (outside(p.min_samples_leaf, 1, INT32_MAX)) bad("min_samples_leaf must be >= 1");
  if (!(p.l2_regularization >= 0)) bad("l2_regularization must be >= 0");
  if (p.max_bins < 2 || p.max_bins > 255) bad("max_bins must be in [2, 255]");
  if (p.scoring != "loss") bad("scoring must be 'loss' (the only scoring supported)");
  if (p.validation_fraction && !(*p.validation_fraction > 0 && *p.validation_fraction < 1))
    bad("validation_fraction must be None or in (0, 1)");
  if (p.n_iter_no_change < 1) bad("n_iter_no_change must be >= 1");
  if (!(p.tol >= 0)) bad("tol must be >= 0");
  if (p.random_state && outside(*p.random_state, 0, UINT32_MAX))
    bad("random_state must be None or in [0, 2**32 - 1]");
}

template <bool kClassifier>
hgb::BoostingOptions options_of(const hgb::HistGradientBoostingParams<kClassifier>& p) {
  return {.learning_rate = p.learning_rate,
          .max_iter = p.max_iter,
          .max_leaf_nodes = p.max_leaf_nodes,
          .max_depth = p.max_depth,
          .min_samples_leaf = p.min_samples_leaf,
          .l2_regularization = p.l2_regularization,
          .max_bins = p.max_bins,
          .categorical_features = p.categorical_features.indices,
          .early_stopping = p.early_stopping.mode,
          .validation_fraction = p.validation_fraction,
          .n_iter_no_change = p.n_iter_no_change,
          .tol = p.tol,
          .random_state = p.random_state};
}

hgb::LossKind regression_loss(const std::string& loss) {
  if (loss == "squared_error") return hgb::LossKind::kSquaredError;
  if (loss == "absolute_error") return hgb::LossKind::kAbsoluteError;
  return hgb::LossKind::kPoisson;
}

}  // namespace

void HistGradientBoostingRegressor::validate_params(
    const HistGradientBoostingRegressorParams& p) const {
  validate_common("HistGradientBoostingRegressor", p);
  if (p.loss != "squared_error" && p.loss != "absolute_error" && p.loss != "poisson")
    invalid_param("loss must be 'squared_error', 'absolute_error' or 'poisson'");
}

void HistGradientBoostingRegressor::do_fit(const MatrixView& X, const Vector& y) {
  validate_params(params_);
  const hgb::Loss loss{regression_loss(params_.loss), 1};
  if (loss.kind == hgb::LossKind::kPoisson && (y.minCoeff() < 0 || y.sum() <= 0))
    throw UsageError(ErrorCode::kInvalidInput,
                     "HistGradientBoostingRegressor: loss='poisson' needs y >= 0 and sum(y) > 0");
  hgb::BoostingModel model;
  model.fit(X, std::span<const double>(y.data(), static_cast<std::size_t>(y.size())), loss,
            options_of(params_), false);
  model_ = std::move(model);
}

Vector HistGradientBoostingRegressor::do_predict(const MatrixView& X) const {
  Vector raw = model_.raw_predict(X).col(0);
  if (params_.loss == "poisson") raw = raw.array().exp();
  return raw;
}

Value HistGradientBoostingRegressor::save_state(SaveContext&) const {
  Map m;
  model_.save(m);
  return m;
}

void HistGradientBoostingRegressor::load_state(const Node& state, LoadContext&) {
  model_ = hgb::BoostingModel::load(state, n_features_in(), 1);
}

void HistGradientBoostingClassifier::validate_params(
    const HistGradientBoostingClassifierParams& p) const {
  validate_common("HistGradientBoostingClassifier", p);
  if (p.loss != "log_loss") invalid_param("loss must be 'log_loss'");
}

bool HistGradientBoostingClassifier::supports(Method m) const {
  return m == Method::kPredict || m == Method::kPredictProba || m == Method::kDecisionFunction;
}

void HistGradientBoostingClassifier::do_fit(const MatrixView& X, const Vector& y) {
  validate_params(params_);
  std::vector<double> classes = common::unique_labels(y);
  const std::vector<double> encoded = common::class_indices<double>(classes, y);
  if (classes.size() < 2)
    throw UsageError(ErrorCode::kInvalidInput,
                     "HistGradientBoostingClassifier: y has a single class; two are needed");
  const hgb::Loss loss{classes.size() == 2 ? hgb::LossKind::kBinomial : hgb::LossKind::kMultinomial,
                       classes.size()};
  hgb::BoostingModel model;
  model.fit(X, encoded, loss, options_of(params_), true);
  model_ = std::move(model);
  classes_ = std::move(classes);
}

Matrix HistGradientBoostingClassifier::do_decision_function(const MatrixView& X) const {
  return model_.raw_predict(X);
}

Matrix HistGradientBoostingClassifier::do_predict_proba(const MatrixView& X) const {
  const Matrix raw = model_.raw_predict(X);
  Matrix proba(raw.rows(), static_cast<Eigen::Index>(classes_.size()));
  if (classes_.size() == 2) {
    for (Eigen::Index i = 0; i < raw.rows(); ++i) {
      proba(i, 1) = 1 / (1 + std::exp(-raw(i, 0)));
      proba(i, 0) = 1 - proba(i, 1);
    }
    return proba;
  }
  // sklearn.utils.extmath.softmax: shift by the row maximum, exponentiate, divide by the sum.
  std::vector<double> row(classes_.size());
  for (Eigen::Index i = 0; i < raw.rows(); ++i) {
    const double max = raw.row(i).maxCoeff();
    for (std::size_t k = 0; k < row.size(); ++k)
      row[k] = std::exp(raw(i, static_cast<Eigen::Index>(k)) - max);
    const double sum = common::numpy_sum(row.data(), std::ssize(row));
    for (std::size_t k = 0; k < row.size(); ++k)
      proba(i, static_cast<Eigen::Index>(k)) = row[k] / sum;
  }
  return proba;
}

Vector HistGradientBoostingClassifier::do_predict(const MatrixView& X) const {
  return common::labels_of_row_max(do_predict_proba(X), classes_);
}

Value HistGradientBoostingClassifier::save_state(SaveContext&) const {
  Map m;
  tree::save_classes(m, classes_);
  model_.save(m);
  return m;
}

void HistGradientBoostingClassifier::load_state(const Node& state, LoadContext&) {
  std::vector<double> classes = tree::load_classes(state, 2);
  model_ =
      hgb::BoostingModel::load(state, n_features_in(), classes.size() == 2 ? 1 : classes.size());
  classes_ = std::move(classes);
}

}  // namespace mlpersist::ensemble
