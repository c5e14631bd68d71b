#pragma once

// Sums and products of counts that a file chose. A file may store any 64-bit value, so a sum
// that wraps around can land exactly on an array's real length and pass the consistency check
// the arithmetic was meant to make; predict would then compute with blocks outside the arrays.
// Every sum or product of such counts goes through these helpers, never through + or *.

#include <concepts>
#include <cstdint>
#include <mlpersist/node.hpp>
#include <optional>
#include <span>
#include <string>

namespace mlpersist::common {

/// a + b, or nothing when the sum does not fit in T.
template <std::integral T>
[[nodiscard]] constexpr std::optional<T> checked_add(T a, T b) noexcept {
  T sum;
  if (__builtin_add_overflow(a, b, &sum)) return std::nullopt;
  return sum;
}

/// a * b, or nothing when the product does not fit in T.
template <std::integral T>
[[nodiscard]] constexpr std::optional<T> checked_mul(T a, T b) noexcept {
  T product;
  if (__builtin_mul_overflow(a, b, &product)) return std::nullopt;
  return product;
}

/// The total of `counts`, read at `n`: refuses `n` (with its document path) when a count is
/// negative or when the total exceeds what an int64 holds, which no array's length can.
[[nodiscard]] inline std::uint64_t total_count(const Node& n,
                                               std::span<const std::int64_t> counts) {
  std::int64_t total = 0;
  for (const std::int64_t k : counts) {
    if (k < 0) n.fail("counts must be non-negative, found " + std::to_string(k));
    const auto sum = checked_add(total, k);
    if (!sum) n.fail("the counts add up to more than 2^63 - 1, longer than any array");
    total = *sum;
  }
  return static_cast<std::uint64_t>(total);
}

}  // namespace mlpersist::common
