#include <cmath>
#include <limits>
#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <string>

namespace mlpersist {
namespace {

constexpr std::pair<Method, std::string_view> kMethodNames[] = {
    {Method::kPredict, "predict"},
    {Method::kDecisionFunction, "decision_function"},
    {Method::kPredictProba, "predict_proba"},
    {Method::kTransform, "transform"},
    {Method::kInverseTransform, "inverse_transform"},
};

// Python's repr of a parameter value, so that printouts read like scikit-learn's.
std::string python_repr(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull: return "None";
    case Kind::kBool: return v.as_bool() ? "True" : "False";
    case Kind::kInt: return std::to_string(v.as_int());
    case Kind::kUInt: return std::to_string(v.as_uint());
    case Kind::kDouble: {
      std::string s = format_double(v.as_double());
      if (std::isfinite(v.as_double()) && s.find_first_of(".e") == std::string::npos) s += ".0";
      return s;
    }
    case Kind::kString: return "'" + v.as_string() + "'";
    case Kind::kArray: {
      std::string s = "[";
      for (const Value& e : v.as_array()) s += (s.size() > 1 ? ", " : "") + python_repr(e);
      return s + "]";
    }
    default: return "<" + std::string(kind_name(v.kind())) + ">";
  }
}

void check_finite(const Matrix& X, std::string_view what, bool nan_is_missing) {
  if (!nan_is_missing) {
    if (!X.allFinite())
      throw UsageError(
          ErrorCode::kInvalidInput,
          std::string(what) + " contains NaN or infinity; clean or impute the data first");
    return;
  }
  // NaN marks a missing value here; infinity is still refused, as scikit-learn does.
  if ((X.array().abs() == std::numeric_limits<double>::infinity()).any())
    throw UsageError(ErrorCode::kInvalidInput,
                     std::string(what) + " contains infinity; clip or drop those values first");
}

[[noreturn]] void not_supported(const Estimator& e, Method m) {
  throw UsageError(ErrorCode::kNotSupported, std::string(e.type_tag()) + " has no " +
                                                 std::string(method_name(m)) + " method");
}

}  // namespace

std::string_view method_name(Method method) noexcept {
  for (const auto& [m, name] : kMethodNames)
    if (m == method) return name;
  return "unknown";
}

std::optional<Method> method_from_name(std::string_view name) noexcept {
  for (const auto& [m, n] : kMethodNames)
    if (n == name) return m;
  return std::nullopt;
}

Matrix apply_method(const Estimator& estimator, Method method, const Matrix& X) {
  switch (method) {
    case Method::kPredict: return estimator.predict(X);
    case Method::kDecisionFunction: return estimator.decision_function(X);
    case Method::kPredictProba: return estimator.predict_proba(X);
    case Method::kTransform: return estimator.transform(X);
    case Method::kInverseTransform: return estimator.inverse_transform(X);
  }
  throw UsageError(ErrorCode::kNotSupported, "unknown method");
}

Estimator::~Estimator() = default;
Composite::~Composite() = default;

double Estimator::fit_cost(double n_samples, double n_features) const {
  return n_samples * n_features;
}

std::string Estimator::class_name() const {
  const std::string_view tag = type_tag();
  const auto dot = tag.rfind('.');
  return std::string(dot == std::string_view::npos ? tag : tag.substr(dot + 1));
}

std::string Estimator::repr() const {
  std::string s = class_name() + "(";
  bool first = true;
  const Value params = get_params();
  for (const auto& [key, value] : params.as_map()) {
    s += (first ? "" : ", ") + key + "=" + python_repr(value);
    first = false;
  }
  return s + ")";
}

void Estimator::fit(const Matrix& X, const Vector& y) {
  if (X.rows() == 0 || X.cols() == 0)
    throw UsageError(ErrorCode::kInvalidInput,
                     class_name() + ".fit: X is empty (" + std::to_string(X.rows()) + " x " +
                         std::to_string(X.cols()) + "); pass at least one sample and feature");
  const bool supervised =
      kind() == EstimatorKind::kClassifier || kind() == EstimatorKind::kRegressor;
  if (supervised && y.size() != X.rows())
    throw UsageError(ErrorCode::kInvalidInput, class_name() + ".fit: y has " +
                                                   std::to_string(y.size()) + " values but X has " +
                                                   std::to_string(X.rows()) + " rows");
  if (!pending_names_.empty() && pending_names_.size() != static_cast<std::size_t>(X.cols()))
    throw UsageError(ErrorCode::kInvalidInput,
                     class_name() + ".fit: " + std::to_string(pending_names_.size()) +
                         " feature names for " + std::to_string(X.cols()) + " columns");
  check_finite(X, class_name() + ".fit: X", accepts_missing());
  if (supervised && !y.allFinite())
    throw UsageError(ErrorCode::kInvalidInput, class_name() + ".fit: y contains NaN or infinity");
  do_fit(X, y);
  n_features_in_ = X.cols();
  feature_names_in_ = std::move(pending_names_);
  pending_names_.clear();
}

