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
  /// A payload decodes to at most one value per this many of its bytes (but min_values in any
  /// case): a value costs about 100 to 200 bytes of memory however few bytes encode it, so this
  /// keeps a load's memory within 16 times the file, upgrades included (which hold a document
  /// and a hook's rewrite of it at once). Real states keep their numbers in tensors and spend far
  /// more bytes per value.
  std::uint64_t payload_bytes_per_value = 24;
  std::uint64_t min_values = 1ull << 16;

  // Work a file can ask for after decoding (LoadOptions::replay_verification, `verify`).
  /// Input values (rows x columns) of verification records replayed: records are a few rows,
  /// and each costs a prediction of a model as large as the file.
  std::uint64_t max_verification_values = 1ull << 16;
  /// Estimated operations (Estimator::fit_cost x folds) of verify's cross-validation re-run
  /// with the file's own parameters: about a minute of one core.
  double max_refit_cost = 1e11;

  /// The values a payload of `payload_bytes` may decode to (what decoders see as max_values).
  [[nodiscard]] constexpr std::uint64_t values_limit(std::uint64_t payload_bytes) const noexcept {
    const std::uint64_t per_bytes =
        payload_bytes / (payload_bytes_per_value ? payload_bytes_per_value : 1);
    const std::uint64_t proportional = per_bytes > min_values ? per_bytes : min_values;
    return proportional < max_values ? proportional : max_values;
  }

  /// The nesting decoders accept: max_depth, but never more than kMaxSupportedDepth.
  [[nodiscard]] constexpr std::uint32_t depth_limit() const noexcept {
    return max_depth < kMaxSupportedDepth ? max_depth : kMaxSupportedDepth;
  }
};

}  // namespace mlpersist
