#pragma once

// The k-means algorithm of scikit-learn 1.2 (greedy k-means++ seeding, Lloyd iterations), step
// for step and in its order of summation, so that with the same random stream it makes the same
// choices. X is the data with its column means subtracted, as scikit-learn fits it.

#include <cstdint>
#include <mlpersist/estimator.hpp>
#include <vector>

#include "common/numpy_random.hpp"

namespace mlpersist::cluster {

/// Cluster index of each sample.
using Labels = std::vector<std::int64_t>;

/// The outcome of one k-means run from one seeding.
struct KMeansRun {
  Matrix centers;
  Labels labels;
  double inertia = 0;
  std::int64_t n_iter = 0;
};

/// scikit-learn's `_kmeans_plusplus`: the first centre uniformly, each next one the best (lowest
/// potential) of 2 + log(k) candidates drawn with probability proportional to the squared distance
/// to the closest centre so far. `x_squared_norms` are the rows' squared norms.
[[nodiscard]] Matrix kmeans_plusplus(const MatrixView& X, const Vector& x_squared_norms,
                                     Eigen::Index n_clusters, common::NumpyRandomState& random);

/// scikit-learn's `_kmeans_single_lloyd`: Lloyd iterations until the labels stop changing, the
/// squared centre shifts sum to at most `tol`, or `max_iter`; then the labels of the final
/// centres. Empty clusters are moved to the samples farthest from their centres.
[[nodiscard]] KMeansRun lloyd(const MatrixView& X, Matrix centers, std::int64_t max_iter,
                              double tol);

/// The nearest centre of each row, by ||c||² - 2 x·c (first centre on ties), as scikit-learn.
[[nodiscard]] Labels nearest_centers(const MatrixView& X, const Matrix& centers);

/// Sum of squared distances from each row to its centre.
[[nodiscard]] double inertia(const MatrixView& X, const Matrix& centers, const Labels& labels);

/// scikit-learn's `_is_same_clustering`: whether `b` relabels `a` consistently.
[[nodiscard]] bool same_clustering(const Labels& a, const Labels& b, Eigen::Index n_clusters);

/// scikit-learn's `_tolerance`: `tol` times the mean per-feature variance of X.
[[nodiscard]] double scaled_tolerance(const MatrixView& X, double tol);

}  // namespace mlpersist::cluster
