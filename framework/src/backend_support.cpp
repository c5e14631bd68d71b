#include <algorithm>
#include <limits>
#include <mlpersist/backend_support.hpp>
#include <mlpersist/endian.hpp>
#include <string>
#include <vector>

namespace mlpersist {
namespace {

std::string_view default_advice(ErrorCode code) {
  switch (code) {
    case ErrorCode::kTruncated:
      return "the payload ends early: the file was cut short; restore a complete copy";
    case ErrorCode::kLimitExceeded:
      return "if the file comes from a trusted source, raise that limit in the load options";
    default: return {};
  }
}

}  // namespace

std::optional<DType> dtype_from_code(std::uint8_t code) noexcept {
  if (code < static_cast<std::uint8_t>(DType::kFloat64) ||
      code > static_cast<std::uint8_t>(DType::kUInt8))
    return std::nullopt;
  return static_cast<DType>(code);
}

Tensor tensor_from_le_bytes(DType dtype, Tensor::Shape shape, const std::byte* data,
                            std::shared_ptr<const void> owner,
                            std::shared_ptr<const LazyCheck> check) {
  const std::size_t element = dtype_size(dtype);
  // A stream's buffer is only malloc-aligned, a mapped file page-aligned; the formats align
  // elements within the payload, so only an odd buffer start forces a copy.
  if (owner && kHostIsLittleEndian && reinterpret_cast<std::uintptr_t>(data) % element == 0)
    return Tensor::borrow(dtype, std::move(shape), data, std::move(owner), std::move(check));
  if (check) check->ensure();  // no byte is copied unverified
  Tensor tensor = Tensor::allocate(dtype, std::move(shape));
  if (tensor.nbytes() > 0) {
    std::byte* out = tensor.mutable_bytes();
    std::memcpy(out, data, tensor.nbytes());
    if constexpr (!kHostIsLittleEndian) swap_elements(out, tensor.size(), element);
  }
  return tensor;
}

void throw_payload_error(const DecodeInput& input, std::string_view format,
                         std::uint64_t payload_offset, ErrorCode code, std::string_view what,
                         std::string_view advice) {
  std::uint64_t file_offset = 0;
  if (__builtin_add_overflow(input.payload_offset, payload_offset, &file_offset))
    file_offset = std::numeric_limits<std::uint64_t>::max();
  std::string text = std::string(input.source) + ": invalid " + std::string(format) +
                     " payload at byte " + std::to_string(file_offset) + " (payload byte " +
                     std::to_string(payload_offset) + "): " + std::string(what) + "; ";
  if (advice.empty()) advice = default_advice(code);
  if (advice.empty())
    text += "the payload is damaged or was not written by mlpersist's " + std::string(format) +
            " backend; restore the original file or save the model again";
  else
    text += advice;
  throw FormatError(code, text);
}

void SinkWriter::write_tensor_data(const Tensor& tensor) {
  if constexpr (kHostIsLittleEndian) {
    if (tensor.nbytes() < kDirectBytes) return write(tensor.data(), tensor.nbytes());
    flush();
    sink_.write(tensor.data(), tensor.nbytes());
    offset_ += tensor.nbytes();
  } else {
    const std::size_t element = dtype_size(tensor.dtype());
    const std::size_t chunk = kCapacity / element * element;
    std::vector<std::byte> scratch(std::min(chunk, tensor.nbytes()));
    for (std::size_t done = 0; done < tensor.nbytes(); done += chunk) {
      const std::size_t n = std::min(chunk, tensor.nbytes() - done);
      std::memcpy(scratch.data(), tensor.data() + done, n);
      swap_elements(scratch.data(), n / element, element);
      write(scratch.data(), n);
    }
  }
}

}  // namespace mlpersist
