#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <string>

namespace mlpersist::neighbors {

/// scikit-learn 1.2's KNeighborsRegressor parameters that change predictions, with its
/// defaults (brute-force search, Euclidean metric, as KNeighborsClassifier).
struct KNeighborsRegressorParams {
  std::int64_t n_neighbors = 5;
  std::string weights = "uniform";
  static constexpr std::array<std::string_view, 2> kNames{"n_neighbors", "weights"};
};

/// k-nearest-neighbour regression, as scikit-learn's KNeighborsRegressor with algorithm='brute'
/// and the Euclidean metric: the mean of the neighbours' targets, or their 1/distance-weighted
/// mean. The fitted state is the training set, kept as the loaded Tensors (zero-copy from a
/// mapped file).
class KNeighborsRegressor
    : public EstimatorWithParams<KNeighborsRegressor, KNeighborsRegressorParams> {
 public:
  static constexpr std::string_view kTypeTag = "neighbors.KNeighborsRegressor";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  /// Throws UsageError(kInvalidParameter) for n_neighbors < 1 or weights other than 'uniform'
  /// and 'distance'.
  void validate_params(const KNeighborsRegressorParams& p) const;
  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kRegressor; }
  [[nodiscard]] bool supports(Method m) const override { return m == Method::kPredict; }
  /// Fitting copies the data; the search cost is paid by predict.
  [[nodiscard]] double fit_cost(double n_samples, double n_features) const override {
    return n_samples * n_features;
  }
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  /// Throws SchemaError when `_fit_X` is empty, shapes disagree or a target is not finite.
  /// `_fit_X` is not scanned for NaN (a mapped training set is not read at load): a non-finite
  /// training row only ranks last in the search.
  void load_state(const Node& state, LoadContext& ctx) override;

  /// Training samples (n_samples_fit x n_features), possibly borrowed from a mapped file.
  [[nodiscard]] const Tensor& fit_X() const noexcept { return fit_X_; }
  /// Training targets, float64.
  [[nodiscard]] const Tensor& fit_y() const noexcept { return y_; }

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override;
  /// Throws UsageError(kInvalidInput) when n_neighbors exceeds the training samples.
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override;

 private:
  Tensor fit_X_;
  Tensor y_;
};

}  // namespace mlpersist::neighbors
