#pragma once

#include <cstdint>
#include <mlpersist/tensor.hpp>
#include <string_view>

#include "json_decode_context.hpp"

namespace mlpersist::json {

/// Reads the body of a {"$tensor": {...}} marker straight into a preallocated Tensor: dtype and
/// shape size the buffer (checked against the limits and the bytes that remain first), then
/// each data element is parsed into place, with no Value per element. Receives the SAX events
/// from just after the body's '{' up to and including its '}'.
class TensorReader {
 public:
  explicit TensorReader(const DecodeContext& context) : context_(context) {}

  void key(std::string_view key);
  void string(std::string_view text);
  void number(std::string_view text);
  void start_array();
  void end_array();
  /// The finished tensor, at the body's closing '}'.
  [[nodiscard]] Tensor end_object();
  /// Any event the body cannot contain at this point (null, a bool, an object, ...).
  [[noreturn]] void unexpected(std::string_view event) const;

 private:
  enum class Stage : std::uint8_t {
    kDTypeKey,
    kDType,
    kShapeKey,
    kShape,
    kDims,
    kDataKey,
    kData,
    kElements,
    kEnd
  };

  void add_dimension(std::string_view text);
  void allocate();
  void element(std::string_view text);
  void non_finite_element(std::string_view text);
  template <class T>
  void read_element(std::string_view text);
  template <class T>
  void store(T value);

  const DecodeContext& context_;
  Stage stage_ = Stage::kDTypeKey;
  DType dtype_ = DType::kFloat64;
  Tensor::Shape shape_;
  Tensor tensor_;
  std::byte* out_ = nullptr;  // the tensor's buffer, filled element by element
  std::uint64_t count_ = 0;   // elements the shape calls for
  std::uint64_t written_ = 0;
};

}  // namespace mlpersist::json
