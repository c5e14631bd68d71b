#include "gradient_boosting.hpp"

#include <cmath>
#include <mlpersist/error.hpp>

namespace mlpersist::ensemble {
namespace {

constexpr std::string_view kRegressorName = "GradientBoostingRegressor";
constexpr std::string_view kClassifierName = "GradientBoostingClassifier";

// The checks both estimators' parameters share (scikit-learn's ranges; learning_rate also finite).
template <class P>
void check_boosting_params(std::string_view who, const P& p, bool classifier) {
  tree::validate_growth_params(who, p);
  (void)parse_gb_loss(who, p.loss, classifier);
  if (!(p.learning_rate >= 0.0) || !std::isfinite(p.learning_rate))
    throw_invalid_param(who, "learning_rate must be a finite number >= 0");
  if (p.n_estimators < 1) throw_invalid_param(who, "n_estimators must be >= 1");
  if (!(p.subsample > 0.0 && p.subsample <= 1.0))
    throw_invalid_param(who, "subsample must be in (0, 1]");
  if (!(p.validation_fraction > 0.0 && p.validation_fraction < 1.0))
    throw_invalid_param(who, "validation_fraction must be in (0, 1)");
  if (p.n_iter_no_change && *p.n_iter_no_change < 1)
    throw_invalid_param(who, "n_iter_no_change must be None or >= 1");
  if (!(p.tol >= 0.0) || !std::isfinite(p.tol))
    throw_invalid_param(who, "tol must be finite and >= 0");
}

template <class P>
BoostingOptions boosting_options(std::string_view who, const P& p, std::int64_t n_features) {
  return {.growth = tree::growth_options(who, p, n_features),
          .learning_rate = p.learning_rate,
          .n_estimators = p.n_estimators,
          .subsample = p.subsample,
          .random_state = p.random_state,
          .validation_fraction = p.validation_fraction,
          .n_iter_no_change = p.n_iter_no_change,
          .tol = p.tol};
}

double boosting_fit_cost(std::int64_t n_estimators, std::int64_t trees_per_stage, double n_samples,
                         double n_features) {
  return static_cast<double>(n_estimators * trees_per_stage) * n_samples *
         std::log2(n_samples + 2) * n_features;
}

}  // namespace

void GradientBoostingRegressor::validate_params(const GradientBoostingRegressorParams& p) const {
  check_boosting_params(kRegressorName, p, false);
  if (!(p.alpha > 0.0 && p.alpha < 1.0))
    throw_invalid_param(kRegressorName, "alpha must be in (0, 1)");
}

double GradientBoostingRegressor::fit_cost(double n_samples, double n_features) const {
  return boosting_fit_cost(params_.n_estimators, 1, n_samples, n_features);
}

void GradientBoostingRegressor::do_fit(const MatrixView& X, const Vector& y) {
  validate_params(params_);  // parameters given to the constructor were never checked
  const BoostingLoss loss(parse_gb_loss(kRegressorName, params_.loss, false), params_.alpha, 1);
  boosting_.fit(X, y, loss, boosting_options(kRegressorName, params_, X.cols()));
}

Vector GradientBoostingRegressor::do_predict(const MatrixView& X) const {
  const BoostingLoss loss(parse_gb_loss(kRegressorName, params_.loss, false), params_.alpha, 1);
  return boosting_.raw_predict(X, loss, params_.learning_rate).col(0);
}

Value GradientBoostingRegressor::save_state(SaveContext&) const {
  Map m;
  boosting_.save(m, "constant_");
  return m;
}

void GradientBoostingRegressor::load_state(const Node& state, LoadContext&) {
  boosting_.load(state, n_features_in(), 1, "constant_", 1, false);
}

void GradientBoostingClassifier::validate_params(const GradientBoostingClassifierParams& p) const {
  check_boosting_params(kClassifierName, p, true);
}

bool GradientBoostingClassifier::supports(Method m) const {
  return m == Method::kPredict || m == Method::kPredictProba || m == Method::kDecisionFunction;
}

double GradientBoostingClassifier::fit_cost(double n_samples, double n_features) const {
  // Up to one tree per class and stage; the class count is not known before fit.
  return boosting_fit_cost(params_.n_estimators, 1, n_samples, n_features);
}

BoostingLoss GradientBoostingClassifier::loss() const {
  return BoostingLoss(parse_gb_loss(kClassifierName, params_.loss, true), 0.9,
                      static_cast<std::int64_t>(classes_.size()));
}

void GradientBoostingClassifier::do_fit(const MatrixView& X, const Vector& y) {
  validate_params(params_);
  std::vector<double> classes;
  const tree::TrainingSet encoded = tree::encode_training_set(X, y, classes);
  if (classes.size() < 2)
    throw UsageError(ErrorCode::kInvalidInput,
                     "GradientBoostingClassifier: y holds one class; it needs two or more");
  if (params_.loss == "exponential" && classes.size() != 2)
    throw UsageError(ErrorCode::kInvalidInput,
                     "GradientBoostingClassifier: loss='exponential' needs exactly 2 classes");
  Vector indices(y.size());
  for (Eigen::Index i = 0; i < y.size(); ++i) indices(i) = encoded.y(i);
  classes_ = std::move(classes);
  BoostingOptions options = boosting_options(kClassifierName, params_, X.cols());
  options.stratify_classes = classes_.size();
  boosting_.fit(X, indices, loss(), options);
}

Matrix GradientBoostingClassifier::do_decision_function(const MatrixView& X) const {
  return boosting_.raw_predict(X, loss(), params_.learning_rate);
}

Matrix GradientBoostingClassifier::do_predict_proba(const MatrixView& X) const {
  return loss().proba(do_decision_function(X));
}

Vector GradientBoostingClassifier::do_predict(const MatrixView& X) const {
  const auto decided = loss().decision(do_decision_function(X));
  Vector out(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    out(i) = classes_[static_cast<std::size_t>(decided[static_cast<std::size_t>(i)])];
  return out;
}

Value GradientBoostingClassifier::save_state(SaveContext&) const {
  Map m;
  tree::save_classes(m, classes_);
  boosting_.save(m, "class_prior_");
  return m;
}

void GradientBoostingClassifier::load_state(const Node& state, LoadContext&) {
  std::vector<double> classes = tree::load_classes(state, 2);
  const auto n_classes = static_cast<std::int64_t>(classes.size());
  if (params_.loss == "exponential" && n_classes != 2)
    state["classes_"].fail("loss='exponential' has exactly two classes");
  const BoostingLoss l(parse_gb_loss(kClassifierName, params_.loss, true), 0.9, n_classes);
  boosting_.load(state, n_features_in(), l.trees_per_stage(), "class_prior_", n_classes, true);
  classes_ = std::move(classes);
}

}  // namespace mlpersist::ensemble
