#pragma once

// scikit-learn's NearestCentroid as a third-party mlpersist plugin (docs/plugins.md).

#include <array>
#include <cstdint>
#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace example {

/// scikit-learn 1.2's NearestCentroid parameters. shrink_threshold (None by default) is not
/// supported, so it is not a parameter at all: a saved model can never claim to use it.
struct NearestCentroidParams {
  std::string metric = "euclidean";  ///< "euclidean" (mean centroids) or "manhattan" (median)
  static constexpr std::array<std::string_view, 1> kNames{"metric"};
};

/// Nearest centroid classifier: each class is represented by the centroid of its training
/// samples (the mean, or with the manhattan metric the median, of each feature), and a sample
/// is given the class of the nearest centroid (the first one on a tie, as numpy's argmin).
class NearestCentroid
    : public mlpersist::EstimatorWithParams<NearestCentroid, NearestCentroidParams> {
 public:
  /// scikit-learn's module-qualified class name; stable once files exist.
  static constexpr std::string_view kTypeTag = "neighbors.NearestCentroid";
  /// Bumped whenever the saved state (classes_, centroids_) changes its layout.
  static constexpr std::uint32_t kSchemaVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  /// Throws UsageError(kInvalidParameter) unless metric is "euclidean" or "manhattan".
  void validate_params(const NearestCentroidParams& p) const;
  [[nodiscard]] mlpersist::EstimatorKind kind() const override {
    return mlpersist::EstimatorKind::kClassifier;
  }
  [[nodiscard]] bool supports(mlpersist::Method m) const override;
  [[nodiscard]] mlpersist::Value save_state(mlpersist::SaveContext& ctx) const override;
  /// Throws SchemaError naming the path of a state that predict could not rely on.
  void load_state(const mlpersist::Node& state, mlpersist::LoadContext& ctx) override;

  /// classes_: the sorted distinct training labels.
  [[nodiscard]] const std::vector<double>& classes() const noexcept { return classes_; }
  /// centroids_: one row per class, n_classes x n_features.
  [[nodiscard]] const mlpersist::Matrix& centroids() const noexcept { return centroids_; }

 protected:
  /// Throws UsageError(kInvalidInput) when y has fewer than two classes (as scikit-learn).
  void do_fit(const mlpersist::MatrixView& X, const mlpersist::Vector& y) override;
  [[nodiscard]] mlpersist::Vector do_predict(const mlpersist::MatrixView& X) const override;

 private:
  std::vector<double> classes_;
  mlpersist::Matrix centroids_;
};

}  // namespace example
