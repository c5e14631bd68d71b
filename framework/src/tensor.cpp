#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mlpersist/error.hpp>
#include <mlpersist/tensor.hpp>
#include <mlpersist/text.hpp>
#include <string>

#include "detail/buffer.hpp"

namespace mlpersist {
namespace {

// Element count, or throws when the product overflows what memory could ever hold.
std::uint64_t element_count(DType dtype, const Tensor::Shape& shape) {
  std::uint64_t n = 1;
  const std::uint64_t max_elements = std::numeric_limits<std::int64_t>::max() / dtype_size(dtype);
  for (std::uint64_t d : shape) {
    if (d != 0 && n > max_elements / d)
      throw FormatError(ErrorCode::kLimitExceeded,
                        "tensor shape " + shape_text(shape) + " overflows the addressable size");
    n *= d;
  }
  return n;
}

}  // namespace

std::string_view dtype_name(DType dtype) noexcept {
  switch (dtype) {
    case DType::kFloat64: return "float64";
    case DType::kFloat32: return "float32";
    case DType::kInt64: return "int64";
    case DType::kInt32: return "int32";
    case DType::kUInt8: return "uint8";
  }
  return "unknown";
}

std::optional<DType> dtype_from_name(std::string_view name) noexcept {
  for (DType d : {DType::kFloat64, DType::kFloat32, DType::kInt64, DType::kInt32, DType::kUInt8})
    if (dtype_name(d) == name) return d;
  return std::nullopt;
}

std::size_t dtype_size(DType dtype) noexcept {
  switch (dtype) {
    case DType::kFloat64:
    case DType::kInt64: return 8;
    case DType::kFloat32:
    case DType::kInt32: return 4;
    case DType::kUInt8: return 1;
  }
  return 1;
}

std::optional<std::uint64_t> checked_element_count(DType dtype, const Tensor::Shape& shape,
                                                   std::uint64_t max_elements) noexcept {
  const std::uint64_t cap = std::min<std::uint64_t>(
      max_elements, std::numeric_limits<std::int64_t>::max() / dtype_size(dtype));
  std::uint64_t nonzero_product = 1;  // bounds every partial product, so none can overflow
  std::uint64_t count = 1;
  for (std::uint64_t d : shape) {
    if (d > cap || (d != 0 && nonzero_product > cap / d)) return std::nullopt;
    if (d != 0) nonzero_product *= d;
    count *= d;
  }
  return count;
}

LazyCheck::~LazyCheck() = default;

Tensor::Tensor() = default;

Tensor::Tensor(DType dtype, Shape shape)
    : dtype_(dtype), shape_(std::move(shape)), elements_(element_count(dtype, shape_)) {}

Tensor Tensor::allocate(DType dtype, Shape shape) {
  Tensor t(dtype, std::move(shape));
  auto buffer = detail::aligned_buffer(t.nbytes());
  t.data_ = buffer.get();
  t.owner_ = std::move(buffer);
  return t;
}

Tensor Tensor::borrow(DType dtype, Shape shape, const std::byte* data,
                      std::shared_ptr<const void> owner, std::shared_ptr<const LazyCheck> check) {
  Tensor t(dtype, std::move(shape));
  t.data_ = data;
  t.owner_ = std::move(owner);
  t.check_ = std::move(check);
  t.borrowed_ = true;
  return t;
}

void Tensor::check_dtype(DType wanted) const {
  if (wanted != dtype_)
    throw SchemaError(ErrorCode::kSchemaMismatch,
                      "tensor has dtype " + std::string(dtype_name(dtype_)) + ", expected " +
                          std::string(dtype_name(wanted)));
}

void Tensor::check_rank(std::size_t wanted) const {
  if (wanted != shape_.size())
    throw SchemaError(ErrorCode::kSchemaMismatch, "tensor has shape " + shape_text(shape_) +
                                                      ", expected rank " + std::to_string(wanted));
}

void Tensor::check_owned() const {
  if (borrowed_)
    throw UsageError(ErrorCode::kNotSupported,
                     "a borrowed tensor (e.g. a mapped file) is read-only");
}

bool operator==(const Tensor& a, const Tensor& b) {
  return a.dtype_ == b.dtype_ && a.shape_ == b.shape_ &&
         (a.nbytes() == 0 || std::memcmp(a.data(), b.data(), a.nbytes()) == 0);
}

}  // namespace mlpersist
