// Coordinate descent for the elastic net, step for step as scikit-learn 1.2's
// `cd_fast.enet_coordinate_descent` (dense X, no Gram matrix), so that Lasso and ElasticNet take
// the same path, stop at the same iteration and report the same duality gap.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <mlpersist/estimator.hpp>

namespace mlpersist::linear_model {

/// What cd_fast receives besides the data. The penalties are already scaled by n_samples:
/// l1 = alpha * l1_ratio * n, l2 = alpha * (1 - l1_ratio) * n.
struct CdSettings {
  double l1 = 0;
  double l2 = 0;
  std::int64_t max_iter = 1000;
  double tol = 1e-4;
  bool random = false;  ///< selection='random': coordinates drawn with replacement
  bool positive = false;
  std::uint32_t seed = 0;  ///< the rand_r state, RandomState.randint(0, 2**31 - 1)
};

/// The solution and cd_fast's other return values.
struct CdResult {
  Vector coef;
  double gap = 0;           ///< duality gap of the last check, unscaled (cd_fast's)
  std::int64_t n_iter = 0;  ///< passes over the coordinates
};

/// Minimises 0.5 ||y - X w||^2 + l1 ||w||_1 + 0.5 l2 ||w||^2 (w >= 0 when positive) from
/// w = 0, stopping when a pass moves no coefficient by more than tol relative to the largest
/// and the duality gap is below tol * ||y||^2, or after max_iter passes. X is column-major.
[[nodiscard]] CdResult enet_coordinate_descent(const Eigen::MatrixXd& X, const Vector& y,
                                               const CdSettings& s);

}  // namespace mlpersist::linear_model
