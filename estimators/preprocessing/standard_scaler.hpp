#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <optional>

namespace mlpersist::preprocessing {

/// scikit-learn 1.2's StandardScaler parameters that change the fitted model, with its defaults.
struct StandardScalerParams {
  bool with_mean = true;
  bool with_std = true;
  static constexpr std::array<std::string_view, 2> kNames{"with_mean", "with_std"};
};

/// Standardises features: (x - mean_) / scale_, as scikit-learn's StandardScaler (dense input).
///
/// Like scikit-learn, `mean_` is kept whenever either option is on, `var_` and `scale_` only
/// with `with_std`; a feature whose variance is zero up to rounding gets a scale of 1.
class StandardScaler : public EstimatorWithParams<StandardScaler, StandardScalerParams> {
 public:
  static constexpr std::string_view kTypeTag = "preprocessing.StandardScaler";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  [[nodiscard]] bool supports(Method m) const override;
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  /// Throws SchemaError when the arrays disagree with the parameters or n_features_in_, or when
  /// a variance is negative or a scale not positive.
  void load_state(const Node& state, LoadContext& ctx) override;

  /// Per-feature mean (absent when neither centring nor scaling).
  [[nodiscard]] const std::optional<Vector>& mean() const noexcept { return mean_; }
  /// Per-feature population variance (absent without with_std).
  [[nodiscard]] const std::optional<Vector>& var() const noexcept { return var_; }
  /// Per-feature divisor: sqrt(var_), or 1 for constant features (absent without with_std).
  [[nodiscard]] const std::optional<Vector>& scale() const noexcept { return scale_; }
  [[nodiscard]] std::int64_t n_samples_seen() const noexcept { return n_samples_seen_; }

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override;
  [[nodiscard]] Matrix do_transform(const MatrixView& X) const override;
  [[nodiscard]] Matrix do_inverse_transform(const MatrixView& X) const override;

 private:
  std::optional<Vector> mean_;
  std::optional<Vector> var_;
  std::optional<Vector> scale_;
  std::int64_t n_samples_seen_ = 0;
};

}  // namespace mlpersist::preprocessing
