#include "min_max_scaler.hpp"

#include <cmath>
#include <limits>

#include "common/state_checks.hpp"

namespace mlpersist::preprocessing {

Value param_to_value(const FeatureRange& r) {
  return Array{r.low, r.high};
}

void param_from_node(const Node& n, FeatureRange& out) {
  if (n.size() != 2) n.fail("expected a (min, max) pair");
  out = {n[0].as_double(), n[1].as_double()};
}

void MinMaxScaler::validate_params(const MinMaxScalerParams& p) const {
  if (!(p.feature_range.low < p.feature_range.high))
    invalid_param("minimum of desired feature range must be smaller than maximum");
}

// np.nanmin / np.nanmax per column: NaN when a column has no value.
void MinMaxScaler::do_fit(const MatrixView& X, const Vector&) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Vector lo = Vector::Constant(X.cols(), nan), hi = Vector::Constant(X.cols(), nan);
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
      const double v = X(i, j);
      if (std::isnan(v)) continue;
      if (std::isnan(lo(j)) || v < lo(j)) lo(j) = v;
      if (std::isnan(hi(j)) || v > hi(j)) hi(j) = v;
    }
  data_min_ = std::move(lo);
  data_max_ = std::move(hi);
  n_samples_seen_ = X.rows();
  derive();
}

// scikit-learn: scale_ = range / _handle_zeros_in_scale(data_range_), where a range below
// 10 * eps counts as zero and becomes 1; min_ = low - data_min_ * scale_.
void MinMaxScaler::derive() {
  data_range_ = data_max_ - data_min_;
  const double width = params_.feature_range.high - params_.feature_range.low;
  scale_.resize(data_range_.size());
  for (Eigen::Index j = 0; j < data_range_.size(); ++j) {
    const double r = data_range_(j);
    scale_(j) = width / (r < 10 * std::numeric_limits<double>::epsilon() ? 1.0 : r);
  }
  min_ = params_.feature_range.low - (data_min_.array() * scale_.array()).array();
}

Matrix MinMaxScaler::do_transform(const MatrixView& X) const {
  Matrix out = X;
  out.array().rowwise() *= scale_.transpose().array();
  out.array().rowwise() += min_.transpose().array();
  if (params_.clip)
    for (Eigen::Index i = 0; i < out.size(); ++i) {
      double& v = out.data()[i];
      if (v < params_.feature_range.low) v = params_.feature_range.low;
      if (v > params_.feature_range.high) v = params_.feature_range.high;
    }
  return out;
}

Matrix MinMaxScaler::do_inverse_transform(const MatrixView& X) const {
  Matrix out = X;
  out.array().rowwise() -= min_.transpose().array();
  out.array().rowwise() /= scale_.transpose().array();
  return out;
}

Value MinMaxScaler::save_state(SaveContext&) const {
  Map m;
  m.insert("min_", Tensor::from_vector(min_));
  m.insert("scale_", Tensor::from_vector(scale_));
  m.insert("data_min_", Tensor::from_vector(data_min_));
  m.insert("data_max_", Tensor::from_vector(data_max_));
  m.insert("data_range_", Tensor::from_vector(data_range_));
  m.insert("n_samples_seen_", n_samples_seen_);
  return m;
}

// The saved data_min_ and data_max_ are the state; the rest must be what they imply (an
// all-missing column has NaN throughout, as in scikit-learn).
void MinMaxScaler::load_state(const Node& state, LoadContext&) {
  const auto d = static_cast<std::uint64_t>(n_features_in());
  const Tensor::Shape shape{d};
  const auto read = [&](std::string_view key) {
    return Vector(state[key].as_shaped_tensor(DType::kFloat64, shape, false).vector<double>());
  };
  Vector lo = read("data_min_"), hi = read("data_max_");
  for (Eigen::Index j = 0; j < lo.size(); ++j)
    if (std::isinf(lo(j)) || std::isinf(hi(j)) || lo(j) > hi(j) ||
        std::isnan(lo(j)) != std::isnan(hi(j)))
      state["data_min_"].fail("each minimum must be finite and at most its maximum");
  const auto n = state["n_samples_seen_"].as_int(1);
  data_min_ = std::move(lo);
  data_max_ = std::move(hi);
  n_samples_seen_ = n;
  derive();
  for (const char* key : {"min_", "scale_", "data_range_"}) {
    const Vector saved = read(key);
    const Vector& mine = key[0] == 'm' ? min_ : key[0] == 's' ? scale_ : data_range_;
    if (!((saved.array() == mine.array()) || (saved.array().isNaN() && mine.array().isNaN())).all())
      state[key].fail("does not follow from data_min_, data_max_ and feature_range");
  }
}

}  // namespace mlpersist::preprocessing
