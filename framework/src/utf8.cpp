#include <cstdint>
#include <cstring>
#include <mlpersist/utf8.hpp>

namespace mlpersist {
namespace {

constexpr std::uint64_t kHighBits = 0x8080808080808080ull;

bool is_continuation(unsigned char c) noexcept {
  return (c & 0xC0) == 0x80;
}

// Length of the sequence a lead byte starts and the range its second byte must fall in
// (Unicode Table 3-7); length 0 for bytes that can never start a sequence.
struct Lead {
  std::size_t length;
  unsigned char low;
  unsigned char high;
};

Lead classify(unsigned char c) noexcept {
  if (c >= 0xC2 && c <= 0xDF) return {2, 0x80, 0xBF};
  if (c == 0xE0) return {3, 0xA0, 0xBF};  // excludes overlong 3-byte forms
  if (c == 0xED) return {3, 0x80, 0x9F};  // excludes UTF-16 surrogates
  if (c >= 0xE1 && c <= 0xEF) return {3, 0x80, 0xBF};
  if (c == 0xF0) return {4, 0x90, 0xBF};  // excludes overlong 4-byte forms
  if (c >= 0xF1 && c <= 0xF3) return {4, 0x80, 0xBF};
  if (c == 0xF4) return {4, 0x80, 0x8F};  // nothing above U+10FFFF
  return {0, 0, 0};
}

}  // namespace

std::size_t find_invalid_utf8(std::string_view text) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    // Model documents are mostly ASCII keys: skip them eight bytes at a time.
    std::uint64_t word;
    while (n - i >= sizeof word && (std::memcpy(&word, s + i, sizeof word), !(word & kHighBits)))
      i += sizeof word;
    if (i == n) break;
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    const Lead lead = classify(s[i]);
    if (lead.length == 0 || n - i < lead.length) return i;
    if (s[i + 1] < lead.low || s[i + 1] > lead.high) return i;
    for (std::size_t k = 2; k < lead.length; ++k)
      if (!is_continuation(s[i + k])) return i;
    i += lead.length;
  }
  return std::string_view::npos;
}

}  // namespace mlpersist
