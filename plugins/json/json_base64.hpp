#pragma once

// RFC 4648 base64 (standard alphabet, '=' padding) for the "$bytes" marker.

#include <mlpersist/value.hpp>
#include <string>
#include <string_view>

namespace mlpersist::json {

/// Encodes with padding and without line breaks.
std::string base64_encode(const Bytes& bytes);

/// Decodes strictly: standard alphabet only, length a multiple of 4, padding only at the end
/// and unused bits zero, so each byte string has exactly one accepted text. False when invalid.
bool base64_decode(std::string_view text, Bytes& out);

}  // namespace mlpersist::json
