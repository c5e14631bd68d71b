#include "brute_force.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

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

}  // namespace mlpersist::neighbors
