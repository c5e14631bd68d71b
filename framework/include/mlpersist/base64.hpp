#pragma once

// RFC 4648 base64 (standard alphabet, '=' padding, no line breaks): bytes inside JSON texts,
// the json backend's "$bytes" marker and `mlpersist show` alike.

#include <cstdint>
#include <mlpersist/export.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mlpersist {

/// Encodes with padding and without line breaks.
[[nodiscard]] MLPERSIST_API std::string base64_encode(std::span<const std::uint8_t> bytes);

/// Decodes strictly: standard alphabet only, length a multiple of 4, padding only at the end
/// and unused bits zero, so each byte string has exactly one accepted text. Nullopt when the
/// text is not such base64.
[[nodiscard]] MLPERSIST_API std::optional<std::vector<std::uint8_t>> base64_decode(
    std::string_view text);

}  // namespace mlpersist
