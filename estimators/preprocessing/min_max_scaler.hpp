#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <utility>

namespace mlpersist::preprocessing {

/// `feature_range`, a (min, max) pair, saved as a two-element list as scikit-learn's tuple.
struct FeatureRange {
  double low = 0.0;
  double high = 1.0;
  friend bool operator==(const FeatureRange&, const FeatureRange&) = default;
};
Value param_to_value(const FeatureRange& r);
void param_from_node(const Node& n, FeatureRange& out);

/// scikit-learn 1.2's MinMaxScaler parameters, with its defaults.
struct MinMaxScalerParams {
  FeatureRange feature_range;
  bool clip = false;
  static constexpr std::array<std::string_view, 2> kNames{"feature_range", "clip"};
};

/// Scales each feature to `feature_range` from its fitted minimum and maximum, as
/// scikit-learn's MinMaxScaler: X * scale_ + min_, NaN ignored in fit and kept in transform.
class MinMaxScaler : public EstimatorWithParams<MinMaxScaler, MinMaxScalerParams> {
 public:
  static constexpr std::string_view kTypeTag = "preprocessing.MinMaxScaler";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  [[nodiscard]] bool supports(Method m) const override {
    return m == Method::kTransform || m == Method::kInverseTransform;
  }
  [[nodiscard]] bool accepts_missing() const noexcept override { return true; }
  void validate_params(const MinMaxScalerParams& p) const;
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  void load_state(const Node& state, LoadContext& ctx) override;

  [[nodiscard]] const Vector& data_min() const noexcept { return data_min_; }
  [[nodiscard]] const Vector& data_max() const noexcept { return data_max_; }
  [[nodiscard]] const Vector& scale() const noexcept { return scale_; }
  [[nodiscard]] const Vector& min() const noexcept { return min_; }

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override;
  [[nodiscard]] Matrix do_transform(const MatrixView& X) const override;
  [[nodiscard]] Matrix do_inverse_transform(const MatrixView& X) const override;

 private:
  void derive();  // scale_ and min_ from data_min_, data_max_ and the range

  Vector data_min_, data_max_, data_range_, scale_, min_;
  std::int64_t n_samples_seen_ = 0;
};

}  // namespace mlpersist::preprocessing
