// Encoder of the `binary` payload format (layout in binary_backend.hpp).

#include <algorithm>
#include <array>
#include <bit>
#include <mlpersist/backend_support.hpp>
#include <mlpersist/endian.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/utf8.hpp>
#include <string>

#include "binary_backend.hpp"

namespace mlpersist::binary {
namespace {

// The binary format's items on the shared buffered writer.
class Writer {
 public:
  explicit Writer(Sink& sink) : out_(sink) {}

  void put(const void* data, std::size_t size) { out_.write(data, size); }
  void put_u8(std::uint8_t v) { out_.put(static_cast<char>(v)); }
  void put_tag(Tag tag) { put_u8(static_cast<std::uint8_t>(tag)); }
  void put_u64(std::uint64_t v) {
    std::array<std::byte, 8> le;
    store_le(le.data(), v);
    put(le.data(), le.size());
  }
  void put_tensor_data(const Tensor& t) { out_.write_tensor_data(t); }
  void flush() { out_.flush(); }
  // Bytes written since the payload started. Counted by the writer rather than read from
  // Sink::position(), which is relative to whatever the sink held before this payload.
  [[nodiscard]] std::uint64_t offset() const noexcept { return out_.offset(); }

 private:
  SinkWriter out_;
};

// A string that a decoder would reject must fail at save time, not when someone loads the file.
void check_utf8(std::string_view s, std::string_view what) {
  const std::size_t bad = find_invalid_utf8(s);
  if (bad == std::string_view::npos) return;
  throw UsageError(ErrorCode::kInvalidInput,
                   "binary backend: " + std::string(what) + " starting \"" +
                       std::string(s.substr(0, std::min<std::size_t>(bad, 32))) +
                       "\" is not valid UTF-8 (byte " + std::to_string(bad) +
                       "); store non-text data as bytes");
}

void put_string(Writer& w, std::string_view s) {
  w.put_u64(s.size());
  w.put(s.data(), s.size());
}

void put_tensor(Writer& w, const Tensor& t) {
  if (t.rank() > 255)
    throw UsageError(ErrorCode::kInvalidInput, "binary backend: a tensor of rank " +
                                                   std::to_string(t.rank()) +
                                                   " cannot be stored (at most 255 dimensions)");
  w.put_tag(Tag::kTensor);
  w.put_u8(static_cast<std::uint8_t>(t.dtype()));
  w.put_u8(static_cast<std::uint8_t>(t.rank()));
  for (std::uint64_t d : t.shape()) w.put_u64(d);
  static constexpr std::array<std::byte, kTensorAlignment> kZeros{};
  w.put(kZeros.data(), padding_for(w.offset()));
  w.put_tensor_data(t);
}

void put_double(Writer& w, double d) {
  w.put_tag(Tag::kDouble);
  w.put_u64(std::bit_cast<std::uint64_t>(d));
}

void put_value(Writer& w, const Value& v);

void put_array(Writer& w, const Array& a) {
  w.put_tag(Tag::kArray);
  w.put_u64(a.size());
  for (const Value& e : a) put_value(w, e);
}

void put_map(Writer& w, const Map& m) {
  w.put_tag(Tag::kMap);
  w.put_u64(m.size());
  for (const auto& [key, value] : m) {
    check_utf8(key, "map key");
    put_string(w, key);
    put_value(w, value);
  }
}

void put_value(Writer& w, const Value& v) {
  switch (v.kind()) {
    case Kind::kNull: return w.put_tag(Tag::kNull);
    case Kind::kBool: return w.put_tag(v.as_bool() ? Tag::kTrue : Tag::kFalse);
    case Kind::kInt: w.put_tag(Tag::kInt); return w.put_u64(static_cast<std::uint64_t>(v.as_int()));
    case Kind::kUInt: w.put_tag(Tag::kUInt); return w.put_u64(v.as_uint());
    case Kind::kDouble: return put_double(w, v.as_double());
    case Kind::kString:
      check_utf8(v.as_string(), "string");
      w.put_tag(Tag::kString);
      return put_string(w, v.as_string());
    case Kind::kBytes:
      w.put_tag(Tag::kBytes);
      w.put_u64(v.as_bytes().size());
      return w.put(v.as_bytes().data(), v.as_bytes().size());
    case Kind::kArray: return put_array(w, v.as_array());
    case Kind::kMap: return put_map(w, v.as_map());
    case Kind::kTensor: return put_tensor(w, v.as_tensor());
  }
}

}  // namespace

std::string_view BinaryBackend::description() const {
  return "compact tagged binary; tensors raw, little-endian and 64-byte aligned for zero-copy mmap";
}

void BinaryBackend::encode(const Value& document, Sink& out) const {
  Writer w(out);
  w.put_u8(kFormatVersion);
  put_value(w, document);
  w.flush();
}

}  // namespace mlpersist::binary
