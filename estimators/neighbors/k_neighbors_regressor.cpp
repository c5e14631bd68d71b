#include "k_neighbors_regressor.hpp"

#include <mlpersist/error.hpp>
#include <vector>

#include "brute_force.hpp"

namespace mlpersist::neighbors {

void KNeighborsRegressor::validate_params(const KNeighborsRegressorParams& p) const {
  validate_neighbors_params(p.n_neighbors, p.weights, "KNeighborsRegressor");
}

void KNeighborsRegressor::do_fit(const MatrixView& X, const Vector& y) {
  fit_X_ = Tensor::from_matrix(X);
  y_ = Tensor::from_vector(y);
}

Vector KNeighborsRegressor::do_predict(const MatrixView& X) const {
  const auto k = static_cast<Eigen::Index>(params_.n_neighbors);
  const std::vector<Neighbor> neighbors =
      checked_k_nearest(X, fit_X_.matrix<double>(), k, "KNeighborsRegressor");
  const auto y = y_.values<double>();
  const bool uniform = params_.weights == "uniform";
  std::vector<double> weights(static_cast<std::size_t>(k));
  Vector out(X.rows());
  for (Eigen::Index q = 0; q < X.rows(); ++q) {
    const Neighbor* row = &neighbors[static_cast<std::size_t>(q * k)];
    // As scikit-learn: np.mean(_y[ind]) for uniform weights, sum(_y[ind] w) / sum(w) otherwise.
    double num = 0;
    double den = 0;
    if (!uniform) distance_weights(row, k, weights.data());
    for (Eigen::Index i = 0; i < k; ++i) {
      const double target = y[static_cast<std::size_t>(row[i].index)];
      const double w = uniform ? 1.0 : weights[static_cast<std::size_t>(i)];
      num += uniform ? target : target * w;
      den += w;
    }
    out(q) = uniform ? num / static_cast<double>(k) : num / den;
  }
  return out;
}

Value KNeighborsRegressor::save_state(SaveContext&) const {
  Map m;
  m.insert("_fit_X", fit_X_);
  m.insert("_y", y_);
  return m;
}

void KNeighborsRegressor::load_state(const Node& state, LoadContext&) {
  const Node fit_X_node = state["_fit_X"];
  const Tensor& fit_X = fit_X_node.as_tensor(DType::kFloat64, 2, /*finite=*/false);
  const std::uint64_t n = fit_X.shape()[0];
  if (n == 0) fit_X_node.fail("expected at least one training sample");
  (void)fit_X_node.as_shaped_tensor(DType::kFloat64,
                                    {n, static_cast<std::uint64_t>(n_features_in())},
                                    /*finite=*/false);
  const Tensor& y = state["_y"].as_shaped_tensor(DType::kFloat64, {n});
  fit_X_ = fit_X;
  y_ = y;
}

}  // namespace mlpersist::neighbors
