#include "linear_regression.hpp"

#include <Eigen/SVD>
#include <limits>

namespace mlpersist::linear_model {

void LinearRegression::do_fit(const MatrixView& X, const Vector& y) {
  const CenteredData data = center(X, y, params_.fit_intercept);
  Eigen::BDCSVD<Eigen::MatrixXd> svd(data.X, Eigen::ComputeThinU | Eigen::ComputeThinV);
  // scipy.linalg.lstsq's default cond: singular values at most eps times the largest count as
  // zero, and their directions are left out, giving the minimum-norm solution.
  svd.setThreshold(std::numeric_limits<double>::epsilon());
  LinearFit fit;
  fit.coef = svd.solve(data.y);
  fit.set_intercept(data);
  fit_ = std::move(fit);
  rank_ = svd.rank();
  singular_ = svd.singularValues();
}

Value LinearRegression::save_state(SaveContext&) const {
  Map m;
  save_linear_fit(fit_, m);
  m.insert("rank_", rank_);
  m.insert("singular_", Tensor::from_vector(singular_));
  return m;
}

void LinearRegression::load_state(const Node& state, LoadContext&) {
  LinearFit fit = load_linear_fit(state, n_features_in());
  // There are min(n_samples, n_features) singular values; n_samples is not recorded.
  const Node singular = state["singular_"];
  const Tensor& s = singular.as_tensor(DType::kFloat64, 1);
  if (s.size() == 0 || s.size() > static_cast<std::uint64_t>(n_features_in()))
    singular.fail("expected between 1 and n_features_in_ singular values");
  if ((s.vector<double>().array() < 0).any()) singular.fail("singular values must be non-negative");
  const std::int64_t rank = state["rank_"].as_int(0, static_cast<std::int64_t>(s.size()));
  fit_ = std::move(fit);
  rank_ = rank;
  singular_ = s.vector<double>();
}

}  // namespace mlpersist::linear_model
