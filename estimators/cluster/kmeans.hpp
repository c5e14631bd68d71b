#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <optional>

#include "kmeans_lloyd.hpp"

namespace mlpersist::cluster {

/// scikit-learn 1.2's KMeans parameters that change the fitted model, with its defaults
/// (init='k-means++', algorithm='lloyd'; n_init's 'warn' default means 10 in 1.2).
struct KMeansParams {
  std::int64_t n_clusters = 8;
  std::int64_t n_init = 10;
  std::int64_t max_iter = 300;
  double tol = 1e-4;
  std::optional<std::int64_t> random_state;
  static constexpr std::array<std::string_view, 5> kNames{"n_clusters", "n_init", "max_iter", "tol",
                                                          "random_state"};
};

/// k-means clustering as scikit-learn's KMeans: n_init greedy k-means++ seedings, each refined
/// by Lloyd iterations, the lowest inertia kept. With an integer random_state it draws the same
/// random numbers as scikit-learn (NumPy's RandomState), so it finds the same clustering.
class KMeans : public EstimatorWithParams<KMeans, KMeansParams> {
 public:
  static constexpr std::string_view kTypeTag = "cluster.KMeans";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  /// Throws UsageError(kInvalidParameter) for counts below 1, a negative tol, or a random_state
  /// outside [0, 2^32 - 1] (NumPy's seed range).
  void validate_params(const KMeansParams& p) const;
  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kClusterer; }
  [[nodiscard]] bool supports(Method m) const override;
  [[nodiscard]] double fit_cost(double n_samples, double n_features) const override;
  /// transform's width: one distance per cluster (a Pipeline chains the next step on it).
  [[nodiscard]] std::int64_t n_features_out() const override { return centers_.rows(); }
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  /// Throws SchemaError when the centres disagree with n_clusters or n_features_in_ or are not
  /// finite, or a label is not a cluster index.
  void load_state(const Node& state, LoadContext& ctx) override;

  /// n_clusters x n_features.
  [[nodiscard]] const Matrix& cluster_centers() const noexcept { return centers_; }
  /// Cluster of each training sample.
  [[nodiscard]] const Labels& labels() const noexcept { return labels_; }
  /// Sum of squared distances of the training samples to their centres.
  [[nodiscard]] double inertia() const noexcept { return inertia_; }
  /// Lloyd iterations of the kept run.
  [[nodiscard]] std::int64_t n_iter() const noexcept { return n_iter_; }

 protected:
  /// Throws UsageError(kInvalidInput) when there are fewer samples than clusters.
  void do_fit(const MatrixView& X, const Vector& y) override;
  /// Index of the nearest centre.
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override;
  /// Euclidean distance to every centre (n_samples x n_clusters).
  [[nodiscard]] Matrix do_transform(const MatrixView& X) const override;
  /// Minus the inertia of X with respect to the centres (y is ignored).
  [[nodiscard]] double do_score(const MatrixView& X, const Vector& y) const override;

 private:
  Matrix centers_;
  Labels labels_;
  double inertia_ = 0;
  std::int64_t n_iter_ = 0;
};

}  // namespace mlpersist::cluster
