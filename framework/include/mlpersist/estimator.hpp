#pragma once

#include <cstdint>
#include <memory>
#include <mlpersist/eigen.hpp>
#include <mlpersist/export.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/table.hpp>
#include <mlpersist/value.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlpersist {

/// What an estimator does with its input; picks the default `score` and the CV splitter.
enum class EstimatorKind : std::uint8_t { kClassifier, kRegressor, kTransformer, kClusterer };

/// Operations beyond fit; `supports` says which an estimator provides.
enum class Method : std::uint8_t {
  kPredict,
  kDecisionFunction,
  kPredictProba,
  kTransform,
  kInverseTransform
};
MLPERSIST_API std::string_view method_name(Method method) noexcept;
[[nodiscard]] MLPERSIST_API std::optional<Method> method_from_name(std::string_view name) noexcept;

class SaveContext;
class LoadContext;

/// A machine-learning estimator that can be fitted, used and persisted.
///
/// The public operations are non-virtual: they check the input signature (fitted, number of
/// columns, finite values) once for every estimator, then call the protected `do_*` hooks that
/// an implementation overrides. An estimator never sees a backend: it writes its fitted state to
/// a Value and reads it back through a Node, validating every invariant it relies on later.
class MLPERSIST_API Estimator {
 public:
  virtual ~Estimator();

  /// Stable type tag chosen by people (e.g. "svm.SVC"); never a C++ type name.
  [[nodiscard]] virtual std::string_view type_tag() const = 0;
  /// Version of the saved state's schema; bumped on every change of the state layout.
  [[nodiscard]] virtual std::uint32_t schema_version() const = 0;
  /// Oldest schema version whose reader loads this version's state correctly: schema_version()
  /// unless the changes since then only added optional fields.
  [[nodiscard]] virtual std::uint32_t min_reader_version() const { return schema_version(); }
  [[nodiscard]] virtual EstimatorKind kind() const = 0;
  [[nodiscard]] virtual bool supports(Method method) const = 0;

  /// Parameters as a map (scikit-learn's names and defaults).
  [[nodiscard]] virtual Value get_params() const = 0;
  /// Sets some or all parameters; throws UsageError(kInvalidParameter) naming a bad key or value
  /// (the estimator is unchanged then).
  virtual void set_params(const Value& params) = 0;
  /// A new unfitted estimator of the same type and parameters (for cross-validation, ensembles).
  [[nodiscard]] virtual std::unique_ptr<Estimator> clone() const = 0;
  /// `SVC(C=1.0, kernel='rbf', ...)`, like scikit-learn's repr.
  [[nodiscard]] virtual std::string repr() const;
  /// An estimate of fit's work on n_samples x n_features, in elementary operations, from the
  /// parameters alone (an order of magnitude, not a promise). It lets `verify` refuse a re-fit
  /// that a file's parameters make enormous (two million trees, 10^12 iterations) before it
  /// starts (Limits::max_refit_cost). Default n_samples * n_features; estimators whose
  /// parameters multiply their work override it.
  [[nodiscard]] virtual double fit_cost(double n_samples, double n_features) const;
  /// Whether NaN in X means "missing" to this estimator (scikit-learn's `allow_nan` tag:
  /// imputers, encoders, HistGradientBoosting). Infinity is refused either way. Default false:
  /// fit and the prediction methods refuse NaN before the estimator sees it.
  [[nodiscard]] virtual bool accepts_missing() const noexcept { return false; }

  /// Fits on X (n_samples x n_features) and y (n_samples; ignored and may be empty for
  /// unsupervised estimators). Throws UsageError(kInvalidInput) on empty, mismatched or
  /// non-finite input (NaN is let through to estimators that `accepts_missing`).
  void fit(const MatrixView& X, const Vector& y);
  [[nodiscard]] Vector predict(const MatrixView& X) const;
  [[nodiscard]] Matrix decision_function(const MatrixView& X) const;
  [[nodiscard]] Matrix predict_proba(const MatrixView& X) const;
  [[nodiscard]] Matrix transform(const MatrixView& X) const;
  [[nodiscard]] Matrix inverse_transform(const MatrixView& X) const;
  /// scikit-learn's score: accuracy for classifiers, R² for regressors, -inertia for KMeans.
  [[nodiscard]] double score(const MatrixView& X, const Vector& y) const;

