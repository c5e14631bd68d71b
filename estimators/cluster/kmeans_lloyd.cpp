#include "kmeans_lloyd.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/numeric.hpp"

namespace mlpersist::cluster {
namespace {

using common::dot;
using common::numpy_sum;
using common::squared_distance_by4;

// scikit-learn's `_euclidean_distances(X[c], X, Y_norm_squared, squared=True)`:
// max((-2 x·y + ||x||²) + ||y||², 0), added in that order.
Vector squared_distances_to(const MatrixView& X, const Vector& x_squared_norms, Eigen::Index c) {
  const Eigen::Index d = X.cols();
  const double* center = X.row(c).data();
  const double center_norm = dot(center, center, d);
  Vector out(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    out(i) =
        std::max(-2.0 * dot(X.row(i).data(), center, d) + center_norm + x_squared_norms(i), 0.0);
  return out;
}

// NumPy's searchsorted(cumsum(weights), value): the first index whose running sum reaches
// value, clipped to the last index as scikit-learn does against rounding.
Eigen::Index weighted_pick(const Vector& weights, double value) {
  double running = 0;
  for (Eigen::Index i = 0; i < weights.size(); ++i) {
    running += weights(i);
    if (running >= value) return i;
  }
  return weights.size() - 1;
}

// The centre sums of one Lloyd step, and how many samples each centre has.
struct Accumulated {
  Matrix sums;
  Vector counts;
};

Accumulated accumulate(const MatrixView& X, const Labels& labels, Eigen::Index n_clusters) {
  Accumulated acc{Matrix::Zero(n_clusters, X.cols()), Vector::Zero(n_clusters)};
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const auto j = static_cast<Eigen::Index>(labels[static_cast<std::size_t>(i)]);
    acc.sums.row(j) += X.row(i);
    acc.counts(j) += 1.0;
  }
  return acc;
}

// scikit-learn's `_relocate_empty_clusters_dense`: each empty cluster takes one of the samples
// farthest from their (old) centres, which leaves its own cluster's sum.
void relocate_empty_clusters(const MatrixView& X, const Matrix& old_centers, const Labels& labels,
                             Accumulated& acc) {
  std::vector<Eigen::Index> empty;
  for (Eigen::Index j = 0; j < acc.counts.size(); ++j)
    if (acc.counts(j) == 0) empty.push_back(j);
  if (empty.empty()) return;
  std::vector<double> distance(static_cast<std::size_t>(X.rows()));
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    distance[static_cast<std::size_t>(i)] =
        (X.row(i) - old_centers.row(labels[static_cast<std::size_t>(i)])).squaredNorm();
  std::vector<Eigen::Index> order(distance.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
    return distance[static_cast<std::size_t>(a)] > distance[static_cast<std::size_t>(b)];
  });
  for (std::size_t e = 0; e < empty.size() && e < order.size(); ++e) {
    const Eigen::Index far = order[e];
    const auto old = static_cast<Eigen::Index>(labels[static_cast<std::size_t>(far)]);
    acc.sums.row(old) -= X.row(far);
    acc.sums.row(empty[e]) = X.row(far);
    acc.counts(empty[e]) = 1.0;
    acc.counts(old) -= 1.0;
  }
}

// One Lloyd step: label with `centers`, then the new centres (sums times the reciprocal count,
// as scikit-learn's `_average_centers`) and each centre's shift.
Matrix lloyd_step(const MatrixView& X, const Matrix& centers, Labels& labels, Vector& shift) {
  labels = nearest_centers(X, centers);
  Accumulated acc = accumulate(X, labels, centers.rows());
  relocate_empty_clusters(X, centers, labels, acc);
  for (Eigen::Index j = 0; j < centers.rows(); ++j)
    if (acc.counts(j) > 0) acc.sums.row(j) *= 1.0 / acc.counts(j);
  for (Eigen::Index j = 0; j < centers.rows(); ++j)
    shift(j) = std::sqrt(
        squared_distance_by4(acc.sums.row(j).data(), centers.row(j).data(), centers.cols()));
  return std::move(acc.sums);
}

}  // namespace

