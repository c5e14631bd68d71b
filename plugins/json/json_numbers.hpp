#pragma once

// Number input for the JSON backend: exact parsing, so that every finite double and float
// survives a round trip bit for bit (the output side, write_real_text and non_finite_name, is
// shared with the framework and the CLI in <mlpersist/text.hpp>).

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <mlpersist/tensor.hpp>
#include <string_view>
#include <system_error>

namespace mlpersist::json {

/// True when a JSON number token has a fraction or an exponent (it denotes a double).
inline bool is_real_text(std::string_view text) noexcept {
  return text.find_first_of(".eE") != std::string_view::npos;
}

/// Reads a whole JSON number token as T; false when it does not fit T (out of range, or a
/// fraction or exponent for an integer type).
template <class T>
bool parse_number(std::string_view text, T& out) noexcept {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

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
