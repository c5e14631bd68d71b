#pragma once

// Exact k-nearest-neighbour search by scanning every training row.

#include <cstdint>
#include <mlpersist/estimator.hpp>
#include <string>
#include <string_view>
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
[[nodiscard]] std::vector<Neighbor> k_nearest(const MatrixView& queries, const MatrixView& train,
                                              Eigen::Index k);

/// k_nearest for a model's predict: throws UsageError(kInvalidInput) when k exceeds the training
/// rows and UsageError(kLimitExceeded) when the neighbour lists' size overflows (k comes from a
/// file, bounded only by the rows it stores). `who` names the estimator in the message.
[[nodiscard]] std::vector<Neighbor> checked_k_nearest(const MatrixView& queries,
                                                      const MatrixView& train, Eigen::Index k,
                                                      std::string_view who);

/// Throws UsageError(kInvalidParameter), naming `who`, for n_neighbors < 1 or weights other
/// than 'uniform' and 'distance'.
void validate_neighbors_params(std::int64_t n_neighbors, const std::string& weights,
                               std::string_view who);

/// scikit-learn's `_get_weights` for weights='distance' over one query's k neighbours:
/// 1 / distance, except that a query at distance zero from some neighbours gives those weight 1
/// and the others 0.
void distance_weights(const Neighbor* neighbors, Eigen::Index k, double* weights);

}  // namespace mlpersist::neighbors
