#include "svr.hpp"

#include <algorithm>
#include <cmath>
#include <mlpersist/error.hpp>
#include <mlpersist/progress.hpp>
#include <stdexcept>

namespace mlpersist::svm {
namespace {

Tensor int_tensor(const std::vector<std::int64_t>& v) {
  return Tensor::from_values(std::span<const std::int64_t>(v));
}

// libsvm's solve_epsilon_svr: the 2l variables alpha_i (label +1, linear term epsilon - y_i)
// then alpha*_i (label -1, epsilon + y_i) of the l rows of X; coef holds alpha_i then -alpha*_i.
SmoSolution solve_epsilon_svr(const RowMatrix& X, const Eigen::VectorXd& y, double epsilon,
                              const KernelSpec& k, const SolverOptions& o, ProgressTask& progress) {
  const Eigen::Index l = X.rows();
  std::vector<signed char> labels(static_cast<std::size_t>(2 * l), +1);
  std::vector<double> p(static_cast<std::size_t>(2 * l));
  for (Eigen::Index i = 0; i < l; ++i) {
    labels[static_cast<std::size_t>(l + i)] = -1;
    p[static_cast<std::size_t>(i)] = epsilon - y[i];
    p[static_cast<std::size_t>(l + i)] = epsilon + y[i];
  }
  const auto q = svr_q(X, k, o.cache_mb);
  return solve_smo(*q, std::move(labels), std::move(p), o, progress);
}

}  // namespace

SvrModel fit_svr(const RowMatrix& X, const Eigen::VectorXd& y, const KernelSpec& k,
                 const SolverOptions& o, double epsilon) {
  const Eigen::Index l = X.rows();
  if (l == 0 || y.size() != l) throw std::invalid_argument("fit_svr: X and y sizes disagree");
  if (!std::isfinite(epsilon) || epsilon < 0)
    throw std::invalid_argument("fit_svr: epsilon must be a finite number >= 0");
  const std::uint64_t cap = o.max_iter == -1 ? 0 : static_cast<std::uint64_t>(o.max_iter);
  ProgressTask progress("iterations", cap);
  const SmoSolution s = solve_epsilon_svr(X, y, epsilon, k, o, progress);
  SvrModel m;
  std::vector<double> coef;
  for (Eigen::Index i = 0; i < l; ++i) {
    // coef holds y_t alpha_t: alpha_i and -alpha*_i.
    const double a = s.coef[static_cast<std::size_t>(i)] + s.coef[static_cast<std::size_t>(l + i)];
    if (a == 0) continue;
    m.support.push_back(i);
    coef.push_back(a);
  }
  m.support_vectors.resize(std::ssize(m.support), X.cols());
  for (Eigen::Index r = 0; r < std::ssize(m.support); ++r)
    m.support_vectors.row(r) = X.row(m.support[static_cast<std::size_t>(r)]);
  m.dual_coef = Eigen::Map<const Eigen::VectorXd>(coef.data(), std::ssize(coef));
  m.intercept = -s.rho;
  m.n_iter = s.n_iter;
  m.fit_status = s.timed_out ? 1 : 0;
  return m;
}

void SVR::validate_params(const SVRParams& p) const {
  (void)kernel_kind("SVR", p.kernel);
  if (!(p.C > 0) || !std::isfinite(p.C)) invalid_param("C must be a finite number > 0");
  if (!(p.epsilon >= 0) || !std::isfinite(p.epsilon))
    invalid_param("epsilon must be a finite number >= 0");
  if (p.degree < 0) invalid_param("degree must be non-negative");
  if (!(p.tol > 0) || !std::isfinite(p.tol)) invalid_param("tol must be a finite number > 0");
  if (!std::isfinite(p.coef0)) invalid_param("coef0 must be finite");
  if (!(p.cache_size > 0) || !std::isfinite(p.cache_size))
    invalid_param("cache_size must be a finite number > 0");
  if (p.max_iter < -1 || p.max_iter == 0)
    invalid_param("max_iter must be -1 (no limit) or positive");
}

void SVR::do_fit(const MatrixView& X, const Vector& y) {
  const KernelSpec k =
      kernel_for_fit("SVR", params_.kernel, params_.degree, params_.gamma, params_.coef0, X);
  const SolverOptions o = solver_options(params_);
  try {
    model_ = fit_svr(X, y, k, o, params_.epsilon);
  } catch (const std::invalid_argument& e) {
    throw UsageError(ErrorCode::kInvalidInput, std::string("SVR.fit: ") + e.what());
  }
  kernel_ = k;
}

Vector SVR::do_predict(const MatrixView& X) const {
  Vector out = kernel_expansion(kernel_, model_.support_vectors, model_.dual_coef, X);
  out.array() += model_.intercept;
  return out;
}

Value SVR::save_state(SaveContext&) const {
  Map m;
  m.insert("support_", int_tensor(model_.support));
  m.insert("support_vectors_", Tensor::from_matrix(model_.support_vectors));
  m.insert("dual_coef_", Tensor::from_matrix(model_.dual_coef.transpose()));
  m.insert("intercept_", Tensor::from_vector(Vector::Constant(1, model_.intercept)));
  m.insert("n_support_", int_tensor({std::ssize(model_.support)}));
  m.insert("n_iter_", model_.n_iter);
  m.insert("fit_status_", model_.fit_status);
  m.insert("kernel_", kernel_to_value(kernel_));
  return m;
}

void SVR::load_state(const Node& state, LoadContext&) {
  SvrModel m;
  const Node support = state["support_"];
  const auto idx = support.as_tensor(DType::kInt64, 1).values<std::int64_t>();
  if (std::any_of(idx.begin(), idx.end(), [](std::int64_t i) { return i < 0; }))
    support.fail("expected training row indices >= 0");
  m.support.assign(idx.begin(), idx.end());
  const auto n_sv = static_cast<std::uint64_t>(idx.size());
  const auto n_support = state["n_support_"].as_shaped_tensor(DType::kInt64, {1});
  if (n_support.values<std::int64_t>()[0] != static_cast<std::int64_t>(n_sv))
    state["n_support_"].fail("expected [" + std::to_string(n_sv) + "], the length of support_");
  m.support_vectors =
      state["support_vectors_"]
          .as_shaped_tensor(DType::kFloat64, {n_sv, static_cast<std::uint64_t>(n_features_in())})
          .matrix<double>();
  m.dual_coef = state["dual_coef_"]
                    .as_shaped_tensor(DType::kFloat64, {1, n_sv})
                    .matrix<double>()
                    .row(0)
                    .transpose();
  m.intercept = state["intercept_"].as_shaped_tensor(DType::kFloat64, {1}).values<double>()[0];
  m.n_iter = state["n_iter_"].as_int(0);
  m.fit_status = static_cast<int>(state["fit_status_"].as_int(0, 1));
  const KernelSpec k = kernel_from_value(state["kernel_"]);
  model_ = std::move(m);
  kernel_ = k;
}

}  // namespace mlpersist::svm
