#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <optional>
#include <string>

#include "linear_common.hpp"

namespace mlpersist::linear_model {

/// scikit-learn 1.2's ElasticNet parameters that change the fitted model, with its defaults;
/// Lasso fits with them too (l1_ratio = 1). precompute, copy_X and warm_start only say how to
/// compute and are not parameters here: a fit always starts from zero coefficients, without a
/// Gram matrix, as scikit-learn's defaults do.
struct ElasticNetParams {
  double alpha = 1.0;
  double l1_ratio = 0.5;
  bool fit_intercept = true;
  std::int64_t max_iter = 1000;
  double tol = 1e-4;
  bool positive = false;
  std::optional<std::int64_t> random_state;
  std::string selection = "cyclic";
  static constexpr std::array<std::string_view, 8> kNames{
      "alpha", "l1_ratio", "fit_intercept", "max_iter",
      "tol",   "positive", "random_state",  "selection"};
};

/// A fitted Lasso or ElasticNet: coef_, intercept_, n_iter_ and dual_gap_ (scaled by 1/n, as
/// scikit-learn reports it).
struct EnetFit {
  LinearFit linear;
  std::int64_t n_iter = 0;
  double dual_gap = 0;
};

/// scikit-learn's checks of the parameters; `who` names the estimator in the message.
void validate_enet(const ElasticNetParams& s, std::string_view who);
/// ElasticNet.fit on dense data without sample weights: centring, then coordinate descent.
[[nodiscard]] EnetFit fit_enet(const MatrixView& X, const Vector& y, const ElasticNetParams& s);

/// scikit-learn 1.2's Lasso parameters that change the fitted model, with its defaults.
struct LassoParams {
  double alpha = 1.0;
  bool fit_intercept = true;
  std::int64_t max_iter = 1000;
  double tol = 1e-4;
  bool positive = false;
  std::optional<std::int64_t> random_state;
  std::string selection = "cyclic";
  static constexpr std::array<std::string_view, 7> kNames{
      "alpha", "fit_intercept", "max_iter", "tol", "positive", "random_state", "selection"};
};

/// The ElasticNet parameters a model fits with: Lasso's with l1_ratio = 1.
[[nodiscard]] ElasticNetParams as_elastic_net(const ElasticNetParams& p);
[[nodiscard]] ElasticNetParams as_elastic_net(const LassoParams& p);

/// The state Lasso and ElasticNet share: coef_, intercept_, n_iter_, dual_gap_.
template <class Derived, class P>
class CoordinateDescentRegressor : public EstimatorWithParams<Derived, P> {
 public:
  using EstimatorWithParams<Derived, P>::EstimatorWithParams;

  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kRegressor; }
  [[nodiscard]] bool supports(Method m) const override { return m == Method::kPredict; }
  /// Every pass of coordinate descent reads X once; max_iter passes at most.
  [[nodiscard]] double fit_cost(double n_samples, double n_features) const override {
    return static_cast<double>(this->params_.max_iter) * n_samples * n_features;
  }
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  /// Throws SchemaError naming state.coef_, intercept_, n_iter_ (>= 1) or dual_gap_.
  void load_state(const Node& state, LoadContext& ctx) override;
  /// Throws UsageError(kInvalidParameter) for values scikit-learn refuses.
  void validate_params(const P& p) const { validate_enet(as_elastic_net(p), this->class_name()); }
  /// The ElasticNet parameters this model fits with.
  [[nodiscard]] ElasticNetParams settings() const { return as_elastic_net(this->params_); }

  [[nodiscard]] const EnetFit& fit_result() const noexcept { return fit_; }

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override;
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override {
    return fit_.linear.predict(X);
  }

 private:
  EnetFit fit_;
};

/// Linear regression with combined L1 and L2 penalties, fitted by coordinate descent as
/// scikit-learn's ElasticNet (selection, positive, random_state with its RandomState stream).
class ElasticNet : public CoordinateDescentRegressor<ElasticNet, ElasticNetParams> {
 public:
  static constexpr std::string_view kTypeTag = "linear_model.ElasticNet";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using CoordinateDescentRegressor::CoordinateDescentRegressor;
};

/// Linear regression with an L1 penalty, fitted by coordinate descent as scikit-learn's Lasso.
class Lasso : public CoordinateDescentRegressor<Lasso, LassoParams> {
 public:
  static constexpr std::string_view kTypeTag = "linear_model.Lasso";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using CoordinateDescentRegressor::CoordinateDescentRegressor;
};

}  // namespace mlpersist::linear_model
