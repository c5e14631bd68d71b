#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>

#include "svc.hpp"
#include "svc_solver.hpp"

namespace mlpersist::svm {

/// A fitted epsilon-SVR in scikit-learn's layout.
struct SvrModel {
  std::vector<std::int64_t> support;  ///< training rows with a nonzero coefficient, increasing
  RowMatrix support_vectors;          ///< n_SV x n_features
  Eigen::VectorXd dual_coef;          ///< alpha_i - alpha_i*, one per support vector
  double intercept = 0;               ///< -rho
  std::int64_t n_iter = 0;
  int fit_status = 0;  ///< 1 when the solver stopped at max_iter
};

/// Fits libsvm's epsilon-SVR as scikit-learn's SVR does: the SMO (smo.hpp) on SVR_Q.
/// Throws std::invalid_argument on invalid data or parameters.
[[nodiscard]] SvrModel fit_svr(const RowMatrix& X, const Eigen::VectorXd& y, const KernelSpec& k,
                               const SolverOptions& o, double epsilon);

/// scikit-learn 1.2's SVR parameters that change the fitted model, with its defaults.
struct SVRParams {
  std::string kernel = "rbf";
  int degree = 3;
  Gamma gamma;
  double coef0 = 0.0;
  double tol = 1e-3;
  double C = 1.0;
  double epsilon = 0.1;
  bool shrinking = true;
  double cache_size = 200;
  std::int64_t max_iter = -1;
  static constexpr std::array<std::string_view, 10> kNames{
      "kernel", "degree",  "gamma",     "coef0",      "tol",
      "C",      "epsilon", "shrinking", "cache_size", "max_iter"};
};

/// Epsilon-support vector regression (libsvm's epsilon-SVR). Like SVC's schema 2, the state
/// keeps the fitted kernel (`state.kernel_`), so parameters changed after fitting do not change
/// a loaded model's predictions.
class SVR : public EstimatorWithParams<SVR, SVRParams> {
 public:
  static constexpr std::string_view kTypeTag = "svm.SVR";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  /// Throws UsageError(kInvalidParameter) for values scikit-learn refuses.
  void validate_params(const SVRParams& p) const;
  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kRegressor; }
  [[nodiscard]] bool supports(Method m) const override { return m == Method::kPredict; }
  /// SMO touches the kernel matrix: n^2 kernel evaluations of n_features each.
  [[nodiscard]] double fit_cost(double n_samples, double n_features) const override {
    return n_samples * n_samples * n_features;
  }
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  /// Throws SchemaError naming the member whose shape, count or kernel is inconsistent.
  void load_state(const Node& state, LoadContext& ctx) override;

  [[nodiscard]] const SvrModel& model() const noexcept { return model_; }
  /// The kernel the model was fitted with, whatever the parameters say now.
  [[nodiscard]] const KernelSpec& fitted_kernel() const noexcept { return kernel_; }

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override;
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override;

 private:
  SvrModel model_;
  KernelSpec kernel_;
};

}  // namespace mlpersist::svm
