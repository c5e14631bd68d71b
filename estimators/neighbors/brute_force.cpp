#include "brute_force.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mlpersist/error.hpp>
#include <mlpersist/params.hpp>
#include <string>

#include "common/checked_counts.hpp"
#include "common/numeric.hpp"

namespace mlpersist::neighbors {
namespace {

// A block of training rows holds at most 16384 values (128 KiB): it stays in L2 while every
// query scans it. At least 16 rows, so that the distance loop still vectorises on wide data;
// fewer than 16 queries do not pay for copying the blocks.
constexpr Eigen::Index kBlockValues = 16384;
constexpr Eigen::Index kMinBlockRows = 16;

// Orders by distance, then by index: the max-heap of the k best keeps the lower index of two
// equidistant rows, and the final sort lists equidistant neighbours by index.
bool closer(const Neighbor& a, const Neighbor& b) {
  return a.distance2 < b.distance2 || (a.distance2 == b.distance2 && a.index < b.index);
}

// Training rows [begin, begin + rows) stored feature by feature (column-major), so that one
// query's squared distances to all of them are computed feature after feature with the rows
// side by side in SIMD lanes. Each distance still adds its features' terms in order, from 0, as
// common::squared_distance does: the result is the same to the bit.
struct TrainBlock {
  Eigen::Index begin;
  Eigen::MatrixXd columns;  // rows x features, column-major (Matrix is row-major)
};

void squared_distances(const double* query, const TrainBlock& block, double* out) {
  Eigen::Map<Eigen::ArrayXd> d(out, block.columns.rows());
  d.setZero();
  for (Eigen::Index j = 0; j < block.columns.cols(); ++j)
    d += (query[j] - block.columns.col(j).array()).square();
}

void offer(const Neighbor& candidate, Neighbor* heap, Eigen::Index k) {
  if (!closer(candidate, heap[0])) return;
  std::pop_heap(heap, heap + k, closer);
  heap[k - 1] = candidate;
  std::push_heap(heap, heap + k, closer);
}

double finite_or_inf(double d2) {
  return std::isnan(d2) ? std::numeric_limits<double>::infinity() : d2;
}

// Offers the block's rows to the heap of one query.
void scan_block(const double* query, const TrainBlock& block, double* distances, Neighbor* heap,
                Eigen::Index k) {
  squared_distances(query, block, distances);
  for (Eigen::Index r = 0; r < block.columns.rows(); ++r)
    offer({finite_or_inf(distances[r]), static_cast<std::int64_t>(block.begin + r)}, heap, k);
}

// A few queries (a service's single row): rows scanned in place, without copying blocks.
void scan_rows(const double* query, const MatrixView& train, Neighbor* heap, Eigen::Index k) {
  for (Eigen::Index i = 0; i < train.rows(); ++i)
    offer({finite_or_inf(common::squared_distance(query, train.row(i).data(), train.cols())),
           static_cast<std::int64_t>(i)},
          heap, k);
}

// Every query against each block of training rows in turn.
void scan_in_blocks(const MatrixView& queries, const MatrixView& train,
                    std::vector<Neighbor>& heaps, Eigen::Index k) {
  const Eigen::Index block_rows =
      std::max(kMinBlockRows, kBlockValues / std::max<Eigen::Index>(train.cols(), 1));
  std::vector<double> distances(static_cast<std::size_t>(block_rows));
  for (Eigen::Index begin = 0; begin < train.rows(); begin += block_rows) {
    const TrainBlock block{begin,
                           train.middleRows(begin, std::min(block_rows, train.rows() - begin))};
    for (Eigen::Index q = 0; q < queries.rows(); ++q)
      scan_block(queries.row(q).data(), block, distances.data(),
                 &heaps[static_cast<std::size_t>(q * k)], k);
  }
}

}  // namespace

std::vector<Neighbor> k_nearest(const MatrixView& queries, const MatrixView& train,
                                Eigen::Index k) {
  // Placeholders that every real row, even an infinitely distant one, displaces.
  const Neighbor placeholder{std::numeric_limits<double>::infinity(),
                             std::numeric_limits<std::int64_t>::max()};
  std::vector<Neighbor> heaps(static_cast<std::size_t>(queries.rows() * k), placeholder);
  if (queries.rows() < kMinBlockRows) {
    for (Eigen::Index q = 0; q < queries.rows(); ++q)
      scan_rows(queries.row(q).data(), train, &heaps[static_cast<std::size_t>(q * k)], k);
  } else {
    scan_in_blocks(queries, train, heaps, k);
  }
  for (Eigen::Index q = 0; q < queries.rows(); ++q) {
    auto* heap = &heaps[static_cast<std::size_t>(q * k)];
    std::sort_heap(heap, heap + k, closer);
  }
  return heaps;
}

std::vector<Neighbor> checked_k_nearest(const MatrixView& queries, const MatrixView& train,
                                        Eigen::Index k, std::string_view who) {
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

void validate_neighbors_params(std::int64_t n_neighbors, const std::string& weights,
                               std::string_view who) {
  if (n_neighbors < 1) throw_invalid_param(who, "n_neighbors must be at least 1");
  if (weights != "uniform" && weights != "distance")
    throw_invalid_param(who, "weights must be 'uniform' or 'distance', got '" + weights + "'");
}

void distance_weights(const Neighbor* neighbors, Eigen::Index k, double* weights) {
  const bool exact =
      std::any_of(neighbors, neighbors + k, [](const Neighbor& n) { return n.distance2 == 0; });
  for (Eigen::Index i = 0; i < k; ++i)
    weights[i] =
        exact ? (neighbors[i].distance2 == 0 ? 1.0 : 0.0) : 1.0 / std::sqrt(neighbors[i].distance2);
}

}  // namespace mlpersist::neighbors
