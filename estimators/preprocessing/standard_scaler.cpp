#include "standard_scaler.hpp"

#include <cmath>
#include <limits>

#include "common/numeric.hpp"
#include "common/state_checks.hpp"

namespace mlpersist::preprocessing {
namespace {

// scikit-learn's `_incremental_mean_and_var` from an empty start: the corrected two-pass
// algorithm (Chan, Golub and LeVeque), which subtracts the rounding error of the first pass.
Vector population_variance(const MatrixView& X, const Vector& mean) {
  const auto n = static_cast<double>(X.rows());
  const Eigen::Index d = X.cols();
  Vector correction = Vector::Zero(d);
  Vector squares = Vector::Zero(d);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const double* row = X.data() + i * X.outerStride();
    for (Eigen::Index j = 0; j < d; ++j) {
      const double centred = row[j] - mean(j);
      correction(j) += centred;
      squares(j) += centred * centred;
    }
  }
  return (squares - correction.cwiseProduct(correction) / n) / n;
}

// scikit-learn's `_is_constant_feature` + `_handle_zeros_in_scale`: a variance that is zero up to
// the rounding error of computing it means a constant feature, which is left unscaled.
Vector scale_from_variance(const Vector& var, const Vector& mean, std::int64_t n_samples) {
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  const auto n = static_cast<double>(n_samples);
  Vector scale(var.size());
  for (Eigen::Index j = 0; j < var.size(); ++j) {
    const double rounding = n * mean(j) * kEps;
    const double bound = n * kEps * var(j) + rounding * rounding;
    scale(j) = var(j) <= bound ? 1.0 : std::sqrt(var(j));
  }
  return scale;
}

Value optional_tensor(const std::optional<Vector>& v) {
  return v ? Value(Tensor::from_vector(*v)) : Value();
}

// A state array that exists exactly when the parameters say scikit-learn keeps it.
std::optional<Vector> read_optional(const Node& state, std::string_view key, bool present,
                                    std::uint64_t size) {
  const Node n = state[key];
  if (!present) {
    if (!n.value().is_null()) n.fail("expected null: the parameters say this is not fitted");
    return std::nullopt;
  }
  return common::read_vector(n, size);
}

}  // namespace

bool StandardScaler::supports(Method m) const {
  return m == Method::kTransform || m == Method::kInverseTransform;
}

void StandardScaler::do_fit(const MatrixView& X, const Vector& /*y*/) {
  std::optional<Vector> mean, var, scale;
  if (params_.with_mean || params_.with_std) mean = common::column_means(X);
  if (params_.with_std) {
    var = population_variance(X, *mean);
    scale = scale_from_variance(*var, *mean, X.rows());
  }
  mean_ = std::move(mean);
  var_ = std::move(var);
  scale_ = std::move(scale);
  n_samples_seen_ = X.rows();
}

Matrix StandardScaler::do_transform(const MatrixView& X) const {
  Matrix out = X;
  if (params_.with_mean) out.rowwise() -= mean_->transpose();
  if (params_.with_std) out.array().rowwise() /= scale_->transpose().array();
  return out;
}

Matrix StandardScaler::do_inverse_transform(const MatrixView& X) const {
  Matrix out = X;
  if (params_.with_std) out.array().rowwise() *= scale_->transpose().array();
  if (params_.with_mean) out.rowwise() += mean_->transpose();
  return out;
}

Value StandardScaler::save_state(SaveContext&) const {
  Map m;
  m.insert("mean_", optional_tensor(mean_));
  m.insert("var_", optional_tensor(var_));
  m.insert("scale_", optional_tensor(scale_));
  m.insert("n_samples_seen_", n_samples_seen_);
  return m;
}

void StandardScaler::load_state(const Node& state, LoadContext&) {
  const auto d = static_cast<std::uint64_t>(n_features_in());
  const bool with_std = params_.with_std;
  auto mean = read_optional(state, "mean_", params_.with_mean || with_std, d);
  auto var = read_optional(state, "var_", with_std, d);
  auto scale = read_optional(state, "scale_", with_std, d);
  if (var && (var->array() < 0).any()) state["var_"].fail("variances must be non-negative");
  // transform divides by the scale: zero would give infinities, negative a mirrored output.
  if (scale && !(scale->array() > 0).all()) state["scale_"].fail("scales must be positive");
  const auto n_samples = state["n_samples_seen_"].as_int(1);
  mean_ = std::move(mean);
  var_ = std::move(var);
  scale_ = std::move(scale);
  n_samples_seen_ = n_samples;
}

}  // namespace mlpersist::preprocessing
