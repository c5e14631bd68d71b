#include "json_numbers.hpp"

#include <cmath>
#include <cstring>
#include <limits>

namespace mlpersist::json {
namespace {

template <class T>
std::size_t format_shortest(T value, char* out) noexcept {
  // Shortest text never exceeds 24 characters for a double, leaving room for ".0".
  const auto [ptr, ec] = std::to_chars(out, out + kRealTextCapacity - 2, value);
  std::size_t length = static_cast<std::size_t>(ptr - out);
  if (std::memchr(out, '.', length) == nullptr && std::memchr(out, 'e', length) == nullptr) {
    out[length++] = '.';
    out[length++] = '0';
  }
  return length;
}

}  // namespace

std::size_t format_real(double value, char* out) noexcept {
  return format_shortest(value, out);
}
std::size_t format_real(float value, char* out) noexcept {
  return format_shortest(value, out);
}

std::string_view non_finite_name(double value) noexcept {
  if (std::isnan(value)) return "NaN";
  return value > 0 ? "Infinity" : "-Infinity";
}

bool parse_non_finite(std::string_view text, double& out) noexcept {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (text == "NaN") {
    out = std::numeric_limits<double>::quiet_NaN();
  } else if (text == "Infinity") {
    out = kInf;
  } else if (text == "-Infinity") {
    out = -kInf;
  } else {
    return false;
  }
  return true;
}

bool is_real_text(std::string_view text) noexcept {
  return text.find_first_of(".eE") != std::string_view::npos;
}

}  // namespace mlpersist::json
