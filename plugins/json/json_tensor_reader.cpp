#include "json_tensor_reader.hpp"

#include <array>
#include <cstring>
#include <mlpersist/text.hpp>
#include <string>
#include <type_traits>

#include "json_numbers.hpp"

namespace mlpersist::json {
namespace {

// What each stage waits for, for error messages (indexed by TensorReader::Stage).
constexpr std::array<std::string_view, 9> kExpected = {
    "the key \"dtype\" (a tensor's keys are dtype, shape, data, in this order)",
    "a dtype name string",
    "the key \"shape\" (a tensor's keys are dtype, shape, data, in this order)",
    "the shape array",
    "a dimension (a non-negative integer) or ']'",
    "the key \"data\" (a tensor's keys are dtype, shape, data, in this order)",
    "the flat data array",
    "a number, a non-finite name or ']'",
    "'}' (a tensor has exactly the keys dtype, shape and data)"};

}  // namespace

void TensorReader::unexpected(std::string_view event) const {
  context_.fail(ErrorCode::kMalformed, "in a $tensor object, expected " +
                                           std::string(kExpected[static_cast<int>(stage_)]) +
                                           ", found " + std::string(event));
}

void TensorReader::key(std::string_view key) {
  if (stage_ == Stage::kDTypeKey && key == "dtype") {
    stage_ = Stage::kDType;
  } else if (stage_ == Stage::kShapeKey && key == "shape") {
    stage_ = Stage::kShape;
  } else if (stage_ == Stage::kDataKey && key == "data") {
    stage_ = Stage::kData;
  } else {
    unexpected("the key " + DecodeContext::quoted(key));
  }
}

void TensorReader::string(std::string_view text) {
  if (stage_ == Stage::kElements) {
    non_finite_element(text);
  } else if (stage_ == Stage::kDType) {
    const std::optional<DType> dtype = dtype_from_name(text);
    if (!dtype)
      context_.fail(ErrorCode::kMalformed, "unknown tensor dtype " + DecodeContext::quoted(text) +
                                               " (known: float64, float32, int64, int32, uint8)");
    dtype_ = *dtype;
    stage_ = Stage::kShapeKey;
  } else {
    unexpected("the string " + DecodeContext::quoted(text));
  }
}

void TensorReader::number(std::string_view text) {
  if (stage_ == Stage::kElements) {
    element(text);
  } else if (stage_ == Stage::kDims) {
    add_dimension(text);
  } else {
    unexpected("the number " + excerpt(text));
  }
}

void TensorReader::start_array() {
  if (stage_ == Stage::kShape) {
    stage_ = Stage::kDims;
  } else if (stage_ == Stage::kData) {
    stage_ = Stage::kElements;
  } else {
    unexpected("'['");
  }
}

void TensorReader::end_array() {
  if (stage_ == Stage::kDims) {
    allocate();
    stage_ = Stage::kDataKey;
  } else if (stage_ == Stage::kElements) {
    if (written_ != count_)
      context_.fail(ErrorCode::kMalformed, "tensor data has " + std::to_string(written_) +
                                               " elements but shape " + shape_text(shape_) +
                                               " needs " + std::to_string(count_));
    stage_ = Stage::kEnd;
  } else {
    unexpected("']'");
  }
}

Tensor TensorReader::end_object() {
  if (stage_ != Stage::kEnd) unexpected("'}'");
  return std::move(tensor_);
}

void TensorReader::add_dimension(std::string_view text) {
  std::uint64_t dimension = 0;
  if (!parse_number(text, dimension))
    context_.fail(ErrorCode::kMalformed,
                  "tensor dimension " + excerpt(text) + " is not a non-negative 64-bit integer");
  if (shape_.size() == context_.limits().max_rank)
    context_.fail(ErrorCode::kLimitExceeded, "tensor has more than " +
                                                 std::to_string(context_.limits().max_rank) +
                                                 " dimensions (Limits::max_rank)");
  shape_.push_back(dimension);
}

// Everything about the claimed shape is checked before the buffer exists: the product, the
// element limit, and the bytes left (each element needs a digit and a ',' or ']').
void TensorReader::allocate() {
  const std::uint64_t limit = context_.limits().max_tensor_elements;
  const auto elements = checked_element_count(dtype_, shape_, limit);
  if (!elements)
    context_.fail(ErrorCode::kLimitExceeded,
                  "tensor shape " + shape_text(shape_) + " overflows or exceeds the limit of " +
                      std::to_string(limit) +
                      " elements per tensor and per dimension (Limits::max_tensor_elements)");
  const std::uint64_t count = *elements;
  if (count > context_.remaining() / 2)
    context_.fail(ErrorCode::kTruncated,
                  "tensor shape " + shape_text(shape_) + " needs " + std::to_string(count) +
                      " elements (at least " + std::to_string(2 * count) + " bytes) but only " +
                      std::to_string(context_.remaining()) + " bytes remain");
  tensor_ = Tensor::allocate(dtype_, shape_);
  out_ = visit_dtype(dtype_, [this](auto zero) {
    return reinterpret_cast<std::byte*>(tensor_.mutable_data<decltype(zero)>());
  });
  count_ = count;
}

void TensorReader::element(std::string_view text) {
  visit_dtype(dtype_, [&](auto zero) { read_element<decltype(zero)>(text); });
}

template <class T>
void TensorReader::read_element(std::string_view text) {
  T value{};
  if (!parse_number(text, value)) {
    const bool fraction = std::is_integral_v<T> && is_real_text(text);
    context_.fail(ErrorCode::kMalformed,
                  "tensor element " + excerpt(text) +
                      (fraction ? " is not an integer" : " is out of range") + " for dtype " +
                      std::string(dtype_name(dtype_)));
  }
  store(value);
}

void TensorReader::non_finite_element(std::string_view text) {
  const bool is_float = dtype_ == DType::kFloat64 || dtype_ == DType::kFloat32;
  const std::optional<double> value = is_float ? parse_non_finite(text) : std::nullopt;
  if (!value)
    context_.fail(ErrorCode::kMalformed,
                  "tensor element " + DecodeContext::quoted(text) + " is a string; only float " +
                      "tensors hold strings, and only \"NaN\", \"Infinity\" and \"-Infinity\"");
  if (dtype_ == DType::kFloat32)
    store(static_cast<float>(*value));
  else
    store(*value);
}

template <class T>
void TensorReader::store(T value) {
  if (written_ == count_)
    context_.fail(ErrorCode::kMalformed, "tensor data has more elements than shape " +
                                             shape_text(shape_) + " needs (" +
                                             std::to_string(count_) + ")");
  std::memcpy(out_ + written_ * sizeof(T), &value, sizeof(T));
  ++written_;
}

}  // namespace mlpersist::json
