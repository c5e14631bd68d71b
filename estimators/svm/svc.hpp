#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <string>
#include <variant>

#include "svc_solver.hpp"

namespace mlpersist::svm {

/// SVC's gamma: 'scale', 'auto' or a positive number, as in scikit-learn.
struct Gamma {
  std::variant<std::string, double> value = std::string("scale");
  friend bool operator==(const Gamma&, const Gamma&) = default;
};
Value param_to_value(const Gamma& g);
void param_from_node(const Node& n, Gamma& out);

/// The kernel of a kernel name; throws UsageError(kInvalidParameter) naming `who` for an
/// unknown name.
[[nodiscard]] KernelKind kernel_kind(std::string_view who, const std::string& name);
/// The kernel a fit on X uses: gamma 'scale' and 'auto' resolved on X, as scikit-learn's.
/// Throws as kernel_kind.
[[nodiscard]] KernelSpec kernel_for_fit(std::string_view who, const std::string& kernel, int degree,
                                        const Gamma& gamma, double coef0, const MatrixView& X);

/// The solver options of SVC's and SVR's parameters (C, tol, shrinking, max_iter, cache_size).
template <class Params>
[[nodiscard]] SolverOptions solver_options(const Params& p) {
  SolverOptions o;
  o.C = p.C;
  o.tol = p.tol;
  o.shrinking = p.shrinking;
  o.max_iter = static_cast<long>(p.max_iter);
  o.cache_mb = p.cache_size;
  return o;
}

/// scikit-learn's name of a kernel: "linear", "poly", "rbf" or "sigmoid".
[[nodiscard]] std::string_view kernel_name(KernelKind kind) noexcept;
/// A kernel from its four members, wherever a schema version keeps them. Throws SchemaError
/// naming the offending member: an unknown kernel name, a gamma that is not positive and
/// finite, a degree outside [0, 2^31) (scikit-learn's degree >= 0), a coef0 that is not finite.
[[nodiscard]] KernelSpec read_kernel(const Node& kernel, const Node& gamma, const Node& degree,
                                     const Node& coef0);
/// The fitted kernel as schema 2 saves it in `state.kernel_`:
/// {"kernel": name, "gamma": double, "degree": int, "coef0": double}.
[[nodiscard]] Value kernel_to_value(const KernelSpec& k);
/// Inverse of kernel_to_value, validated as read_kernel.
[[nodiscard]] KernelSpec kernel_from_value(const Node& kernel);

/// scikit-learn 1.2's SVC parameters that change the fitted model, with its defaults.
struct SVCParams {
  double C = 1.0;
  std::string kernel = "rbf";
  int degree = 3;
  Gamma gamma;
  double coef0 = 0.0;
  double tol = 1e-3;
  bool shrinking = true;
  std::int64_t max_iter = -1;
  double cache_size = 200;
  std::string decision_function_shape = "ovr";
  static constexpr std::array<std::string_view, 10> kNames{
      "C",   "kernel",    "degree",   "gamma",      "coef0",
      "tol", "shrinking", "max_iter", "cache_size", "decision_function_shape"};
};

/// C-support vector classification (libsvm's C-SVC, one-vs-one for several classes).
///
/// Schema 2 saves the kernel the model was fitted with (`state.kernel_`); schema 1 saved only
/// `_gamma` and took the rest of the kernel from the parameters at load, so that parameters
/// changed after fitting changed a loaded model's decisions. See svc_migrations.hpp.
class SVC : public EstimatorWithParams<SVC, SVCParams> {
 public:
  static constexpr std::string_view kTypeTag = "svm.SVC";
  static constexpr std::uint32_t kSchemaVersion = 2;
  // A schema 1 reader needs _gamma and takes the kernel from the parameters: breaking.
  static constexpr std::uint32_t kMinReaderVersion = 2;
  using EstimatorWithParams::EstimatorWithParams;

  void validate_params(const SVCParams& p) const;
  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kClassifier; }
  [[nodiscard]] bool supports(Method m) const override;
  [[nodiscard]] double fit_cost(double n_samples, double n_features) const override;
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  void load_state(const Node& state, LoadContext& ctx) override;

  /// The fitted model in scikit-learn's layout (support_, dual_coef_, ...).
  [[nodiscard]] const SvcModel& model() const noexcept { return model_; }
  /// The numeric gamma used by the kernel (scikit-learn's `_gamma`).
  [[nodiscard]] double fitted_gamma() const noexcept { return kernel_.gamma; }
  /// The kernel the model was fitted with, whatever the parameters say now.
  [[nodiscard]] const KernelSpec& fitted_kernel() const noexcept { return kernel_; }
  /// The raw one-vs-one decision values, whatever decision_function_shape says.
  [[nodiscard]] Matrix decision_ovo(const MatrixView& X) const;

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override;
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override;
  [[nodiscard]] Matrix do_decision_function(const MatrixView& X) const override;

 private:
  SvcModel model_;
  KernelSpec kernel_;
};

}  // namespace mlpersist::svm