  /// The same on a mixed table. Estimators that need numbers get the table as a Matrix (a
  /// string column, or NaN unless `accepts_missing`, is refused naming the column); estimators
  /// that `takes_tables` (encoders, imputers, ColumnTransformer, a Pipeline starting with one)
  /// get it as is. A classifier given string labels is fitted on their codes 0..k-1 in
  /// `class_labels()` order (sorted as numpy sorts), and predict(Table) gives strings back.
  void fit(const Table& X, const Labels& y);
  [[nodiscard]] Labels predict(const Table& X) const;
  [[nodiscard]] Matrix decision_function(const Table& X) const;
  /// Columns in `class_labels()` (or the numeric `classes_`) order.
  [[nodiscard]] Matrix predict_proba(const Table& X) const;
  [[nodiscard]] Matrix transform(const Table& X) const;
  /// transform, keeping string columns as strings (SimpleImputer on a string column); the
  /// columns are unnamed, as scikit-learn's intermediate arrays are.
  [[nodiscard]] Table transform_to_table(const Table& X) const;
  /// transform(X) written into `out` (X.rows() x n_features_out(): a block of columns of a
  /// wider matrix), with no matrix of its own in between: how a ColumnTransformer puts its
  /// transformers' outputs side by side. Throws as transform does, and UsageError
  /// (kInvalidInput) when `out` has another shape.
  void transform_into(const Table& X, MatrixBlock out) const;
  /// Whether do_fit_table / do_apply_table take mixed tables (default false).
  [[nodiscard]] virtual bool takes_tables() const noexcept { return false; }
  /// Output column names, as scikit-learn's get_feature_names_out: `input` (or the fitted
  /// names, or x0, x1, ...) when the width is unchanged, else `<classname>0`, `<classname>1`...
  [[nodiscard]] virtual std::vector<std::string> get_feature_names_out(
      std::span<const std::string> input = {}) const;

  [[nodiscard]] bool is_fitted() const noexcept { return n_features_in_ >= 0; }
  /// Number of columns seen in fit, or -1 before fit.
  [[nodiscard]] std::int64_t n_features_in() const noexcept { return n_features_in_; }
  /// Column names seen in fit (empty when fitted from an unnamed matrix).
  [[nodiscard]] const std::vector<std::string>& feature_names_in() const noexcept {
    return feature_names_in_;
  }
  /// Column types seen in fit; empty when every column was a number (and for Matrix input).
  [[nodiscard]] const std::vector<ColumnType>& feature_types_in() const noexcept {
    return feature_types_in_;
  }
  /// The string classes when fitted on string labels, else empty.
  [[nodiscard]] const std::vector<std::string>& class_labels() const noexcept {
    return class_labels_;
  }
  /// Number of columns transform produces (and inverse_transform expects); transformers whose
  /// output width differs from their input (PCA, KMeans) override it.
  [[nodiscard]] virtual std::int64_t n_features_out() const { return n_features_in_; }
  /// Names the columns of the next fit's X (a CSV header), as scikit-learn records them.
  void set_feature_names(std::vector<std::string> names) { pending_names_ = std::move(names); }

  /// Fitted state only (parameters and the input signature are saved by the framework).
  [[nodiscard]] virtual Value save_state(SaveContext& ctx) const = 0;
  /// Restores fitted state, validating every invariant that predict relies on. Throws
  /// SchemaError with the document path of the offending value.
  virtual void load_state(const Node& state, LoadContext& ctx) = 0;

