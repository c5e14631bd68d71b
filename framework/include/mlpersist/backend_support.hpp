#pragma once

// What every format backend needs beyond the Backend interface, in one place so that the
// backends report, borrow and write alike: payload errors in one spelling, tensors read from
// payload bytes (borrowed or copied and byte-swapped), and a buffered writer for a Sink.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mlpersist/backend.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/export.hpp>
#include <mlpersist/tensor.hpp>
#include <optional>
#include <string_view>

namespace mlpersist {

/// The dtype whose code (DType's value, as every format stores it) is `code`; nullopt for a
/// code no dtype has.
[[nodiscard]] MLPERSIST_API std::optional<DType> dtype_from_code(std::uint8_t code) noexcept;

/// A tensor over little-endian elements in a decoder's input. Borrowed in place when `owner`
/// keeps the bytes alive, the host is little-endian and `data` is aligned for the dtype (a
/// mapped file, a read buffer; `check` then runs on first access); otherwise `check` runs now
/// and the elements are copied into a new tensor, byte-swapped on big-endian hosts. The caller
/// has checked the shape against its limits and that `data` holds product(shape) elements.
[[nodiscard]] MLPERSIST_API Tensor tensor_from_le_bytes(
    DType dtype, Tensor::Shape shape, const std::byte* data, std::shared_ptr<const void> owner,
    std::shared_ptr<const LazyCheck> check = nullptr);

/// Throws FormatError(code) with a payload error in the one spelling of every backend:
/// "<source>: invalid <format> payload at byte <file offset> (payload byte <offset>): <what>;
/// <advice>". Without `advice`, the advice for `code` (a cut-short file, a limit to raise only
/// for a trusted file, or damage).
[[noreturn]] MLPERSIST_API void throw_payload_error(const DecodeInput& input,
                                                    std::string_view format,
                                                    std::uint64_t payload_offset, ErrorCode code,
                                                    std::string_view what,
                                                    std::string_view advice = {});

/// Gathers an encoder's small writes (tags, lengths, scalars, short strings) into chunks, so a
/// document of many scalars costs one virtual Sink::write per chunk rather than one per value;
/// a block of a chunk or more, and tensor data of kDirectBytes or more, go to the sink uncopied.
class MLPERSIST_API SinkWriter {
 public:
  static constexpr std::size_t kCapacity = 64 << 10;
  static constexpr std::size_t kDirectBytes = 4 << 10;

  explicit SinkWriter(Sink& sink) : sink_(sink), buffer_(new std::byte[kCapacity]) {}

  void write(const void* data, std::size_t size) {
    if (size == 0) return;  // data may be null then (an empty string or tensor)
    if (size > kCapacity - used_) flush();
    if (size >= kCapacity) {
      sink_.write(data, size);
    } else {
      std::memcpy(buffer_.get() + used_, data, size);
      used_ += size;
    }
    offset_ += size;
  }
  void put(char c) {
    if (used_ == kCapacity) flush();
    buffer_[used_++] = static_cast<std::byte>(c);
    ++offset_;
  }
  /// The tensor's elements, little-endian: on little-endian hosts as they are (from kDirectBytes
  /// on, in one uncopied Sink::write), on big-endian ones swapped through a bounded buffer, never
  /// a copy of the whole tensor.
  void write_tensor_data(const Tensor& tensor);
  /// Hands what is buffered to the sink; an encoder calls it once, at the end.
  void flush() {
    if (used_ > 0) sink_.write(buffer_.get(), used_);
    used_ = 0;
  }
  /// Bytes written through this writer: the payload offset of the next byte when the writer
  /// starts with the payload.
  [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }

 private:
  Sink& sink_;
  std::unique_ptr<std::byte[]> buffer_;
  std::size_t used_ = 0;
  std::uint64_t offset_ = 0;
};

}  // namespace mlpersist
