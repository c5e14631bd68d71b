#pragma once

// Numerical kernels shared by several estimator families, written to add in the same order as
// NumPy and scikit-learn do, so that fitted values agree with theirs to the last bits where that
// matters (k-means' tie-breaking, PCA's and StandardScaler's parity tests).

#include <algorithm>
#include <mlpersist/estimator.hpp>

namespace mlpersist::common {

/// NumPy's `X.mean(axis=0)` for a C-ordered X: each column summed row after row (NumPy's pairwise
/// summation only applies along the contiguous axis), then divided by the row count.
[[nodiscard]] inline Vector column_means(const MatrixView& X) {
  Vector sum = Vector::Zero(X.cols());
  for (Eigen::Index i = 0; i < X.rows(); ++i) sum += X.row(i).transpose();
  return sum / static_cast<double>(X.rows());
}

/// NumPy's pairwise summation of one buffer: blocks of 128 with an eight-way unrolled inner
/// loop, below 8 values a plain loop.
[[nodiscard]] inline double numpy_pairwise_sum(const double* a, Eigen::Index n) {
  if (n < 8) {
    double res = 0;
    for (Eigen::Index i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    Eigen::Index i = 8;
    for (; i < n - n % 8; i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  Eigen::Index half = n / 2;
  half -= half % 8;
  return numpy_pairwise_sum(a, half) + numpy_pairwise_sum(a + half, n - half);
}

/// NumPy's `np.sum` of n contiguous values: its reduction hands the pairwise sum buffers of
/// 8192 values (NumPy's default buffer size) and adds their sums one after the other.
[[nodiscard]] inline double numpy_sum(const double* a, Eigen::Index n) {
  constexpr Eigen::Index kBuffer = 8192;
  double sum = 0;
  for (Eigen::Index start = 0; start < n; start += kBuffer)
    sum += numpy_pairwise_sum(a + start, std::min(kBuffer, n - start));
  return sum;
}

/// numpy_sum of a contiguous vector.
[[nodiscard]] inline double numpy_sum(const Vector& v) {
  return numpy_sum(v.data(), v.size());
}

/// Dot product summed left to right (BLAS may group terms differently: only exact ties between
/// distances can tell).
[[nodiscard]] inline double dot(const double* a, const double* b, Eigen::Index n) {
  double s = 0;
  for (Eigen::Index k = 0; k < n; ++k) s += a[k] * b[k];
  return s;
}

/// Squared Euclidean distance summed left to right, as scikit-learn's `euclidean_rdist` (its
/// KD-tree and ball tree), so that exactly equidistant neighbours tie as they do there.
[[nodiscard]] inline double squared_distance(const double* a, const double* b, Eigen::Index n) {
  double result = 0;
  for (Eigen::Index k = 0; k < n; ++k) result += (a[k] - b[k]) * (a[k] - b[k]);
  return result;
}

/// Squared Euclidean distance summed four terms at a time, then the rest, as k-means'
/// `_euclidean_dense_dense`, so that inertia and centre shifts round as scikit-learn's do.
[[nodiscard]] inline double squared_distance_by4(const double* a, const double* b, Eigen::Index n) {
  double result = 0;
  Eigen::Index k = 0;
  for (; k + 4 <= n; k += 4) {
    const double d0 = a[k] - b[k], d1 = a[k + 1] - b[k + 1];
    const double d2 = a[k + 2] - b[k + 2], d3 = a[k + 3] - b[k + 3];
    result += d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3;
  }
  for (; k < n; ++k) result += (a[k] - b[k]) * (a[k] - b[k]);
  return result;
}

}  // namespace mlpersist::common
