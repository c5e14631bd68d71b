#pragma once

#include <cstddef>
#include <string_view>

namespace mlpersist::binary {

/// Offset of the first byte that breaks strict UTF-8 (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF), or std::string_view::npos when `text` is valid.
[[nodiscard]] std::size_t find_invalid_utf8(std::string_view text) noexcept;

}  // namespace mlpersist::binary
