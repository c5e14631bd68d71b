#pragma once

// Number text for the JSON backend: shortest round-trip output and exact input, so that every
// finite double and float survives a round trip bit for bit.

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <mlpersist/tensor.hpp>
#include <string_view>
#include <system_error>

namespace mlpersist::json {

/// Room for any text format_real writes (shortest double text is at most 24 characters).
inline constexpr std::size_t kRealTextCapacity = 32;

/// Writes the shortest text that reads back to exactly `value` (finite), with ".0" appended
/// when the text would otherwise read as an integer. Returns the length written.
std::size_t format_real(double value, char* out) noexcept;
std::size_t format_real(float value, char* out) noexcept;

/// "NaN", "Infinity" or "-Infinity" for a non-finite value.
std::string_view non_finite_name(double value) noexcept;
/// Inverse of non_finite_name; false for any other text.
bool parse_non_finite(std::string_view text, double& out) noexcept;

/// True when a JSON number token has a fraction or an exponent (it denotes a double).
bool is_real_text(std::string_view text) noexcept;

/// Reads a whole JSON number token as T; false when it does not fit T (out of range, or a
/// fraction or exponent for an integer type).
template <class T>
bool parse_number(std::string_view text, T& out) noexcept {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

}  // namespace mlpersist::json

namespace mlpersist::json {

/// Calls `f(T{})` with the C++ element type of `dtype`.
template <class F>
decltype(auto) visit_dtype(DType dtype, F&& f) {
  switch (dtype) {
    case DType::kFloat32: return f(float{});
    case DType::kInt64: return f(std::int64_t{});
    case DType::kInt32: return f(std::int32_t{});
    case DType::kUInt8: return f(std::uint8_t{});
    case DType::kFloat64: break;
  }
  return f(double{});
}

}  // namespace mlpersist::json