void Estimator::restore_signature(std::int64_t n_features, std::vector<std::string> names) {
  n_features_in_ = n_features;
  feature_names_in_ = std::move(names);
}

void Estimator::check_predict_input(const Matrix& X, Method method, std::int64_t columns) const {
  if (!supports(method)) not_supported(*this, method);
  if (!is_fitted())
    throw UsageError(ErrorCode::kNotFitted,
                     "this " + class_name() + " instance is not fitted yet; call fit first");
  if (X.cols() != columns)
    throw UsageError(ErrorCode::kInvalidInput,
                     class_name() + "." + std::string(method_name(method)) + ": X has " +
                         std::to_string(X.cols()) + " features, but " + class_name() + " expects " +
                         std::to_string(columns));
  check_finite(X, class_name() + "." + std::string(method_name(method)) + ": X", accepts_missing());
}

Vector Estimator::predict(const Matrix& X) const {
  check_predict_input(X, Method::kPredict, n_features_in_);
  return do_predict(X);
}

Matrix Estimator::decision_function(const Matrix& X) const {
  check_predict_input(X, Method::kDecisionFunction, n_features_in_);
  return do_decision_function(X);
}

Matrix Estimator::predict_proba(const Matrix& X) const {
  check_predict_input(X, Method::kPredictProba, n_features_in_);
  return do_predict_proba(X);
}

Matrix Estimator::transform(const Matrix& X) const {
  check_predict_input(X, Method::kTransform, n_features_in_);
  return do_transform(X);
}

Matrix Estimator::inverse_transform(const Matrix& X) const {
  check_predict_input(X, Method::kInverseTransform, n_features_out());
  return do_inverse_transform(X);
}

double Estimator::score(const Matrix& X, const Vector& y) const {
  if (!is_fitted())
    throw UsageError(ErrorCode::kNotFitted, "this " + class_name() + " instance is not fitted yet");
  if (X.cols() != n_features_in_ || (y.size() != 0 && y.size() != X.rows()))
    throw UsageError(ErrorCode::kInvalidInput, class_name() + ".score: X/y shapes do not match");
  return do_score(X, y);
}

Vector Estimator::do_predict(const Matrix&) const {
  not_supported(*this, Method::kPredict);
}
Matrix Estimator::do_decision_function(const Matrix&) const {
  not_supported(*this, Method::kDecisionFunction);
}
Matrix Estimator::do_predict_proba(const Matrix&) const {
  not_supported(*this, Method::kPredictProba);
}
Matrix Estimator::do_transform(const Matrix&) const {
  not_supported(*this, Method::kTransform);
}
Matrix Estimator::do_inverse_transform(const Matrix&) const {
  not_supported(*this, Method::kInverseTransform);
}

double Estimator::do_score(const Matrix& X, const Vector& y) const {
  switch (kind()) {
    case EstimatorKind::kClassifier: return accuracy_score(y, do_predict(X));
    case EstimatorKind::kRegressor: return r2_score(y, do_predict(X));
    default: throw UsageError(ErrorCode::kNotSupported, class_name() + " has no score method");
  }
}

double accuracy_score(const Vector& y_true, const Vector& y_pred) {
  if (y_true.size() != y_pred.size() || y_true.size() == 0)
    throw UsageError(ErrorCode::kInvalidInput, "accuracy_score: sizes differ or are zero");
  return (y_true.array() == y_pred.array()).cast<double>().mean();
}

double r2_score(const Vector& y_true, const Vector& y_pred) {
  if (y_true.size() != y_pred.size() || y_true.size() == 0)
    throw UsageError(ErrorCode::kInvalidInput, "r2_score: sizes differ or are zero");
  const double ss_res = (y_true - y_pred).squaredNorm();
  const double ss_tot = (y_true.array() - y_true.mean()).square().sum();
  // scikit-learn: a constant target gives 1.0 for a perfect fit and 0.0 otherwise.
  if (ss_tot == 0.0) return ss_res == 0.0 ? 1.0 : 0.0;
  return 1.0 - ss_res / ss_tot;
}

void throw_invalid_param(std::string_view estimator, std::string_view what) {
  throw UsageError(ErrorCode::kInvalidParameter, std::string(estimator) + ": " + std::string(what));
}

void throw_unknown_param(std::string_view estimator, std::string_view key,
                         std::span<const std::string_view> valid) {
  std::string names;
  for (std::string_view n : valid) names += (names.empty() ? "" : ", ") + std::string(n);
  throw UsageError(ErrorCode::kInvalidParameter, std::string(estimator) + ": unknown parameter '" +
                                                     std::string(key) +
                                                     "'; valid parameters are: " + names);
}

}  // namespace mlpersist
