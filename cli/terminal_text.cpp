#include "terminal_text.hpp"

#include <cstdint>
#include <cstdio>
#include <mlpersist/json_text.hpp>
#include <mlpersist/utf8.hpp>
#include <mlpersist/value.hpp>

namespace mlpersist::cli {
namespace {

// Code points a terminal interprets or that cannot be seen: controls, line and paragraph
// separators, the marks that reorder or hide text (Trojan Source, CVE-2021-42574), and the
// spaces and hyphens that look like nothing (two column names differing only by one look equal).
bool acted_on(std::uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0xa0 || cp == 0xad || cp == 0x2028 ||
         cp == 0x2029 || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

// Length of the UTF-8 sequence at text[i] and its code point; 0 when the bytes are not valid
// UTF-8 there.
std::size_t decode(std::string_view text, std::size_t i, std::uint32_t& cp) {
  const auto lead = static_cast<unsigned char>(text[i]);
  const std::size_t n = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  if (i + n > text.size() || find_invalid_utf8(text.substr(i, n)) != std::string_view::npos)
    return 0;
  cp = n == 1 ? lead : lead & (0xff >> (n + 1));
  for (std::size_t k = 1; k < n; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
  return n;
}

void append_escape(std::string& out, const char* format, std::uint32_t value) {
  char buffer[12];
  std::snprintf(buffer, sizeof buffer, format, static_cast<unsigned>(value));
  out += buffer;
}

bool plain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '+' || c == '-' || c == '/' || c == '@' || c == ':';
}

}  // namespace

std::string terminal_safe(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t cp = 0;
    const std::size_t n = decode(text, i, cp);
    if (n == 0) {
      append_escape(out, "\\x%02x", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    if (acted_on(cp) && !(keep_newlines && cp == '\n'))
      append_escape(out, "\\u%04x", cp);
    else
      out.append(text, i, n);
    i += n;
  }
  return out;
}

std::string shown(std::string_view field) {
  bool bare = !field.empty();
  for (char c : field) bare = bare && plain(c);
  return bare ? std::string(field) : terminal_safe(to_json_text(Value(field)));
}

}  // namespace mlpersist::cli
