#pragma once

// Sorting one node's (feature value, sample) pairs for the best splitter. Classification
// counts are sums of integer weights, exact in any order, so ties may land anywhere and a radix
// sort is used. A regression criterion sums float64 targets in the order the samples are left
// in, which decides the last bits of every impurity (and so ties between splits): there the
// pairs are sorted exactly as scikit-learn 1.2's introsort leaves them.

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace mlpersist::tree {

/// A sample's float32 value of one feature, and the sample.
using Item = std::pair<float, std::int32_t>;

/// Sorts by value in linear time (LSD radix sort; std::sort for small spans); ties in any order.
/// `scratch` is a reusable buffer.
void sort_by_value(std::span<Item> items, std::vector<Item>& scratch);

/// Sorts by value as scikit-learn 1.2's splitter does (introsort with a median-of-three pivot and
/// a three-way partition, heapsort past depth 2 * floor(log2 n)), so that ties end up in the
/// same order as there. `scratch` is a reusable buffer.
void sort_like_scikit_learn(std::span<Item> items, std::vector<Item>& scratch);

}  // namespace mlpersist::tree