Matrix kmeans_plusplus(const MatrixView& X, const Vector& x_squared_norms, Eigen::Index n_clusters,
                       common::NumpyRandomState& random) {
  const auto n_trials = 2 + static_cast<std::size_t>(std::log(static_cast<double>(n_clusters)));
  Matrix centers(n_clusters, X.cols());
  const auto first =
      static_cast<Eigen::Index>(random.randint(static_cast<std::uint64_t>(X.rows())));
  centers.row(0) = X.row(first);
  Vector closest = squared_distances_to(X, x_squared_norms, first);
  double potential = numpy_sum(closest);
  for (Eigen::Index c = 1; c < n_clusters; ++c) {
    // Every trial is drawn before any is looked up, as NumPy's uniform(size=n_trials).
    std::vector<double> draws(n_trials);
    for (double& u : draws) u = random.random_sample() * potential;
    Vector best_closest;
    double best_potential = 0;
    Eigen::Index best = -1;
    for (const double u : draws) {
      const Eigen::Index id = weighted_pick(closest, u);
      Vector candidate_closest = closest.cwiseMin(squared_distances_to(X, x_squared_norms, id));
      const double p = numpy_sum(candidate_closest);
      if (best < 0 || p < best_potential) {  // the first of equal potentials, as argmin
        best = id;
        best_potential = p;
        best_closest = std::move(candidate_closest);
      }
    }
    centers.row(c) = X.row(best);
    closest = std::move(best_closest);
    potential = best_potential;
  }
  return centers;
}

KMeansRun lloyd(const MatrixView& X, Matrix centers, std::int64_t max_iter, double tol) {
  const auto n = static_cast<std::size_t>(X.rows());
  KMeansRun run;
  run.labels.assign(n, -1);
  Labels previous(n, -1);
  Vector shift(centers.rows());
  bool converged_strictly = false;
  run.n_iter = max_iter;
  for (std::int64_t i = 0; i < max_iter; ++i) {
    centers = lloyd_step(X, centers, run.labels, shift);
    if (run.labels == previous) {
      converged_strictly = true;
      run.n_iter = i + 1;
      break;
    }
    const Vector shift_squared = shift.cwiseProduct(shift);
    if (numpy_sum(shift_squared) <= tol) {
      run.n_iter = i + 1;
      break;
    }
    previous = run.labels;
  }
  // The centres moved after the last labelling: label again so that labels match centres.
  if (!converged_strictly) run.labels = nearest_centers(X, centers);
  run.inertia = inertia(X, centers, run.labels);
  run.centers = std::move(centers);
  return run;
}

Labels nearest_centers(const MatrixView& X, const Matrix& centers) {
  const Eigen::Index d = X.cols();
  Vector center_norms(centers.rows());
  for (Eigen::Index j = 0; j < centers.rows(); ++j)
    center_norms(j) = dot(centers.row(j).data(), centers.row(j).data(), d);
  Labels labels(static_cast<std::size_t>(X.rows()));
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    // ||x||² is the same for every centre, so scikit-learn leaves it out of the comparison.
    std::int64_t label = 0;
    double least = 0;
    for (Eigen::Index j = 0; j < centers.rows(); ++j) {
      const double score = center_norms(j) + -2.0 * dot(X.row(i).data(), centers.row(j).data(), d);
      if (j == 0 || score < least) {
        label = j;
        least = score;
      }
    }
    labels[static_cast<std::size_t>(i)] = label;
  }
  return labels;
}

double inertia(const MatrixView& X, const Matrix& centers, const Labels& labels) {
  double sum = 0;
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const auto j = static_cast<Eigen::Index>(labels[static_cast<std::size_t>(i)]);
    sum += squared_distance_by4(X.row(i).data(), centers.row(j).data(), X.cols());
  }
  return sum;
}

bool same_clustering(const Labels& a, const Labels& b, Eigen::Index n_clusters) {
  std::vector<std::int64_t> mapping(static_cast<std::size_t>(n_clusters), -1);
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto& m = mapping[static_cast<std::size_t>(a[i])];
    if (m == -1)
      m = b[i];
    else if (m != b[i])
      return false;
  }
  return true;
}

double scaled_tolerance(const MatrixView& X, double tol) {
  if (tol == 0) return 0;
  const Vector mean = common::column_means(X);
  Vector squares = Vector::Zero(X.cols());
  for (Eigen::Index i = 0; i < X.rows(); ++i) squares += (X.row(i).transpose() - mean).cwiseAbs2();
  const Vector variances = squares / static_cast<double>(X.rows());
  return numpy_sum(variances) / static_cast<double>(X.cols()) * tol;
}

}  // namespace mlpersist::cluster
