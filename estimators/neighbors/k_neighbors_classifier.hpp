#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <span>
#include <string>
#include <vector>

namespace mlpersist::neighbors {

/// scikit-learn 1.2's KNeighborsClassifier parameters that change predictions, with its
/// defaults (the search is always brute force with the Euclidean metric).
struct KNeighborsClassifierParams {
  std::int64_t n_neighbors = 5;
  std::string weights = "uniform";
  static constexpr std::array<std::string_view, 2> kNames{"n_neighbors", "weights"};
};

/// k-nearest-neighbour vote, as scikit-learn's KNeighborsClassifier with algorithm='brute' and
/// the Euclidean metric. Equidistant neighbours rank by training index; tied votes go to the
/// lowest class.
///
/// The fitted state is the training set itself. It is kept as the loaded Tensor, so a model
/// loaded from a mapped file reads its training matrix in place (zero-copy).
class KNeighborsClassifier
    : public EstimatorWithParams<KNeighborsClassifier, KNeighborsClassifierParams> {
 public:
  static constexpr std::string_view kTypeTag = "neighbors.KNeighborsClassifier";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  /// Throws UsageError(kInvalidParameter) for n_neighbors < 1 or weights other than 'uniform'
  /// and 'distance'.
  void validate_params(const KNeighborsClassifierParams& p) const;
  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kClassifier; }
  [[nodiscard]] bool supports(Method m) const override;
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  /// Throws SchemaError when shapes disagree, classes are not increasing, or a `_y` entry is not
  /// a class index. The training matrix is not scanned for NaN (see load_state).
  void load_state(const Node& state, LoadContext& ctx) override;

  /// Training samples (n_samples_fit x n_features), possibly borrowed from a mapped file.
  [[nodiscard]] const Tensor& fit_X() const noexcept { return fit_X_; }
  /// Class index (into classes()) of each training sample, int64.
  [[nodiscard]] const Tensor& y_indices() const noexcept { return y_; }
  /// Distinct class labels in increasing order.
  [[nodiscard]] const std::vector<double>& classes() const noexcept { return classes_; }

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override;
  /// Throws UsageError(kInvalidInput) when n_neighbors exceeds the training samples.
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override;
  [[nodiscard]] Matrix do_predict_proba(const MatrixView& X) const override;

 private:
  /// Per query and class, the summed weights of the neighbours in that class.
  [[nodiscard]] Matrix votes(const MatrixView& X) const;
  /// y[row], checked: load_state leaves the indices unscanned for mapped loads.
  [[nodiscard]] Eigen::Index class_index(std::span<const std::int64_t> y, std::size_t row) const;

  Tensor fit_X_;
  Tensor y_;
  std::vector<double> classes_;
};

}  // namespace mlpersist::neighbors
