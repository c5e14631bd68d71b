#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <vector>

#include "linear_common.hpp"

namespace mlpersist::linear_model {

/// scikit-learn 1.2's LogisticRegression parameters that change the fitted model with the
/// default penalty='l2', solver='lbfgs', multi_class='auto', in its constructor's order.
struct LogisticRegressionParams {
  double tol = 1e-4;
  double C = 1.0;
  bool fit_intercept = true;
  int max_iter = 100;
  static constexpr std::array<std::string_view, 4> kNames{"tol", "C", "fit_intercept", "max_iter"};
};

/// L2-penalised logistic regression fitted by L-BFGS: binomial for two classes (one coefficient
/// row, for classes_[1]), multinomial (softmax, one row per class) for more.
///
/// The fit stops when max |gradient| <= tol (or after max_iter iterations). Unlike scipy, which
/// scikit-learn calls, it does not also stop on a small relative decrease of the objective: that
/// test makes the result depend on rounding on ill-conditioned data, and without it the
/// solution lies at least as close to the optimum as scikit-learn's (so n_iter_ may be larger).
class LogisticRegression
    : public EstimatorWithParams<LogisticRegression, LogisticRegressionParams> {
 public:
  static constexpr std::string_view kTypeTag = "linear_model.LogisticRegression";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  /// Throws UsageError(kInvalidParameter) unless C > 0 (finite), tol >= 0 and max_iter >= 0.
  void validate_params(const LogisticRegressionParams& p) const;
  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kClassifier; }
  [[nodiscard]] bool supports(Method m) const override;
  [[nodiscard]] double fit_cost(double n_samples, double n_features) const override;
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  void load_state(const Node& state, LoadContext& ctx) override;

  /// coef_: one row per class, or a single row for two classes.
  [[nodiscard]] const Matrix& coef() const noexcept { return coef_; }
  /// intercept_: one per row of coef_ (zeros without an intercept).
  [[nodiscard]] const Vector& intercept() const noexcept { return intercept_; }
  /// classes_: the sorted distinct training labels.
  [[nodiscard]] const std::vector<double>& classes() const noexcept { return classes_; }
  /// n_iter_: L-BFGS iterations, capped at max_iter as scikit-learn reports them.
  [[nodiscard]] std::int64_t n_iter() const noexcept { return n_iter_; }
  /// Whether the last fit met a stopping test before max_iter (scikit-learn warns otherwise).
  [[nodiscard]] bool converged() const noexcept { return converged_; }

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override;
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override;
  [[nodiscard]] Matrix do_decision_function(const MatrixView& X) const override;
  [[nodiscard]] Matrix do_predict_proba(const MatrixView& X) const override;

 private:
  std::vector<double> classes_;
  Matrix coef_;
  Vector intercept_;
  std::int64_t n_iter_ = 0;
  bool converged_ = true;
};

}  // namespace mlpersist::linear_model
