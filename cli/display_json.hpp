#pragma once

#include <iosfwd>
#include <mlpersist/value.hpp>

namespace mlpersist::cli {

/// Elements of a tensor shown in abbreviated form.
inline constexpr std::size_t kTensorPreview = 6;

/// Writes any document as strict, indented JSON for people and tools (`mlpersist show`), a
/// display transformation that need not read back:
///   tensor            {"$tensor": {"dtype", "shape", "preview" (first kTensorPreview elements),
///                      "xxh3" (of its little-endian bytes)}}; with `full_tensors`, "data" (all
///                      elements) instead of "preview"
///   NaN, ±infinity    {"$float": "NaN" | "Infinity" | "-Infinity"}
///   bytes             {"$bytes": "<base64>"}
/// Finite doubles are shortest round-trip decimals that always show a '.' or an exponent, so
/// 1.0 stays distinguishable from the integer 1.
void write_display_json(std::ostream& out, const Value& value, bool full_tensors);

}  // namespace mlpersist::cli
