#pragma once

// The `binary` payload format, version 1: the default format, built for speed and mmap.
//
// A payload is one format-version byte followed by exactly one value (the root). Nothing may
// follow the root value. All integers are little-endian; all offsets below are relative to the
// payload start (which the envelope places on a 64-byte boundary of the file).
//
//   payload := u8 version (= 1)  value
//   value   := u8 tag  body
//
//   tag   kind     body
//   0x00  null     (none)
//   0x01  false    (none)
//   0x02  true     (none)
//   0x03  int      i64, two's complement
//   0x04  uint     u64 (encoders use it only above INT64_MAX; decoders accept any value)
//   0x05  double   u64: the IEEE-754 binary64 bit pattern (NaN payloads and -0.0 kept)
//   0x06  string   u64 length n, then n bytes of valid UTF-8 (no terminator)
//   0x07  bytes    u64 length n, then n raw bytes
//   0x08  array    u64 count n, then n values
//   0x09  map      u64 count n, then n entries: u64 key length k, k bytes of UTF-8 key, value.
//                  Entries keep their order; a key may not appear twice.
//   0x0A  tensor   u8 dtype (mlpersist::DType: 1 float64, 2 float32, 3 int64, 4 int32,
//                  5 uint8), u8 rank r, r × u64 dims (row-major, outermost first), then zero
//                  bytes up to the next offset that is a multiple of 64 (none when already
//                  aligned), then product(dims) × sizeof(dtype) bytes of little-endian elements.
//                  A rank-0 tensor holds one element; the padding is present even when the
//                  tensor has no elements.
//
// Lengths and counts are fixed-width u64 rather than LEB128 varints: a varint saves at most
// seven bytes per string or container, which is noise next to tensor data, while fixed widths
// decode without a loop, have exactly one encoding per number (no overlong forms to reject) and
// let the encoder compute every offset, and so every tensor's padding, without look-ahead.
//
// Decoders reject (mlpersist::FormatError naming the source and the absolute byte offset): an
// unknown version, tag or dtype; a length, count or tensor size larger than the bytes that
// remain; non-zero padding; invalid UTF-8; a duplicate key; bytes after the root value; and
// anything over mlpersist::Limits (depth, string bytes, rank, tensor elements, container
// entries).

#include <cstddef>
#include <cstdint>
#include <mlpersist/backend.hpp>

namespace mlpersist::binary {

/// Version byte at the start of every payload; bump it for any change to the layout above.
inline constexpr std::uint8_t kFormatVersion = 1;
/// Tensor element data starts at a multiple of this, relative to the payload start.
inline constexpr std::uint64_t kTensorAlignment = 64;

/// One byte before every value. Values are part of the file format: never renumber.
enum class Tag : std::uint8_t {
  kNull = 0x00,
  kFalse = 0x01,
  kTrue = 0x02,
  kInt = 0x03,
  kUInt = 0x04,
  kDouble = 0x05,
  kString = 0x06,
  kBytes = 0x07,
  kArray = 0x08,
  kMap = 0x09,
  kTensor = 0x0A,
};

/// Bytes of zero padding that bring `offset` up to the next multiple of kTensorAlignment.
constexpr std::uint64_t padding_for(std::uint64_t offset) noexcept {
  return (kTensorAlignment - offset % kTensorAlignment) % kTensorAlignment;
}

/// The `binary` backend: a compact tagged encoding whose tensors are stored raw and 64-byte
/// aligned, so a mapped file's tensors are borrowed without copying.
class BinaryBackend final : public Backend {
 public:
  [[nodiscard]] std::string_view name() const override { return "binary"; }
  [[nodiscard]] std::string_view description() const override;
  /// Writes `document` to `out`; tensor data of 4 KiB or more goes to the sink in one write,
  /// uncopied, on little-endian hosts (SinkWriter). Throws what the sink throws.
  void encode(const Value& document, Sink& out) const override;
  /// Decodes a payload, borrowing tensor data from `input.owner` when it is set. Throws
  /// FormatError (kMalformed, kTruncated or kLimitExceeded) naming the source and byte offset.
  [[nodiscard]] Value decode(const DecodeInput& input) const override;
  /// Verifies what it decodes as it goes and gives borrowed tensors lazy checks, so a mapped
  /// load hashes only the document's structure up front.
  [[nodiscard]] bool verifies_ranges() const override { return true; }
  /// Sizing skips the tensor bytes: it costs a walk over the document's structure.
  [[nodiscard]] bool sizes_cheaply() const override { return true; }
};

}  // namespace mlpersist::binary
