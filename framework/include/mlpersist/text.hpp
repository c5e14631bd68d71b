#pragma once

// Text that every layer writes the same way: numbers that read back exactly, tensor shapes and
// excerpts of input in messages. One spelling each, so that an error shows a shape or a number
// alike whichever backend, estimator or command reports it.

#include <cstddef>
#include <cstdint>
#include <mlpersist/export.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mlpersist {

/// Shortest decimal that parses back to exactly `v` ("0.1", "1", "1e-300"), and "nan", "inf",
/// "-inf" for non-finite values (CSV output, messages).
[[nodiscard]] MLPERSIST_API std::string format_double(double v);

/// Room for any text write_real_text writes (a shortest double is at most 24 characters).
inline constexpr std::size_t kRealTextCapacity = 32;
/// Writes the shortest text that reads back to exactly the finite `value` into `out` (at least
/// kRealTextCapacity characters), with ".0" appended when it would otherwise read as an integer,
/// so JSON and Python readers keep it a float: "1.0", "-0.0", "0.1", "5e-324". Returns the
/// length written. The float overload writes the shortest text of the float.
MLPERSIST_API std::size_t write_real_text(double value, char* out) noexcept;
MLPERSIST_API std::size_t write_real_text(float value, char* out) noexcept;

/// "NaN", "Infinity" or "-Infinity": how JSON texts (the json backend, `mlpersist show`) spell
/// a non-finite value.
[[nodiscard]] MLPERSIST_API std::string_view non_finite_name(double value) noexcept;
/// The inverse of non_finite_name; nullopt for any other text.
[[nodiscard]] MLPERSIST_API std::optional<double> parse_non_finite(std::string_view text) noexcept;

/// A tensor shape as Python writes the tuple: "(150, 4)", "(3,)", "()" for a scalar.
[[nodiscard]] MLPERSIST_API std::string shape_text(std::span<const std::uint64_t> shape);

/// Input text for a message, cut at 40 bytes (at a UTF-8 character boundary, then "...") so
/// that hostile input cannot flood it.
[[nodiscard]] MLPERSIST_API std::string excerpt(std::string_view text);

}  // namespace mlpersist
