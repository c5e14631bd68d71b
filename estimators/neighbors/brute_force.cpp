#include "brute_force.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mlpersist/error.hpp>
#include <string>

#include "estimators/common/checked_counts.hpp"
#include "estimators/common/numeric.hpp"

namespace mlpersist::neighbors {
namespace {

// 2048 rows of 8 features are 128 KiB: a block stays in L2 while every query scans it.
constexpr Eigen::Index kTrainBlock = 2048;

// Orders by distance, then by index: the max-heap of the k best keeps the lower index of two
// equidistant rows, and the final sort lists equidistant neighbours by index.
bool closer(const Neighbor& a, const Neighbor& b) {
  return a.distance2 < b.distance2 || (a.distance2 == b.distance2 && a.index < b.index);
}

// Offers training rows [begin, end) to the heap of one query.
void scan_block(const double* query, const Eigen::Ref<const Matrix>& train, Eigen::Index begin,
                Eigen::Index end, Neighbor* heap, Eigen::Index k) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (Eigen::Index i = begin; i < end; ++i) {
    double d2 = common::squared_distance(query, train.row(i).data(), train.cols());
    if (std::isnan(d2)) d2 = kInf;
    const Neighbor candidate{d2, static_cast<std::int64_t>(i)};
    if (!closer(candidate, heap[0])) continue;
    std::pop_heap(heap, heap + k, closer);
    heap[k - 1] = candidate;
    std::push_heap(heap, heap + k, closer);
  }
}

}  // namespace

std::vector<Neighbor> k_nearest(const Eigen::Ref<const Matrix>& queries,
                                const Eigen::Ref<const Matrix>& train, Eigen::Index k) {
  // Placeholders that every real row, even an infinitely distant one, displaces.
  const Neighbor placeholder{std::numeric_limits<double>::infinity(),
                             std::numeric_limits<std::int64_t>::max()};
  std::vector<Neighbor> heaps(static_cast<std::size_t>(queries.rows() * k), placeholder);
  for (Eigen::Index begin = 0; begin < train.rows(); begin += kTrainBlock) {
    const Eigen::Index end = std::min(train.rows(), begin + kTrainBlock);
    for (Eigen::Index q = 0; q < queries.rows(); ++q)
      scan_block(queries.row(q).data(), train, begin, end, &heaps[static_cast<std::size_t>(q * k)],
                 k);
  }
  for (Eigen::Index q = 0; q < queries.rows(); ++q) {
    auto* heap = &heaps[static_cast<std::size_t>(q * k)];
    std::sort_heap(heap, heap + k, closer);
  }
  return heaps;
}

std::vector<Neighbor> checked_k_nearest(const Eigen::Ref<const Matrix>& queries,
                                        const Eigen::Ref<const Matrix>& train, Eigen::Index k,
                                        std::string_view who) {
  const std::string name(who);
  if (k > train.rows())
    throw UsageError(ErrorCode::kInvalidInput, name + ": n_neighbors=" + std::to_string(k) +
                                                   " exceeds the " + std::to_string(train.rows()) +
                                                   " training samples");
  if (!common::checked_mul(queries.rows(), k))
    throw UsageError(ErrorCode::kLimitExceeded, name + ": " + std::to_string(queries.rows()) +
                                                    " rows x n_neighbors=" + std::to_string(k) +
                                                    " neighbour lists overflow a 64-bit size");
  return k_nearest(queries, train, k);
}

void distance_weights(const Neighbor* neighbors, Eigen::Index k, double* weights) {
  const bool exact =
      std::any_of(neighbors, neighbors + k, [](const Neighbor& n) { return n.distance2 == 0; });
  for (Eigen::Index i = 0; i < k; ++i)
    weights[i] =
        exact ? (neighbors[i].distance2 == 0 ? 1.0 : 0.0) : 1.0 / std::sqrt(neighbors[i].distance2);
}

}  // namespace mlpersist::neighbors
