#include "splitter_sort.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

namespace mlpersist::tree {
namespace {

// An unsigned key that orders like the float (-0.0 just before +0.0, which compare equal).
std::uint32_t order_key(float f) {
  const auto u = std::bit_cast<std::uint32_t>(f);
  return (u & 0x80000000U) != 0 ? ~u : u | 0x80000000U;
}

float median_of_three(const Item* v, std::size_t n) {
  const float a = v[0].first, b = v[n / 2].first, c = v[n - 1].first;
  if (a < b) {
    if (b < c) return b;
    return a < c ? c : a;
  }
  if (b < c) return a < c ? a : c;
  return b;
}

// Moves the largest of v[root], its children (within [0, end)) up until the heap holds.
void sift_down(Item* v, std::size_t root, std::size_t end) {
  for (;;) {
    const std::size_t child = root * 2 + 1;
    std::size_t largest = root;
    if (child < end && v[largest].first < v[child].first) largest = child;
    if (child + 1 < end && v[largest].first < v[child + 1].first) largest = child + 1;
    if (largest == root) return;
    std::swap(v[root], v[largest]);
    root = largest;
  }
}

void heapsort(Item* v, std::size_t n) {
  for (std::size_t start = (n - 2) / 2;; --start) {
    sift_down(v, start, n);
    if (start == 0) break;
  }
  for (std::size_t end = n - 1; end > 0; --end) {
    std::swap(v[0], v[end]);
    sift_down(v, 0, end);
  }
}

void introsort(Item* v, std::size_t n, int max_depth) {
  while (n > 1) {
    if (max_depth <= 0) {
      heapsort(v, n);
      return;
    }
    --max_depth;
    const float pivot = median_of_three(v, n);
    std::size_t i = 0, l = 0, r = n;
    while (i < r) {
      if (v[i].first < pivot)
        std::swap(v[i++], v[l++]);
      else if (v[i].first > pivot)
        std::swap(v[i], v[--r]);
      else
        ++i;
    }
    introsort(v, l, max_depth);
    v += r;
    n -= r;
  }
}

// Below this many items a comparison sort beats the radix sort's four passes.
constexpr std::size_t kRadixFrom = 128;

// LSD radix sort of `items` by order_key, ping-ponging between `from` (which holds the items on
// entry) and `to`; returns whichever of the two holds the sorted items. Ties in any order.
Item* radix_sort(Item* from, Item* to, std::size_t n) {
  std::array<std::array<std::uint32_t, 256>, 4> count{};
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t k = order_key(from[i].first);
    for (std::size_t d = 0; d < 4; ++d) ++count[d][(k >> (8 * d)) & 0xFF];
  }
  for (std::size_t d = 0; d < 4; ++d) {
    const auto digit = [d](const Item& item) { return (order_key(item.first) >> (8 * d)) & 0xFF; };
    if (count[d][digit(from[0])] == n) continue;  // every key shares this byte
    std::array<std::uint32_t, 256> next{};
    for (std::size_t b = 1; b < 256; ++b) next[b] = next[b - 1] + count[d][b - 1];
    for (std::size_t i = 0; i < n; ++i) to[next[digit(from[i])]++] = from[i];
    std::swap(from, to);
  }
  return from;
}

}  // namespace

void sort_by_value(std::span<Item> items, std::vector<Item>& scratch) {
  if (items.size() < kRadixFrom) {
    std::sort(items.begin(), items.end(),
              [](const Item& a, const Item& b) { return a.first < b.first; });
    return;
  }
  scratch.resize(items.size());
  const Item* sorted = radix_sort(items.data(), scratch.data(), items.size());
  if (sorted != items.data()) std::copy_n(sorted, items.size(), items.data());
}

void sort_like_scikit_learn(std::span<Item> items, std::vector<Item>& scratch) {
  if (items.empty()) return;
  // Without equal values there is one sorted order, whatever the algorithm: a radix sort of a
  // copy finds it in linear time. Only values that tie need scikit-learn's introsort, which
  // then starts again from the items as they were.
  if (items.size() >= kRadixFrom) {
    scratch.resize(2 * items.size());
    Item* copy = scratch.data();
    std::copy_n(items.data(), items.size(), copy);
    const Item* sorted = radix_sort(copy, copy + items.size(), items.size());
    bool ties = false;
    for (std::size_t i = 1; i < items.size(); ++i) ties |= sorted[i].first == sorted[i - 1].first;
    if (!ties) {
      std::copy_n(sorted, items.size(), items.data());
      return;
    }
  }
  // scikit-learn's log is log2 computed as ln(x) / ln(2).
  const double log2_n = std::log(static_cast<double>(items.size())) / std::log(2.0);
  introsort(items.data(), items.size(), 2 * static_cast<int>(log2_n));
}

}  // namespace mlpersist::tree
