#include "svc.hpp"

#include <algorithm>
#include <climits>
#include <mlpersist/error.hpp>
#include <optional>
#include <stdexcept>

#include "common/checked_counts.hpp"
#include "common/classes.hpp"

namespace mlpersist::svm {
namespace {

constexpr std::pair<std::string_view, KernelKind> kKernels[] = {{"linear", KernelKind::linear},
                                                                {"poly", KernelKind::poly},
                                                                {"rbf", KernelKind::rbf},
                                                                {"sigmoid", KernelKind::sigmoid}};

constexpr std::string_view kKernelChoice = "kernel must be 'linear', 'poly', 'rbf' or 'sigmoid'";

std::optional<KernelKind> find_kernel(const std::string& name) {
  for (const auto& [n, k] : kKernels)
    if (n == name) return k;
  return std::nullopt;
}

double positive_gamma(const Node& n) {
  const double g = n.as_double();
  if (!(g > 0)) n.fail("gamma must be positive");
  return g;
}

Tensor int_tensor(const std::vector<std::int64_t>& v) {
  return Tensor::from_values(std::span<const std::int64_t>(v));
}

std::vector<std::int64_t> int_vector(const Tensor& t) {
  const auto v = t.values<std::int64_t>();
  return {v.begin(), v.end()};
}

}  // namespace

Value param_to_value(const Gamma& g) {
  return std::visit([](const auto& v) { return Value(v); }, g.value);
}

void param_from_node(const Node& n, Gamma& out) {
  if (n.value().kind() == Kind::kString) {
    const std::string& s = n.as_string();
    if (s != "scale" && s != "auto") n.fail("gamma must be 'scale', 'auto' or a positive number");
    out.value = s;
    return;
  }
  const double g = n.as_double();
  if (g <= 0) n.fail("gamma must be 'scale', 'auto' or a positive number");
  out.value = g;
}

KernelKind kernel_kind(std::string_view who, const std::string& name) {
  if (auto k = find_kernel(name)) return *k;
  throw_invalid_param(who, std::string(kKernelChoice) + ", got '" + name + "'");
}

KernelSpec kernel_for_fit(std::string_view who, const std::string& kernel, int degree,
                          const Gamma& gamma, double coef0, const MatrixView& X) {
  KernelSpec k;
  k.kind = kernel_kind(who, kernel);
  k.degree = degree;
  k.coef0 = coef0;
  if (const auto* name = std::get_if<std::string>(&gamma.value))
    k.gamma = *name == "scale" ? gamma_scale(X) : gamma_auto(X);
  else
    k.gamma = std::get<double>(gamma.value);
  return k;
}

std::string_view kernel_name(KernelKind kind) noexcept {
  for (const auto& [n, k] : kKernels)
    if (k == kind) return n;
  return {};
}

KernelSpec read_kernel(const Node& kernel, const Node& gamma, const Node& degree,
                       const Node& coef0) {
  KernelSpec k;
  const auto kind = find_kernel(kernel.as_string());
  if (!kind) kernel.fail(std::string(kKernelChoice) + ", got '" + kernel.as_string() + "'");
  k.kind = *kind;
  k.gamma = positive_gamma(gamma);
  k.degree = static_cast<int>(degree.as_int(0, INT32_MAX));
  k.coef0 = coef0.as_double();
  return k;
}

Value kernel_to_value(const KernelSpec& k) {
  Map m;
  m.insert("kernel", kernel_name(k.kind));
  m.insert("gamma", k.gamma);
  m.insert("degree", k.degree);
  m.insert("coef0", k.coef0);
  return m;
}

KernelSpec kernel_from_value(const Node& kernel) {
  return read_kernel(kernel["kernel"], kernel["gamma"], kernel["degree"], kernel["coef0"]);
}

void SVC::validate_params(const SVCParams& p) const {
  (void)kernel_kind("SVC", p.kernel);
  if (!(p.C > 0)) invalid_param("C must be positive");
  if (p.degree < 0) invalid_param("degree must be non-negative");
  if (!(p.tol > 0)) invalid_param("tol must be positive");
  if (!(p.cache_size > 0)) invalid_param("cache_size must be positive");
  if (p.max_iter < -1 || p.max_iter == 0)
    invalid_param("max_iter must be -1 (no limit) or positive");
  if (p.decision_function_shape != "ovr" && p.decision_function_shape != "ovo")
    invalid_param("decision_function_shape must be 'ovr' or 'ovo'");
}

double SVC::fit_cost(double n_samples, double n_features) const {
  // SMO touches the kernel matrix: n^2 kernel evaluations of n_features each.
  return n_samples * n_samples * n_features;
}

bool SVC::supports(Method m) const {
  return m == Method::kPredict || m == Method::kDecisionFunction;
}

void SVC::do_fit(const MatrixView& X, const Vector& y) {
  const KernelSpec k =
      kernel_for_fit("SVC", params_.kernel, params_.degree, params_.gamma, params_.coef0, X);
  const SolverOptions o = solver_options(params_);
  try {
    model_ = fit_svc(X, y, k, o);
  } catch (const std::invalid_argument& e) {
    throw UsageError(ErrorCode::kInvalidInput, std::string("SVC.fit: ") + e.what());
  }
  kernel_ = k;
}

Matrix SVC::decision_ovo(const MatrixView& X) const {
  return svm::decision_ovo(model_, kernel_, X);
}

Vector SVC::do_predict(const MatrixView& X) const {
  return svm::predict(model_, decision_ovo(X));
}

Matrix SVC::do_decision_function(const MatrixView& X) const {
  const Matrix ovo = decision_ovo(X);
  if (params_.decision_function_shape == "ovo" && model_.classes.size() > 2) return ovo;
  return svm::decision_function(model_, ovo);
}

Value SVC::save_state(SaveContext&) const {
  Map m;
  m.insert("classes_", Tensor::from_values(std::span<const double>(model_.classes)));
  m.insert("support_", int_tensor(model_.support));
  m.insert("support_vectors_", Tensor::from_matrix(model_.support_vectors));
  m.insert("dual_coef_", Tensor::from_matrix(model_.dual_coef));
  m.insert("intercept_", Tensor::from_values(std::span<const double>(model_.intercept)));
  m.insert("n_support_", int_tensor(model_.n_support));
  m.insert("n_iter_", int_tensor(model_.n_iter));
  m.insert("fit_status_", model_.fit_status);
  m.insert("kernel_", kernel_to_value(kernel_));
  return m;
}

void SVC::load_state(const Node& state, LoadContext&) {
  SvcModel m;
  const Node classes = state["classes_"];
  m.classes = common::read_classes(classes, 2);
  const auto n_classes = static_cast<std::uint64_t>(m.classes.size());
  const auto pairs_twice = common::checked_mul(n_classes, n_classes - 1);
  if (!pairs_twice) classes.fail("too many classes: their pairs overflow a 64-bit count");
  const std::uint64_t n_pairs = *pairs_twice / 2;

  const Node n_support = state["n_support_"];
  m.n_support = int_vector(n_support.as_shaped_tensor(DType::kInt64, {n_classes}));
  // Checked: support counts that wrap around could add up to the real number of support
  // vectors and pass the shape checks below, and predict would slice beyond the arrays.
  const std::uint64_t n_sv = common::total_count(n_support, m.n_support);
  const auto n_features = static_cast<std::uint64_t>(n_features_in());
  m.support_vectors = state["support_vectors_"]
                          .as_shaped_tensor(DType::kFloat64, {n_sv, n_features})
                          .matrix<double>();
  m.dual_coef =
      state["dual_coef_"].as_shaped_tensor(DType::kFloat64, {n_classes - 1, n_sv}).matrix<double>();
  const auto b = state["intercept_"].as_shaped_tensor(DType::kFloat64, {n_pairs}).values<double>();
  m.intercept.assign(b.begin(), b.end());
  m.support = int_vector(state["support_"].as_shaped_tensor(DType::kInt64, {n_sv}));
  m.n_iter = int_vector(state["n_iter_"].as_tensor(DType::kInt64, 1));
  m.fit_status = static_cast<int>(state["fit_status_"].as_int(0, 1));

  // The fitted kernel, not the parameters, which may have been changed after fitting.
  const KernelSpec k = kernel_from_value(state["kernel_"]);
  model_ = std::move(m);
  kernel_ = k;
}

}  // namespace mlpersist::svm
