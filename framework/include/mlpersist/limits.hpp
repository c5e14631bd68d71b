#pragma once

#include <cstdint>

namespace mlpersist {

/// Documents are trees that copying, comparing, migrating and destroying walk recursively, one
/// stack frame per level; every decoder refuses deeper nesting whatever Limits::max_depth says.
inline constexpr std::uint32_t kMaxSupportedDepth = 1000;

/// Bounds applied while decoding untrusted input, on top of the rule that no declared length is
/// believed before it is checked against the bytes that remain.
struct Limits {
  std::uint32_t max_depth = 64;                      ///< nesting of arrays and maps
  std::uint64_t max_string_bytes = 64ull << 20;      ///< one string or bytes value
  std::uint32_t max_rank = 8;                        ///< tensor dimensions
  std::uint64_t max_tensor_elements = 1ull << 36;    ///< elements of one tensor
  std::uint64_t max_header_bytes = 1ull << 20;       ///< envelope header
  std::uint64_t max_container_entries = 1ull << 28;  ///< elements of one array or map
  /// Values decoded in one document: every scalar, string, array, map and tensor counts one
  /// (tensor elements do not). Bounds the memory of the tree itself, which costs about a
  /// hundred bytes per value however few bytes of input encode it.
  std::uint64_t max_values = 1ull << 22;

  /// The nesting decoders accept: max_depth, but never more than kMaxSupportedDepth.
  [[nodiscard]] constexpr std::uint32_t depth_limit() const noexcept {
    return max_depth < kMaxSupportedDepth ? max_depth : kMaxSupportedDepth;
  }
};

}  // namespace mlpersist
