#pragma once

// The "msgpack" payload format. This comment is its specification: files in the wild depend on
// it, so change it only by adding to it.
//
// The payload is exactly one MessagePack value (https://msgpack.org/ spec), nothing after it.
// Value kinds are written as follows:
//
//   null, bool     nil, true, false
//   int, uint      the smallest integer encoding (positive fixint ... uint 64, negative fixint
//                  ... int 64); on read every integer that fits int64 is an int, the rest uint
//   double         float 64, always (-0.0, NaN with its payload and infinities included);
//                  float 32 is accepted on read and widened
//   string         str (valid UTF-8)
//   bytes          bin
//   array          array
//   map            map with str keys, in order, no key twice
//   tensor         ext type 1 (kTensorExtType) whose body is
//                    u8  dtype code (1 float64, 2 float32, 3 int64, 4 int32, 5 uint8)
//                    u8  rank
//                    rank x u64 little-endian dimensions
//                    the elements, row-major, little-endian, unpadded
//                  so the body is exactly 2 + 8 * rank + product(shape) * element size bytes
//                  (at most 4 GiB - 1, msgpack's ext limit; larger tensors need the binary
//                  backend)
//   tensor         ext type 2 (kAlignedTensorExtType), what the encoder writes since ABI 4;
//                  type 1 is still read. Its body is
//                    u8  dtype code, u8 rank, rank x u64 dimensions, as in type 1
//                    u8  pad count p (0 to 7), then p zero bytes
//                    the elements, as in type 1, starting at a payload offset that is a
//                    multiple of 8 (the payload itself starts 64-aligned in the container)
//                  and the ext is always written in its ext 32 form (a 6-byte header), so the
//                  writer knows where the elements land. Aligned elements can be borrowed in
//                  place from a mapped file or a read buffer instead of being copied.
//
// Reading is strict: other ext types, non-str map keys, duplicate keys, invalid UTF-8, unknown
// dtype codes and bodies whose length disagrees with dtype and shape are errors. Nesting depth,
// string and bytes length, container entries, tensor rank and elements are bounded by Limits,
// and no claimed count is believed beyond the bytes that remain (an array entry takes at least
// one byte, a map entry two); nothing is allocated for a value before its bytes are present.

#include <cstddef>
#include <cstdint>
#include <mlpersist/backend.hpp>
#include <string_view>

namespace mlpersist::msgpack_format {

/// The ext type that carries a tensor (read only; see kAlignedTensorExtType).
inline constexpr std::int8_t kTensorExtType = 1;
/// The ext type that carries a tensor whose elements are 8-byte aligned in the payload.
inline constexpr std::int8_t kAlignedTensorExtType = 2;
/// Alignment of an aligned tensor's elements within the payload.
inline constexpr std::size_t kElementAlignment = 8;
/// Bytes of a tensor ext body before the elements: dtype code, rank, dimensions.
constexpr std::size_t tensor_header_bytes(std::size_t rank) {
  return 2 + 8 * rank;
}

/// The "msgpack" format backend (see the specification above).
class MsgpackBackend final : public Backend {
 public:
  [[nodiscard]] std::string_view name() const override { return "msgpack"; }
  [[nodiscard]] std::string_view description() const override {
    return "MessagePack: compact, widely readable, tensors as raw little-endian ext data";
  }
  /// Throws UsageError when a string, bytes value, array, map or tensor is too large for
  /// msgpack (4 GiB or 2^32 entries); the sink then holds a partial payload.
  void encode(const Value& document, Sink& out) const override;
  /// Throws FormatError (kMalformed, kTruncated or kLimitExceeded) naming the byte offset.
  [[nodiscard]] Value decode(const DecodeInput& input) const override;
  /// Sizing passes tensor bytes to a counter without copying them.
  [[nodiscard]] bool sizes_cheaply() const override { return true; }
};

}  // namespace mlpersist::msgpack_format
