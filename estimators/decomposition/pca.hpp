#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <optional>

namespace mlpersist::decomposition {

/// scikit-learn 1.2's PCA parameters that change the fitted model, with its defaults.
/// `n_components` is an integer or None (all); the 'mle' and fractional forms are not supported.
struct PCAParams {
  std::optional<std::int64_t> n_components;
  bool whiten = false;
  static constexpr std::array<std::string_view, 2> kNames{"n_components", "whiten"};
};

/// Principal component analysis by a full SVD of the centred data (scikit-learn's
/// svd_solver='full', which 'auto' picks for data up to 500 rows and columns), with
/// scikit-learn's sign convention and its probabilistic-PCA `score` (mean log-likelihood).
class PCA : public EstimatorWithParams<PCA, PCAParams> {
 public:
  static constexpr std::string_view kTypeTag = "decomposition.PCA";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  /// Throws UsageError(kInvalidParameter) for a negative n_components.
  void validate_params(const PCAParams& p) const;
  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  [[nodiscard]] bool supports(Method m) const override;
  [[nodiscard]] double fit_cost(double n_samples, double n_features) const override;
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  /// Throws SchemaError when shapes disagree with n_components_ and n_features_in_, or when a
  /// variance is negative (zero, with whiten).
  void load_state(const Node& state, LoadContext& ctx) override;

  /// Principal axes, n_components_ x n_features, by decreasing explained variance.
  [[nodiscard]] const Matrix& components() const noexcept { return components_; }
  [[nodiscard]] const Vector& explained_variance() const noexcept { return explained_variance_; }
  [[nodiscard]] const Vector& explained_variance_ratio() const noexcept {
    return explained_variance_ratio_;
  }
  [[nodiscard]] const Vector& singular_values() const noexcept { return singular_values_; }
  [[nodiscard]] const Vector& mean() const noexcept { return mean_; }
  /// Mean variance of the discarded components (0 when all are kept).
  [[nodiscard]] double noise_variance() const noexcept { return noise_variance_; }
  [[nodiscard]] std::int64_t n_components() const noexcept { return components_.rows(); }
  [[nodiscard]] std::int64_t n_samples() const noexcept { return n_samples_; }

 protected:
  /// Throws UsageError(kInvalidInput) for fewer than 2 samples, an n_components above
  /// min(n_samples, n_features), or whiten with a kept component of zero variance.
  void do_fit(const MatrixView& X, const Vector& y) override;
  [[nodiscard]] Matrix do_transform(const MatrixView& X) const override;
  [[nodiscard]] Matrix do_inverse_transform(const MatrixView& X) const override;
  /// Mean log-likelihood of X under the probabilistic PCA model (y is ignored).
  [[nodiscard]] double do_score(const MatrixView& X, const Vector& y) const override;
  [[nodiscard]] std::int64_t n_features_out() const override { return components_.rows(); }

 private:
  /// The model's precision matrix (scikit-learn's get_precision).
  [[nodiscard]] Matrix precision() const;
  /// Components scaled by sqrt(explained variance) with whiten, as the model's covariance uses.
  [[nodiscard]] Matrix model_components() const;

  Matrix components_;
  Vector explained_variance_;
  Vector explained_variance_ratio_;
  Vector singular_values_;
  Vector mean_;
  double noise_variance_ = 0;
  std::int64_t n_samples_ = 0;
};

}  // namespace mlpersist::decomposition
