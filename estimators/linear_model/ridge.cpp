#include "ridge.hpp"

#include <Eigen/Cholesky>
#include <Eigen/SVD>
#include <cmath>
#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>
#include <optional>
#include <string>

#include "common/migration.hpp"

namespace mlpersist::linear_model {
namespace {

// scipy.linalg.solve(A, b, assume_a='pos'): a Cholesky factorisation, which fails (and makes
// scikit-learn switch to its SVD solver) when A is not numerically positive definite.
std::optional<Vector> solve_positive(Eigen::MatrixXd A, const Vector& b, double alpha) {
  A.diagonal().array() += alpha;
  const Eigen::LLT<Eigen::MatrixXd> llt(A);
  if (llt.info() != Eigen::Success) return std::nullopt;
  return llt.solve(b);
}

// scikit-learn's _solve_svd: coef = V diag(s / (s^2 + alpha)) U' y, dropping s <= 1e-15.
Vector solve_svd(const Eigen::MatrixXd& X, const Vector& y, double alpha) {
  const Eigen::BDCSVD<Eigen::MatrixXd> svd(X, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Vector& s = svd.singularValues();
  Vector d = Vector::Zero(s.size());
  for (Eigen::Index i = 0; i < s.size(); ++i)
    if (s(i) > 1e-15) d(i) = s(i) / (s(i) * s(i) + alpha);
  const Vector uty = svd.matrixU().transpose() * y;
  return svd.matrixV() * d.cwiseProduct(uty);
}

constexpr std::string_view kCholesky = "cholesky";
constexpr std::string_view kSvd = "svd";

}  // namespace

RidgeSolution solve_ridge(const Eigen::MatrixXd& X, const Vector& y, double alpha) {
  std::optional<Vector> coef;
  if (X.cols() > X.rows()) {
    // Dual form: fewer unknowns when there are more features than samples.
    const Eigen::MatrixXd K = X * X.transpose();
    if (const auto dual = solve_positive(K, y, alpha)) coef = X.transpose() * *dual;
  } else {
    coef = solve_positive(X.transpose() * X, X.transpose() * y, alpha);
  }
  if (coef) return {std::move(*coef), kCholesky};
  return {solve_svd(X, y, alpha), kSvd};
}

Value upgrade_ridge_1_to_2(const Node& document) {
  // solver_ is optional: which solver an old fit used is unknown, so it stays absent.
  return document.value();
}

Value downgrade_ridge_2_to_1(const Node& document) {
  return common::rewrite_state(document, [](const Node& state) {
    Map old = state.as_map();
    old.erase("solver_");
    return old;
  });
}

void Ridge::validate_params(const RidgeParams& p) const {
  if (!(p.alpha >= 0) || !std::isfinite(p.alpha))
    invalid_param("alpha must be a finite number >= 0, got " + format_double(p.alpha));
}

void Ridge::do_fit(const MatrixView& X, const Vector& y) {
  const CenteredData data = center(X, y, params_.fit_intercept);
  LinearFit fit;
  RidgeSolution solution = solve_ridge(data.X, data.y, params_.alpha);
  fit.coef = std::move(solution.coef);
  fit.set_intercept(data);
  fit_ = std::move(fit);
  solver_ = std::string(solution.solver);
}

Value Ridge::save_state(SaveContext&) const {
  Map m;
  save_linear_fit(fit_, m);
  if (!solver_.empty()) m.insert("solver_", solver_);
  return m;
}

void Ridge::load_state(const Node& state, LoadContext&) {
  std::string solver;
  if (auto s = state.find("solver_")) {
    solver = s->as_string();
    if (solver != kCholesky && solver != kSvd) s->fail("expected 'cholesky' or 'svd'");
  }
  fit_ = load_linear_fit(state, n_features_in());
  solver_ = std::move(solver);
}

}  // namespace mlpersist::linear_model
