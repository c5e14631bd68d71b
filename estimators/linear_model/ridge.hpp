#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>

#include "linear_common.hpp"

namespace mlpersist::linear_model {

/// scikit-learn 1.2's Ridge parameters that change the fitted model (solver 'auto').
struct RidgeParams {
  double alpha = 1.0;
  bool fit_intercept = true;
  static constexpr std::array<std::string_view, 2> kNames{"alpha", "fit_intercept"};
};

/// How solve_ridge solved: scikit-learn 1.5's `solver_` names the solver actually used.
struct RidgeSolution {
  Vector coef;
  std::string_view solver;  ///< "cholesky", or "svd" after the fallback
};

/// Linear least squares with an L2 penalty alpha ||coef||^2, solved as scikit-learn's 'auto'
/// solver does for dense data: a Cholesky factorisation of the centred normal equations (or of
/// the kernel X X' + alpha I when there are more features than samples), falling back to an SVD
/// when the system is not positive definite.
class Ridge : public EstimatorWithParams<Ridge, RidgeParams> {
 public:
  static constexpr std::string_view kTypeTag = "linear_model.Ridge";
  /// Schema 2 added the optional `solver_` (as scikit-learn 1.5 did); schema-1 readers ignore
  /// it, so files keep min_reader_version 1.
  static constexpr std::uint32_t kSchemaVersion = 2;
  static constexpr std::uint32_t kMinReaderVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  /// Throws UsageError(kInvalidParameter) unless alpha is finite and >= 0.
  void validate_params(const RidgeParams& p) const;
  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kRegressor; }
  [[nodiscard]] bool supports(Method m) const override { return m == Method::kPredict; }
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  void load_state(const Node& state, LoadContext& ctx) override;

  /// coef_ and intercept_.
  [[nodiscard]] const LinearFit& fit_result() const noexcept { return fit_; }
  /// The solver fit used; empty for a model loaded from a schema-1 file (not recorded then).
  [[nodiscard]] const std::string& solver() const noexcept { return solver_; }

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override;
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override { return fit_.predict(X); }

 private:
  LinearFit fit_;
  std::string solver_;
};

/// Ridge coefficients for centred data (no intercept), as scikit-learn's _ridge_regression with
/// solver 'cholesky' and its SVD fallback.
[[nodiscard]] RidgeSolution solve_ridge(const Eigen::MatrixXd& X, const Vector& y, double alpha);

/// Schema hooks: 1 -> 2 adds nothing (solver_ is optional), 2 -> 1 drops solver_.
[[nodiscard]] Value upgrade_ridge_1_to_2(const Node& document);
[[nodiscard]] Value downgrade_ridge_2_to_1(const Node& document);

}  // namespace mlpersist::linear_model
