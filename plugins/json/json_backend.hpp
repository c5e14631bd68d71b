#pragma once

// The "json" payload format. This comment is its specification: files in the wild depend on it,
// so change it only by adding to it.
//
// The payload is one strict RFC 8259 JSON document in UTF-8 (no comments, no NaN literals, no
// trailing commas, nothing after the root value), readable by any JSON tool (jq, python -m
// json.tool). Value kinds are written as follows:
//
//   null, bool     null, true, false
//   int            an integer without '.' or exponent: -42
//   uint           (above INT64_MAX only) an integer: 18446744073709551615
//   double         finite: the shortest text that reads back to the same bits (std::to_chars),
//                  always with a '.' or an exponent so it reads back as a double:
//                  1.0, -0.0, 0.1, 5e-324, 1.7976931348623157e+308
//                  non-finite: {"$float": "NaN"}, {"$float": "Infinity"}, {"$float": "-Infinity"}
//                  (NaN payload and sign bits are not kept)
//   string         a JSON string
//   bytes          {"$bytes": "<RFC 4648 base64, standard alphabet, with padding>"}
//   array          a JSON array
//   map            a JSON object with the keys in order. A key that starts with '$' is written
//                  with its '$' doubled ("$x" -> "$$x") and undoubled on read, so a single
//                  leading '$' always introduces one of the marker objects listed here
//   tensor         {"$tensor": {"dtype": "float64", "shape": [150, 4], "data": [...]}}
//                  with the keys in exactly this order (the reader sizes the tensor from dtype
//                  and shape, then streams data into it). dtype is one of float64, float32,
//                  int64, int32, uint8; shape lists the dimensions ([] for rank 0); data is flat,
//                  row-major, with exactly as many elements as the shape's product. float64
//                  elements are written like doubles, float32 ones as the shortest text that
//                  reads back to the same float (readers also accept integers for both);
//                  non-finite float elements are the strings "NaN", "Infinity", "-Infinity";
//                  integer elements are integers in the dtype's range.
//
// A marker object ($float, $bytes, $tensor) has exactly one key. Reading is strict: numbers
// with '.' or exponent are doubles and must be in range, other numbers are int (or uint above
// INT64_MAX) and must fit 64 bits; duplicate keys, invalid UTF-8 (including escaped lone
// surrogates), unknown markers or dtypes, and element counts that differ from the shape are
// errors. Nesting depth, string and bytes length, tensor rank and elements are bounded by
// Limits, and a tensor's element count is checked against the bytes that remain (each element
// takes at least two) before its buffer is allocated.

#include <mlpersist/backend.hpp>
#include <string_view>

namespace mlpersist::json {

/// The "json" format backend (see the specification above).
class JsonBackend final : public Backend {
 public:
  [[nodiscard]] std::string_view name() const override { return "json"; }
  [[nodiscard]] std::string_view description() const override {
    return "JSON (RFC 8259) for reading and diffing; doubles round-trip bit-exactly";
  }
  /// Throws UsageError when a string is not valid UTF-8 or is 4 GiB or longer; the sink then
  /// holds a partial payload.
  void encode(const Value& document, Sink& out) const override;
  /// Throws FormatError (kMalformed, kTruncated or kLimitExceeded) naming the byte offset.
  [[nodiscard]] Value decode(const DecodeInput& input) const override;
};

}  // namespace mlpersist::json
