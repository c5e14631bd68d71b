#include "linear_common.hpp"

#include <algorithm>
#include <string>

#include "common/numeric.hpp"
#include "common/state_checks.hpp"

namespace mlpersist::linear_model {

CenteredData center(const MatrixView& X, const Vector& y, bool fit_intercept) {
  CenteredData d{X, y, Vector::Zero(X.cols()), 0.0};
  if (!fit_intercept) return d;
  d.x_offset = common::column_means(X);
  d.y_offset = common::numpy_sum(y) / static_cast<double>(y.size());
  d.X.rowwise() -= d.x_offset.transpose();
  d.y.array() -= d.y_offset;
  return d;
}

Vector LinearFit::predict(const MatrixView& X) const {
  Vector out = X * coef;
  out.array() += intercept;
  return out;
}

void LinearFit::set_intercept(const CenteredData& data) {
  intercept = data.y_offset - data.x_offset.dot(coef);
}

void save_linear_fit(const LinearFit& fit, Map& state) {
  state.insert("coef_", Tensor::from_vector(fit.coef));
  state.insert("intercept_", fit.intercept);
}

LinearFit load_linear_fit(const Node& state, std::int64_t n_features) {
  LinearFit fit;
  fit.coef = common::read_vector(state["coef_"], static_cast<std::uint64_t>(n_features));
  fit.intercept = state["intercept_"].as_double();
  return fit;
}

}  // namespace mlpersist::linear_model
