#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <mlpersist/backend_support.hpp>
#include <mlpersist/endian.hpp>
#include <mlpersist/error.hpp>
#include <msgpack/pack.hpp>
#include <string>
#include <vector>

#include "msgpack_backend.hpp"

namespace mlpersist::msgpack_format {
namespace {

// msgpack lengths and counts are 32-bit.
std::uint32_t checked_length(std::size_t length, std::string_view what) {
  if (length > std::numeric_limits<std::uint32_t>::max())
    throw UsageError(ErrorCode::kInvalidInput, "the msgpack backend cannot write " +
                                                   std::string(what) + " of " +
                                                   std::to_string(length) +
                                                   " (msgpack's limit is 2^32 - 1); use the "
                                                   "binary backend");
  return static_cast<std::uint32_t>(length);
}

// The packer's output stream (msgpack-c calls exactly write(const char*, size_t)): small writes
// gathered into chunks, large ones uncopied.
struct PackerStream {
  SinkWriter& out;
  void write(const char* data, std::size_t size) { out.write(data, size); }
};

class Encoder {
 public:
  explicit Encoder(Sink& sink) : buffer_(sink), stream_{buffer_}, packer_(stream_) {}

  void document(const Value& value) {
    write(value);
    buffer_.flush();
  }

 private:
  void write(const Value& value);
  void real(double value);
  void string(const std::string& text);
  void map(const Map& map);
  void tensor(const Tensor& tensor);

  SinkWriter buffer_;
  PackerStream stream_;
  msgpack::packer<PackerStream> packer_;
};

void Encoder::write(const Value& value) {
  switch (value.kind()) {
    case Kind::kNull: packer_.pack_nil(); return;
    case Kind::kBool: value.as_bool() ? packer_.pack_true() : packer_.pack_false(); return;
    case Kind::kInt: packer_.pack_int64(value.as_int()); return;
    case Kind::kUInt: packer_.pack_uint64(value.as_uint()); return;
    case Kind::kDouble: real(value.as_double()); return;
    case Kind::kString: string(value.as_string()); return;
    case Kind::kMap: map(value.as_map()); return;
    case Kind::kTensor: tensor(value.as_tensor()); return;
    case Kind::kBytes: {
      const Bytes& bytes = value.as_bytes();
      const std::uint32_t size = checked_length(bytes.size(), "a bytes value");
      packer_.pack_bin(size);
      packer_.pack_bin_body(reinterpret_cast<const char*>(bytes.data()), size);
      return;
    }
    case Kind::kArray:
      packer_.pack_array(checked_length(value.as_array().size(), "an array"));
      for (const Value& element : value.as_array()) write(element);
      return;
  }
}

// msgpack-c 4.1.2 and later pack integral doubles, -0.0 included, as integers (msgpack-c
// PR #1018), and the format promises float 64 for every double: write it by hand.
void Encoder::real(double value) {
  constexpr char kFloat64 = static_cast<char>(0xcb);
  std::array<char, 9> bytes{kFloat64};
  std::uint64_t bits = std::bit_cast<std::uint64_t>(value);
  if constexpr (kHostIsLittleEndian) bits = byteswap(bits);  // msgpack is big-endian
  std::memcpy(&bytes[1], &bits, sizeof bits);
  buffer_.write(bytes.data(), bytes.size());
}

void Encoder::string(const std::string& text) {
  const std::uint32_t size = checked_length(text.size(), "a string");
  packer_.pack_str(size);
  packer_.pack_str_body(text.data(), size);
}

void Encoder::map(const Map& map) {
  packer_.pack_map(checked_length(map.size(), "a map"));
  for (const auto& [key, value] : map) {
    string(key);
    write(value);
  }
}

// Ext 32 whatever the length, padded so that the elements start 8-aligned in the payload.
void Encoder::tensor(const Tensor& tensor) {
  if (tensor.rank() > std::numeric_limits<std::uint8_t>::max())
    throw UsageError(ErrorCode::kInvalidInput,
                     "the msgpack backend cannot write a tensor of rank " +
                         std::to_string(tensor.rank()) + " (at most 255)");
  constexpr std::size_t kExt32Header = 6;  // 0xc9, u32 big-endian length, type
  const std::size_t header_bytes = tensor_header_bytes(tensor.rank()) + 1;  // + pad count
  const std::uint64_t unpadded = buffer_.offset() + kExt32Header + header_bytes;
  const std::size_t pad = (kElementAlignment - unpadded % kElementAlignment) % kElementAlignment;
  const std::uint32_t body_bytes =
      checked_length(header_bytes + pad + tensor.nbytes(), "a tensor body");
  std::vector<std::byte> header(kExt32Header + header_bytes + pad);
  header[0] = std::byte{0xc9};
  for (int i = 0; i < 4; ++i)  // msgpack lengths are big-endian
    header[1 + i] = static_cast<std::byte>(body_bytes >> (24 - 8 * i));
  header[5] = static_cast<std::byte>(kAlignedTensorExtType);
  std::byte* body = header.data() + kExt32Header;
  body[0] = static_cast<std::byte>(tensor.dtype());
  body[1] = static_cast<std::byte>(tensor.rank());
  for (std::size_t i = 0; i < tensor.rank(); ++i) store_le(&body[2 + 8 * i], tensor.shape()[i]);
  body[header_bytes - 1] = static_cast<std::byte>(pad);
  buffer_.write(header.data(), header.size());
  buffer_.write_tensor_data(tensor);
}

}  // namespace

void MsgpackBackend::encode(const Value& document, Sink& out) const {
  Encoder(out).document(document);
}

}  // namespace mlpersist::msgpack_format
