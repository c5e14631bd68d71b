#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <mlpersist/text.hpp>

namespace mlpersist {
namespace {

template <class T>
std::size_t write_real(T value, char* out) noexcept {
  // Two characters stay free for the ".0".
  const char* end = std::to_chars(out, out + kRealTextCapacity - 2, value).ptr;
  auto length = static_cast<std::size_t>(end - out);
  if (std::memchr(out, '.', length) == nullptr && std::memchr(out, 'e', length) == nullptr) {
    out[length++] = '.';
    out[length++] = '0';
  }
  return length;
}

}  // namespace

std::string format_double(double v) {
  // Spelled out: to_chars would write "-nan" for a NaN with its sign bit set.
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char text[kRealTextCapacity];
  const char* end = std::to_chars(text, text + sizeof text, v).ptr;
  return std::string(text, static_cast<std::size_t>(end - text));
}

std::size_t write_real_text(double value, char* out) noexcept {
  return write_real(value, out);
}

std::size_t write_real_text(float value, char* out) noexcept {
  return write_real(value, out);
}

std::string_view non_finite_name(double value) noexcept {
  if (std::isnan(value)) return "NaN";
  return value > 0 ? "Infinity" : "-Infinity";
}

std::optional<double> parse_non_finite(std::string_view text) noexcept {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "Infinity") return kInf;
  if (text == "-Infinity") return -kInf;
  return std::nullopt;
}

std::string shape_text(std::span<const std::uint64_t> shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

std::string excerpt(std::string_view text) {
  constexpr std::size_t kBytes = 40;
  if (text.size() <= kBytes) return std::string(text);
  // Back up to a UTF-8 lead byte so the cut does not split a character.
  std::size_t cut = kBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

}  // namespace mlpersist