 protected:
  virtual void do_fit(const MatrixView& X, const Vector& y) = 0;
  /// For estimators that `takes_tables`: fit and the methods on the table itself (the public
  /// Matrix methods reach them too, through Table::from_matrix). Defaults throw.
  virtual void do_fit_table(const Table& X, const Vector& y);
  [[nodiscard]] virtual Matrix do_apply_table(Method method, const Table& X) const;
  /// Default: do_apply_table(kTransform) as number columns.
  [[nodiscard]] virtual Table do_transform_to_table(const Table& X) const;
  /// For estimators that `takes_tables`; default: `out = do_apply_table(kTransform, X)`.
  virtual void do_transform_into(const Table& X, MatrixBlock out) const;
  virtual Vector do_predict(const MatrixView& X) const;
  virtual Matrix do_decision_function(const MatrixView& X) const;
  virtual Matrix do_predict_proba(const MatrixView& X) const;
  virtual Matrix do_transform(const MatrixView& X) const;
  virtual Matrix do_inverse_transform(const MatrixView& X) const;
  /// Default: accuracy for classifiers, R² for regressors; others must override.
  [[nodiscard]] virtual double do_score(const MatrixView& X, const Vector& y) const;
  /// The name used by repr and messages: the type tag's last component ("SVC").
  [[nodiscard]] std::string class_name() const;

 private:
  friend class LoadContext;  // restores the input signature recorded beside the state
  void restore_signature(std::int64_t n_features, std::vector<std::string> names);
  // The column types and string classes recorded beside the signature.
  void restore_table_signature(std::vector<ColumnType> types, std::vector<std::string> classes);
  void check_predict_input(const MatrixView& X, Method method, std::int64_t columns) const;
  void check_table_input(const Table& X, Method method) const;
  [[nodiscard]] Matrix apply_to_table(Method method, const Table& X) const;
  void fit_checked(const MatrixView& X, const Vector& y);
  void check_fit_input(std::int64_t rows, std::int64_t cols, const Vector& y) const;
  [[nodiscard]] Matrix apply_matrix(Method method, const MatrixView& X) const;

  std::int64_t n_features_in_ = -1;
  std::vector<std::string> feature_names_in_;
  std::vector<std::string> pending_names_;
  std::vector<ColumnType> feature_types_in_;
  std::vector<std::string> class_labels_;
};

/// A named step of a composite estimator.
using Step = std::pair<std::string, std::shared_ptr<Estimator>>;

/// Estimators made of named estimators (Pipeline). Steps are made by the caller (who has the
/// Registry) and handed over; `dynamic_cast<Composite*>` finds the interface on an Estimator.
class MLPERSIST_API Composite {
 public:
  virtual ~Composite();
  /// Replaces the steps; throws UsageError(kInvalidParameter) on duplicate or invalid names.
  virtual void set_steps(std::vector<Step> steps) = 0;
  [[nodiscard]] virtual const std::vector<Step>& steps() const = 0;
  /// The (name, type tag) of each step that `params` (a get_params() map of this type)
  /// declares, in set_steps order: what a builder makes before it calls set_steps. Throws
  /// UsageError(kInvalidParameter) when `params` do not declare them.
  [[nodiscard]] virtual std::vector<std::pair<std::string, std::string>> declared_steps(
      const Value& params) const = 0;
};

/// Fraction of equal labels.
MLPERSIST_API double accuracy_score(const Vector& y_true, const Vector& y_pred);
/// Coefficient of determination, as scikit-learn's r2_score.
MLPERSIST_API double r2_score(const Vector& y_true, const Vector& y_pred);

/// Calls `method` on a fitted estimator; predict's labels come back as one column.
[[nodiscard]] MLPERSIST_API Matrix apply_method(const Estimator& estimator, Method method,
                                                const MatrixView& X);
/// The same on a mixed table (predict's labels as one column: codes for string classes).
[[nodiscard]] MLPERSIST_API Matrix apply_method(const Estimator& estimator, Method method,
                                                const Table& X);

/// E::kMinReaderVersion when the estimator class declares one, else E::kSchemaVersion.
template <class E>
constexpr std::uint32_t min_reader_version_of() noexcept {
  if constexpr (requires { E::kMinReaderVersion; })
    return E::kMinReaderVersion;
  else
    return E::kSchemaVersion;
}

}  // namespace mlpersist
