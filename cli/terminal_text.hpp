#pragma once

// Text from a file, made safe to print. A file is written by whoever sent it: its strings
// (type tags, metadata keys and values, versions, paths it records, cells quoted in errors)
// must not reach the terminal as escape sequences, reordering or line-breaking characters, or
// text that passes for the command's own report lines.

#include <string>
#include <string_view>

namespace mlpersist::cli {

/// `text` with every character that a terminal acts on rather than shows escaped as \uXXXX
/// (C0 controls, DEL, C1 controls, U+2028/U+2029, bidirectional and zero-width marks) and every
/// byte that is not UTF-8 as \xNN; with `keep_newlines`, '\n' passes (for multi-line reports).
/// Inside a JSON text the result is still JSON with the same strings.
[[nodiscard]] std::string terminal_safe(std::string_view text, bool keep_newlines = false);

/// A field from a file: bare when it is made only of ASCII letters, digits and ._+-/@:
/// (type tags, versions, backend names), otherwise as a JSON string (quoted, escaped as above),
/// so that file content can never imitate a line of the command's own.
[[nodiscard]] std::string shown(std::string_view field);

}  // namespace mlpersist::cli
