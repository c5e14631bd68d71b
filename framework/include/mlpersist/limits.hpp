#pragma once

#include <cstdint>

namespace mlpersist {

/// Bounds applied while decoding untrusted input, on top of the rule that no declared length is
/// believed before it is checked against the bytes that remain.
struct Limits {
  std::uint32_t max_depth = 64;                          ///< nesting of arrays and maps
  std::uint64_t max_string_bytes = 64ull << 20;          ///< one string or bytes value
  std::uint32_t max_rank = 8;                            ///< tensor dimensions
  std::uint64_t max_tensor_elements = 1ull << 36;        ///< elements of one tensor
  std::uint64_t max_header_bytes = 1ull << 20;           ///< envelope header
  std::uint64_t max_container_entries = 1ull << 28;      ///< elements of one array or map
};

}  // namespace mlpersist
