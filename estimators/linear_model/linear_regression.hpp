#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>

#include "linear_common.hpp"

namespace mlpersist::linear_model {

/// scikit-learn 1.2's LinearRegression parameters that change the fitted model.
struct LinearRegressionParams {
  bool fit_intercept = true;
  static constexpr std::array<std::string_view, 1> kNames{"fit_intercept"};
};

/// Ordinary least squares: the minimum-norm solution of min ||X coef + intercept - y||^2, found by
/// an SVD of the centred data with scipy.linalg.lstsq's rank cut-off (eps * largest singular
/// value).
class LinearRegression : public EstimatorWithParams<LinearRegression, LinearRegressionParams> {
 public:
  static constexpr std::string_view kTypeTag = "linear_model.LinearRegression";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kRegressor; }
  [[nodiscard]] bool supports(Method m) const override { return m == Method::kPredict; }
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  void load_state(const Node& state, LoadContext& ctx) override;

  /// coef_ and intercept_.
  [[nodiscard]] const LinearFit& fit_result() const noexcept { return fit_; }
  /// Effective rank of the (centred) training data (scikit-learn's rank_).
  [[nodiscard]] std::int64_t rank() const noexcept { return rank_; }
  /// Singular values of the (centred) training data, decreasing (scikit-learn's singular_).
  [[nodiscard]] const Vector& singular_values() const noexcept { return singular_; }

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override;
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override { return fit_.predict(X); }

 private:
  LinearFit fit_;
  std::int64_t rank_ = 0;
  Vector singular_;
};

}  // namespace mlpersist::linear_model
