#pragma once

// Exact k-nearest-neighbour search by scanning every training row.

#include <cstdint>
#include <mlpersist/estimator.hpp>
#include <vector>

namespace mlpersist::neighbors {

/// A training row and its squared Euclidean distance to a query.
struct Neighbor {
  double distance2;
  std::int64_t index;
};

/// For each query row, the `k` training rows nearest to it, nearest first, as one flat array
/// (query q's neighbours at [q*k, q*k + k)). Equal distances rank by lower training index; a NaN
/// distance (from a non-finite training row) ranks as +infinity. Needs 1 <= k <= train.rows().
///
/// The training rows are scanned in blocks that stay in cache while every query visits them, so
/// that a large training matrix (possibly mapped from a file) is read from memory once per call.
[[nodiscard]] std::vector<Neighbor> k_nearest(const Eigen::Ref<const Matrix>& queries,
                                              const Eigen::Ref<const Matrix>& train,
                                              Eigen::Index k);

}  // namespace mlpersist::neighbors
