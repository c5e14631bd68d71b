#include "coordinate_descent.hpp"

#include <algorithm>
#include <cmath>
#include <mlpersist/progress.hpp>

namespace mlpersist::linear_model {
namespace {

constexpr std::uint32_t kRandRMax = 0x7FFFFFFF;

// scikit-learn's `our_rand_r` (utils/_random.pxd): a xorshift step, 0 replaced by its default
// seed 1, the result folded into [0, RAND_R_MAX].
std::uint32_t our_rand_r(std::uint32_t& seed) {
  if (seed == 0) seed = 1;
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed % (kRandRMax + 1U);
}

// The duality gap of cd_fast at w with residual R (its stopping test).
double duality_gap(const Eigen::MatrixXd& X, const Vector& y, const Vector& w, const Vector& R,
                   const CdSettings& s) {
  const Vector XtA = X.transpose() * R - s.l2 * w;
  const double dual_norm = s.positive ? XtA.maxCoeff() : XtA.cwiseAbs().maxCoeff();
  const double r_norm2 = R.squaredNorm();
  const double w_norm2 = w.squaredNorm();
  double c = 1.0;
  double gap = r_norm2;
  if (dual_norm > s.l1) {
    c = s.l1 / dual_norm;
    gap = 0.5 * (r_norm2 + r_norm2 * c * c);
  }
  return gap + s.l1 * w.cwiseAbs().sum() - c * R.dot(y) + 0.5 * s.l2 * (1 + c * c) * w_norm2;
}

// One pass over the coordinates; returns {largest |w_j|, largest change of a w_j}.
std::pair<double, double> sweep(const Eigen::MatrixXd& X, const Vector& norms, Vector& w, Vector& R,
                                const CdSettings& s, std::uint32_t& rand_state) {
  double w_max = 0;
  double d_w_max = 0;
  const Eigen::Index n_features = X.cols();
  for (Eigen::Index f = 0; f < n_features; ++f) {
    const Eigen::Index j = s.random
                               ? static_cast<Eigen::Index>(our_rand_r(rand_state) %
                                                           static_cast<std::uint32_t>(n_features))
                               : f;
    if (norms[j] == 0.0) continue;
    const double w_j = w[j];
    if (w_j != 0.0) R += w_j * X.col(j);
    const double tmp = X.col(j).dot(R);
    if (s.positive && tmp < 0) {
      w[j] = 0.0;
    } else {
      const double shrunk = std::max(std::abs(tmp) - s.l1, 0.0);
      w[j] = std::copysign(1.0, tmp) * shrunk / (norms[j] + s.l2);
    }
    if (w[j] != 0.0) R -= w[j] * X.col(j);
    d_w_max = std::max(d_w_max, std::abs(w[j] - w_j));
    w_max = std::max(w_max, std::abs(w[j]));
  }
  return {w_max, d_w_max};
}

}  // namespace

CdResult enet_coordinate_descent(const Eigen::MatrixXd& X, const Vector& y, const CdSettings& s) {
  CdResult out;
  out.coef = Vector::Zero(X.cols());
  Vector& w = out.coef;
  const Vector norms = X.colwise().squaredNorm().transpose();
  Vector R = y;  // y - X w at w = 0
  const double gap_tol = s.tol * y.squaredNorm();
  std::uint32_t rand_state = s.seed;
  ProgressTask progress("iterations", static_cast<std::uint64_t>(s.max_iter));
  for (std::int64_t n_iter = 0; n_iter < s.max_iter; ++n_iter) {
    out.n_iter = n_iter + 1;
    const auto [w_max, d_w_max] = sweep(X, norms, w, R, s, rand_state);
    progress.advance();
    if (w_max == 0.0 || d_w_max / w_max < s.tol || n_iter == s.max_iter - 1) {
      out.gap = duality_gap(X, y, w, R, s);
      if (out.gap < gap_tol) break;
    }
  }
  return out;
}

}  // namespace mlpersist::linear_model
