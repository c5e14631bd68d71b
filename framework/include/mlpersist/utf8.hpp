#pragma once

#include <cstddef>
#include <mlpersist/export.hpp>
#include <string_view>

namespace mlpersist {

/// Offset of the first byte that breaks strict UTF-8 (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF), or std::string_view::npos when `text` is valid.
/// Every backend checks decoded strings with it: a Value's strings are always valid UTF-8.
[[nodiscard]] MLPERSIST_API std::size_t find_invalid_utf8(std::string_view text) noexcept;

}  // namespace mlpersist
