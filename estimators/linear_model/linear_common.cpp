#include "linear_common.hpp"

#include <algorithm>
#include <string>

#include "common/numeric.hpp"
#include "common/state_checks.hpp"

namespace mlpersist::linear_model {

CenteredData center(const Matrix& X, const Vector& y, bool fit_intercept) {
  CenteredData d{X, y, Vector::Zero(X.cols()), 0.0};
  if (!fit_intercept) return d;
  d.x_offset = common::column_means(X);
  d.y_offset = common::numpy_sum(y) / static_cast<double>(y.size());
  d.X.rowwise() -= d.x_offset.transpose();
  d.y.array() -= d.y_offset;
  return d;
}

Vector LinearFit::predict(const Matrix& X) const {
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

EncodedLabels encode_labels(const Vector& y) {
  EncodedLabels e;
  e.classes.assign(y.begin(), y.end());
  std::sort(e.classes.begin(), e.classes.end());
  e.classes.erase(std::unique(e.classes.begin(), e.classes.end()), e.classes.end());
  e.index.reserve(static_cast<std::size_t>(y.size()));
  for (const double v : y) {
    const auto it = std::lower_bound(e.classes.begin(), e.classes.end(), v);
    e.index.push_back(static_cast<int>(it - e.classes.begin()));
  }
  return e;
}

std::vector<double> load_classes(const Node& n, std::size_t min_count) {
  const auto c = n.as_tensor(DType::kFloat64, 1).values<double>();
  if (c.size() < min_count || !std::is_sorted(c.begin(), c.end()) ||
      std::adjacent_find(c.begin(), c.end()) != c.end())
    n.fail("expected at least " + std::to_string(min_count) +
           " distinct classes in increasing order");
  return {c.begin(), c.end()};
}

Vector argmax_labels(const Matrix& scores, const std::vector<double>& classes) {
  Vector out(scores.rows());
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    Eigen::Index best = 0;
    scores.row(i).maxCoeff(&best);
    out(i) = classes[static_cast<std::size_t>(best)];
  }
  return out;
}

}  // namespace mlpersist::linear_model
