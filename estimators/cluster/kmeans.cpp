#include "kmeans.hpp"

#include <cmath>
#include <mlpersist/error.hpp>
#include <mlpersist/progress.hpp>
#include <random>

#include "common/numeric.hpp"
#include "common/state_checks.hpp"

namespace mlpersist::cluster {
namespace {

constexpr std::int64_t kMaxSeed = 0xFFFFFFFF;

common::NumpyRandomState random_state_for(const std::optional<std::int64_t>& seed) {
  // None: fresh entropy on every fit, as scikit-learn's global RandomState gives.
  return common::NumpyRandomState(seed ? static_cast<std::uint32_t>(*seed)
                                       : static_cast<std::uint32_t>(std::random_device{}()));
}

}  // namespace

void KMeans::validate_params(const KMeansParams& p) const {
  if (p.n_clusters < 1) invalid_param("n_clusters must be at least 1");
  if (p.n_init < 1) invalid_param("n_init must be at least 1");
  if (p.max_iter < 1) invalid_param("max_iter must be at least 1");
  if (!(p.tol >= 0)) invalid_param("tol must be non-negative");
  if (p.random_state && (*p.random_state < 0 || *p.random_state > kMaxSeed))
    invalid_param("random_state must be None or an integer in [0, 2**32 - 1]");
}

double KMeans::fit_cost(double n_samples, double n_features) const {
  // Every init runs up to max_iter Lloyd passes over n x k distances.
  return static_cast<double>(params_.n_init) * static_cast<double>(params_.max_iter) * n_samples *
         static_cast<double>(params_.n_clusters) * n_features;
}

bool KMeans::supports(Method m) const {
  return m == Method::kPredict || m == Method::kTransform;
}

void KMeans::do_fit(const MatrixView& X, const Vector& /*y*/) {
  const auto k = static_cast<Eigen::Index>(params_.n_clusters);
  if (X.rows() < k)
    throw UsageError(ErrorCode::kInvalidInput, "KMeans.fit: n_samples=" + std::to_string(X.rows()) +
                                                   " should be >= n_clusters=" + std::to_string(k));
  const double tol = scaled_tolerance(X, params_.tol);
  // Centring first makes the ||x||² - 2 x·c + ||c||² distances more accurate, as in scikit-learn.
  const Vector mean = common::column_means(X);
  const Matrix centred = X.rowwise() - mean.transpose();
  Vector norms(centred.rows());
  for (Eigen::Index i = 0; i < centred.rows(); ++i)
    norms(i) = common::dot(centred.row(i).data(), centred.row(i).data(), centred.cols());
  common::NumpyRandomState random = random_state_for(params_.random_state);
  std::optional<KMeansRun> best;
  ProgressTask progress("runs", static_cast<std::uint64_t>(params_.n_init));
  for (std::int64_t run = 0; run < params_.n_init; ++run) {
    KMeansRun r = lloyd(centred, kmeans_plusplus(centred, norms, k, random), params_.max_iter, tol);
    // A lower inertia from the same partition is only rounding: keep the earlier run then.
    if (!best || (r.inertia < best->inertia && !same_clustering(r.labels, best->labels, k)))
      best = std::move(r);
    progress.advance();
  }
  centers_ = best->centers.rowwise() + mean.transpose();
  labels_ = std::move(best->labels);
  inertia_ = best->inertia;
  n_iter_ = best->n_iter;
}

Vector KMeans::do_predict(const MatrixView& X) const {
  const Labels labels = nearest_centers(X, centers_);
  Vector out(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    out(i) = static_cast<double>(labels[static_cast<std::size_t>(i)]);
  return out;
}

Matrix KMeans::do_transform(const MatrixView& X) const {
  Matrix out(X.rows(), centers_.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (Eigen::Index j = 0; j < centers_.rows(); ++j)
      out(i, j) =
          std::sqrt(common::squared_distance(X.row(i).data(), centers_.row(j).data(), X.cols()));
  return out;
}

double KMeans::do_score(const MatrixView& X, const Vector& /*y*/) const {
  return -cluster::inertia(X, centers_, nearest_centers(X, centers_));
}

Value KMeans::save_state(SaveContext&) const {
  Map m;
  m.insert("cluster_centers_", Tensor::from_matrix(centers_));
  m.insert("labels_", Tensor::from_values(std::span<const std::int64_t>(labels_)));
  m.insert("inertia_", inertia_);
  m.insert("n_iter_", n_iter_);
  return m;
}

void KMeans::load_state(const Node& state, LoadContext&) {
  const auto k = static_cast<std::uint64_t>(params_.n_clusters);
  // Finite centres: a NaN one would never be nearest, an infinite one makes NaN distances.
  Matrix centers = common::read_matrix(state["cluster_centers_"], k,
                                       static_cast<std::uint64_t>(n_features_in()));
  const Node labels_node = state["labels_"];
  const auto labels = labels_node.as_tensor(DType::kInt64, 1).values<std::int64_t>();
  for (const std::int64_t label : labels)
    if (label < 0 || static_cast<std::uint64_t>(label) >= k)
      labels_node.fail("labels must be cluster indices in [0, " + std::to_string(k) + ")");
  const Node inertia_node = state["inertia_"];
  const double inertia = inertia_node.as_double();
  if (inertia < 0) inertia_node.fail("the inertia must be non-negative");
  const std::int64_t n_iter = state["n_iter_"].as_int(1);
  centers_ = std::move(centers);
  labels_.assign(labels.begin(), labels.end());
  inertia_ = inertia;
  n_iter_ = n_iter;
}

}  // namespace mlpersist::cluster
