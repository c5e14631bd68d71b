#pragma once

#include <mlpersist/export.hpp>
#include <mlpersist/limits.hpp>
#include <mlpersist/value.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace mlpersist {

/// Plain JSON for JSON-compatible values (null, bool, integers, finite doubles, strings,
/// arrays, maps): the envelope header and machine-readable CLI output. Tensors, bytes and
/// non-finite doubles are the JSON *backend's* business and throw UsageError here.
[[nodiscard]] MLPERSIST_API std::string to_json_text(const Value& value, bool pretty = false);

/// One member of to_json_object: a key and a value the caller keeps alive.
using JsonMember = std::pair<std::string_view, const Value*>;
/// Compact JSON text of an object with these members, in order: writes values where they are,
/// without copying them into a Map first (the envelope header's metadata).
[[nodiscard]] MLPERSIST_API std::string to_json_object(std::span<const JsonMember> members);

/// Parses strict RFC 8259 JSON (valid UTF-8, no trailing garbage) within `limits`. Throws
/// FormatError naming `source` and the byte offset.
[[nodiscard]] MLPERSIST_API Value parse_json_text(std::string_view text, std::string_view source,
                                                  const Limits& limits);

}  // namespace mlpersist
