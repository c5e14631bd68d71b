#include <cctype>
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

// Whether `ok` holds for every row of X, given as a contiguous array; one call for the whole
// matrix when its rows are adjacent.
template <class RowTest>
bool every_row(const MatrixView& X, RowTest ok) {
  using Row = Eigen::Map<const Eigen::ArrayXd>;
  if (X.rows() <= 1 || X.outerStride() == X.cols()) return ok(Row(X.data(), X.size()));
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    if (!ok(Row(X.row(i).data(), X.cols()))) return false;
  return true;
}

// Eigen's allFinite() and any() test element by element with an early exit, a branch per
// element: that was 75% of a linear model's whole predict. These are vectorised reductions:
// NaN and +-inf times zero are NaN and finite values times zero are +-0, so the sum of x * 0 is
// zero exactly when every x is finite; the largest |x|, NaN left out, is inf exactly when some
// x is infinite.
void check_finite(const MatrixView& X, std::string_view what, bool nan_is_missing) {
  if (!nan_is_missing) {
    if (!every_row(X, [](const auto& row) { return (row * 0.0).sum() == 0.0; }))
      throw UsageError(
          ErrorCode::kInvalidInput,
          std::string(what) + " contains NaN or infinity; clean or impute the data first");
    return;
  }
  // NaN marks a missing value here; infinity is still refused, as scikit-learn does.
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (!every_row(X, [&](const auto& row) {
        return row.size() == 0 || row.abs().template maxCoeff<Eigen::PropagateNumbers>() != kInf;
      }))
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

Matrix apply_method(const Estimator& estimator, Method method, const MatrixView& X) {
  switch (method) {
    case Method::kPredict: return estimator.predict(X);
    case Method::kDecisionFunction: return estimator.decision_function(X);
    case Method::kPredictProba: return estimator.predict_proba(X);
    case Method::kTransform: return estimator.transform(X);
    case Method::kInverseTransform: return estimator.inverse_transform(X);
  }
  throw UsageError(ErrorCode::kNotSupported, "unknown method");
}

Matrix apply_method(const Estimator& estimator, Method method, const Table& X) {
  switch (method) {
    case Method::kPredict: {
      const Labels labels = estimator.predict(X);
      if (!labels.is_string()) return labels.numbers();
      return encode_labels(labels.strings(), estimator.class_labels());
    }
    case Method::kDecisionFunction: return estimator.decision_function(X);
    case Method::kPredictProba: return estimator.predict_proba(X);
    case Method::kTransform: return estimator.transform(X);
    case Method::kInverseTransform: break;
  }
  throw UsageError(ErrorCode::kNotSupported,
                   std::string(method_name(method)) + " does not take a table");
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

void Estimator::check_fit_input(std::int64_t rows, std::int64_t cols, const Vector& y) const {
  if (rows == 0 || cols == 0)
    throw UsageError(ErrorCode::kInvalidInput,
                     class_name() + ".fit: X is empty (" + std::to_string(rows) + " x " +
                         std::to_string(cols) + "); pass at least one sample and feature");
  const bool supervised =
      kind() == EstimatorKind::kClassifier || kind() == EstimatorKind::kRegressor;
  if (supervised && y.size() != rows)
    throw UsageError(ErrorCode::kInvalidInput, class_name() + ".fit: y has " +
                                                   std::to_string(y.size()) + " values but X has " +
                                                   std::to_string(rows) + " rows");
  if (!pending_names_.empty() && pending_names_.size() != static_cast<std::size_t>(cols))
    throw UsageError(ErrorCode::kInvalidInput,
                     class_name() + ".fit: " + std::to_string(pending_names_.size()) +
                         " feature names for " + std::to_string(cols) + " columns");
  if (supervised && !y.allFinite())
    throw UsageError(ErrorCode::kInvalidInput, class_name() + ".fit: y contains NaN or infinity");
}

void Estimator::fit_checked(const MatrixView& X, const Vector& y) {
  check_fit_input(X.rows(), X.cols(), y);
  check_finite(X, class_name() + ".fit: X", accepts_missing());
  if (takes_tables())
    do_fit_table(Table::from_matrix(X, pending_names_), y);
  else
    do_fit(X, y);
  n_features_in_ = X.cols();
  feature_names_in_ = std::move(pending_names_);
  pending_names_.clear();
}

void Estimator::fit(const MatrixView& X, const Vector& y) {
  fit_checked(X, y);
  feature_types_in_.clear();
  class_labels_.clear();
}

void Estimator::fit(const Table& X, const Labels& y) {
  std::vector<std::string> classes;
  Vector codes = y.numbers();
  // Transformers and clusterers ignore y, as scikit-learn's do (a ColumnTransformer in a
  // classifier's Pipeline is given the labels too).
  if (y.is_string() && kind() == EstimatorKind::kRegressor)
    throw UsageError(ErrorCode::kInvalidInput,
                     class_name() + ".fit: y holds strings; only classifiers take string labels");
  if (y.is_string() && kind() == EstimatorKind::kClassifier) {
    classes = sorted_classes(y.strings());
    codes = encode_labels(y.strings(), classes);
  }
  set_feature_names(X.names());
  if (takes_tables()) {
    check_fit_input(static_cast<std::int64_t>(X.rows()), static_cast<std::int64_t>(X.cols()),
                    codes);
    do_fit_table(X, codes);
    n_features_in_ = static_cast<std::int64_t>(X.cols());
    feature_names_in_ = std::move(pending_names_);
    pending_names_.clear();
  } else {
    fit_checked(X.to_matrix(class_name() + ".fit", accepts_missing()), codes);
  }
  feature_types_in_ = X.all_numeric() ? std::vector<ColumnType>{} : X.types();
  class_labels_ = std::move(classes);
}

void Estimator::restore_signature(std::int64_t n_features, std::vector<std::string> names) {
  n_features_in_ = n_features;
  feature_names_in_ = std::move(names);
}

void Estimator::restore_table_signature(std::vector<ColumnType> types,
                                        std::vector<std::string> classes) {
  feature_types_in_ = std::move(types);
  class_labels_ = std::move(classes);
}

void Estimator::check_predict_input(const MatrixView& X, Method method,
                                    std::int64_t columns) const {
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

void Estimator::check_table_input(const Table& X, Method method) const {
  if (!supports(method)) not_supported(*this, method);
  if (!is_fitted())
    throw UsageError(ErrorCode::kNotFitted,
                     "this " + class_name() + " instance is not fitted yet; call fit first");
  const std::string who = class_name() + "." + std::string(method_name(method));
  if (static_cast<std::int64_t>(X.cols()) != n_features_in_)
    throw UsageError(ErrorCode::kInvalidInput,
                     who + ": X has " + std::to_string(X.cols()) + " columns, but " + class_name() +
                         " was fitted on " + std::to_string(n_features_in_));
  const std::vector<std::string> names = X.names();
  for (std::size_t j = 0; j < X.cols(); ++j) {
    if (!names.empty() && !feature_names_in_.empty() && names[j] != feature_names_in_[j])
      throw UsageError(ErrorCode::kInvalidInput, who + ": column " + std::to_string(j) +
                                                     " is named '" + names[j] + "', but was '" +
                                                     feature_names_in_[j] + "' in fit");
    const ColumnType fitted =
        feature_types_in_.empty() ? ColumnType::kNumber : feature_types_in_[j];
    if (X.column(j).type != fitted)
      throw UsageError(ErrorCode::kInvalidInput,
                       who + ": column " + std::to_string(j) +
                           (names.empty() ? "" : " ('" + names[j] + "')") + " holds " +
                           std::string(column_type_name(X.column(j).type)) + "s, but held " +
                           std::string(column_type_name(fitted)) + "s in fit");
  }
}

Matrix Estimator::apply_to_table(Method method, const Table& X) const {
  check_table_input(X, method);
  if (takes_tables()) return do_apply_table(method, X);
  const std::string who = class_name() + "." + std::string(method_name(method));
  return apply_method(*this, method, X.to_matrix(who, accepts_missing()));
}

Labels Estimator::predict(const Table& X) const {
  const Matrix out = apply_to_table(Method::kPredict, X);
  Vector codes = out.col(0);
  if (class_labels_.empty()) return Labels(std::move(codes));
  std::vector<std::string> labels;
  labels.reserve(static_cast<std::size_t>(codes.size()));
  for (Eigen::Index i = 0; i < codes.size(); ++i) {
    const double c = codes(i);
    if (!(c >= 0 && c < static_cast<double>(class_labels_.size())))
      throw UsageError(ErrorCode::kInvalidInput, class_name() + ".predict: class code " +
                                                     format_double(c) + " is not one of the " +
                                                     std::to_string(class_labels_.size()) +
                                                     " string classes");
    labels.push_back(class_labels_[static_cast<std::size_t>(c)]);
  }
  return Labels(std::move(labels));
}

Matrix Estimator::decision_function(const Table& X) const {
  return apply_to_table(Method::kDecisionFunction, X);
}
Matrix Estimator::predict_proba(const Table& X) const {
  return apply_to_table(Method::kPredictProba, X);
}
Matrix Estimator::transform(const Table& X) const {
  return apply_to_table(Method::kTransform, X);
}

// Estimators that take tables reach their table hook from the Matrix methods too.
Matrix Estimator::apply_matrix(Method method, const MatrixView& X) const {
  for (ColumnType t : feature_types_in_)
    if (t == ColumnType::kString)
      throw UsageError(ErrorCode::kInvalidInput,
                       class_name() + "." + std::string(method_name(method)) +
                           ": fitted on string columns, so it takes a Table, not a matrix");
  return do_apply_table(method, Table::from_matrix(X, feature_names_in_));
}

Vector Estimator::predict(const MatrixView& X) const {
  check_predict_input(X, Method::kPredict, n_features_in_);
  if (takes_tables()) return apply_matrix(Method::kPredict, X).col(0);
  return do_predict(X);
}

Matrix Estimator::decision_function(const MatrixView& X) const {
  check_predict_input(X, Method::kDecisionFunction, n_features_in_);
  if (takes_tables()) return apply_matrix(Method::kDecisionFunction, X);
  return do_decision_function(X);
}

Matrix Estimator::predict_proba(const MatrixView& X) const {
  check_predict_input(X, Method::kPredictProba, n_features_in_);
  if (takes_tables()) return apply_matrix(Method::kPredictProba, X);
  return do_predict_proba(X);
}

Matrix Estimator::transform(const MatrixView& X) const {
  check_predict_input(X, Method::kTransform, n_features_in_);
  if (takes_tables()) return apply_matrix(Method::kTransform, X);
  return do_transform(X);
}

Matrix Estimator::inverse_transform(const MatrixView& X) const {
  check_predict_input(X, Method::kInverseTransform, n_features_out());
  return do_inverse_transform(X);
}

std::vector<std::string> Estimator::get_feature_names_out(
    std::span<const std::string> input) const {
  std::vector<std::string> out;
  if (n_features_out() == n_features_in_) {
    if (!input.empty()) return {input.begin(), input.end()};
    if (!feature_names_in_.empty()) return feature_names_in_;
    for (std::int64_t j = 0; j < n_features_in_; ++j) out.push_back("x" + std::to_string(j));
    return out;
  }
  std::string prefix = class_name();
  for (char& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::int64_t j = 0; j < n_features_out(); ++j) out.push_back(prefix + std::to_string(j));
  return out;
}

Table Estimator::transform_to_table(const Table& X) const {
  check_table_input(X, Method::kTransform);
  if (takes_tables()) return do_transform_to_table(X);
  return Table::from_matrix(transform(X.to_matrix(class_name() + ".transform", accepts_missing())));
}

Table Estimator::do_transform_to_table(const Table& X) const {
  return Table::from_matrix(do_apply_table(Method::kTransform, X));
}

void Estimator::transform_into(const Table& X, MatrixBlock out) const {
  check_table_input(X, Method::kTransform);
  if (out.rows() != static_cast<Eigen::Index>(X.rows()) || out.cols() != n_features_out())
    throw UsageError(ErrorCode::kInvalidInput, class_name() + ".transform: the output block is " +
                                                   std::to_string(out.rows()) + " x " +
                                                   std::to_string(out.cols()) + ", not " +
                                                   std::to_string(X.rows()) + " x " +
                                                   std::to_string(n_features_out()));
  if (takes_tables())
    do_transform_into(X, out);
  else
    out = transform(X.to_matrix(class_name() + ".transform", accepts_missing()));
}

void Estimator::do_transform_into(const Table& X, MatrixBlock out) const {
  out = do_apply_table(Method::kTransform, X);
}

void Estimator::do_fit_table(const Table&, const Vector&) {
  throw UsageError(ErrorCode::kNotSupported, class_name() + " does not take tables");
}

Matrix Estimator::do_apply_table(Method method, const Table&) const {
  not_supported(*this, method);
}

double Estimator::score(const MatrixView& X, const Vector& y) const {
  if (!is_fitted())
    throw UsageError(ErrorCode::kNotFitted, "this " + class_name() + " instance is not fitted yet");
  if (X.cols() != n_features_in_ || (y.size() != 0 && y.size() != X.rows()))
    throw UsageError(ErrorCode::kInvalidInput, class_name() + ".score: X/y shapes do not match");
  return do_score(X, y);
}

Vector Estimator::do_predict(const MatrixView&) const {
  not_supported(*this, Method::kPredict);
}
Matrix Estimator::do_decision_function(const MatrixView&) const {
  not_supported(*this, Method::kDecisionFunction);
}
Matrix Estimator::do_predict_proba(const MatrixView&) const {
  not_supported(*this, Method::kPredictProba);
}
Matrix Estimator::do_transform(const MatrixView&) const {
  not_supported(*this, Method::kTransform);
}
Matrix Estimator::do_inverse_transform(const MatrixView&) const {
  not_supported(*this, Method::kInverseTransform);
}

double Estimator::do_score(const MatrixView& X, const Vector& y) const {
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
