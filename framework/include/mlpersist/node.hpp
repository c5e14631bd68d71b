#pragma once

#include <cstdint>
#include <mlpersist/value.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace mlpersist {

/// A read-only position in a document that knows its path (`steps[1].state.support_vectors_`),
/// so that every schema error says exactly where it is. Estimators read their state through it.
/// A Node refers to the Value; the document must outlive it.
class MLPERSIST_API Node {
 public:
  Node(const Value& value, std::string path) : value_(&value), path_(std::move(path)) {}

  [[nodiscard]] const Value& value() const noexcept { return *value_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

  /// Member of a map; throws SchemaError when this is not a map or the key is absent.
  [[nodiscard]] Node operator[](std::string_view key) const;
  /// Member of a map when present.
  [[nodiscard]] std::optional<Node> find(std::string_view key) const;
  /// Element of an array; throws SchemaError when out of range.
  [[nodiscard]] Node operator[](std::size_t index) const;
  /// Number of elements of an array or entries of a map.
  [[nodiscard]] std::size_t size() const;

  [[nodiscard]] bool as_bool() const;
  /// An integer (signed or unsigned kind) within [lo, hi]; floats are refused.
  [[nodiscard]] std::int64_t as_int(std::int64_t lo = INT64_MIN, std::int64_t hi = INT64_MAX) const;
  /// A number (integers are converted); `finite` refuses NaN and infinities.
  [[nodiscard]] double as_double(bool finite = true) const;
  [[nodiscard]] const std::string& as_string() const;
  [[nodiscard]] const Map& as_map() const;
  [[nodiscard]] const Array& as_array() const;
  /// A tensor of the given dtype and rank; with `finite`, NaN and infinities are refused.
  [[nodiscard]] const Tensor& as_tensor(DType dtype, std::size_t rank, bool finite = true) const;

  /// A tensor of the given dtype and exact shape (what the rest of the state implies); the
  /// error names both shapes. (A distinct name: `as_tensor(dtype, {n})` would pick the rank
  /// overload.)
  [[nodiscard]] const Tensor& as_shaped_tensor(DType dtype, const Tensor::Shape& shape,
                                               bool finite = true) const;

  /// Throws SchemaError at this path with `what` (e.g. "expected 3 rows, found 4").
  [[noreturn]] void fail(std::string_view what) const;

 private:
  [[noreturn]] void fail_kind(std::string_view expected) const;

  const Value* value_;
  std::string path_;
};

}  // namespace mlpersist
