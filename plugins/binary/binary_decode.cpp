// Decoder of the `binary` payload format (layout in binary_backend.hpp). The payload is hostile:
// every length, count and shape is checked against the bytes that remain and against Limits
// before anything is allocated, so memory use stays proportional to the input.

#include <algorithm>
#include <bit>
#include <limits>
#include <mlpersist/backend_support.hpp>
#include <mlpersist/endian.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/text.hpp>
#include <mlpersist/utf8.hpp>
#include <string>

#include "binary_backend.hpp"

namespace mlpersist::binary {
namespace {

// Reservations follow declared counts only up to here; beyond it vectors grow as elements are
// actually decoded, so a count that passes the byte check still cannot reserve a multiple of
// the input size up front.
constexpr std::uint64_t kMaxReserve = 4096;
// Smallest encodings: a value is a tag; a map entry is a key length and a value tag.
constexpr std::uint64_t kMinValueBytes = 1;
constexpr std::uint64_t kMinEntryBytes = 9;

class Decoder {
 public:
  explicit Decoder(const DecodeInput& in) : in_(in), p_(in.payload) {}

  Value run() {
    const std::uint8_t version = u8("format version");
    if (version != kFormatVersion)
      fail(ErrorCode::kMalformed, 0,
           "format version " + std::to_string(version) + " (this plugin reads version " +
               std::to_string(kFormatVersion) + ")",
           version > kFormatVersion ? "upgrade the binary plugin to read this file" : "");
    Value root = value(0);
    if (pos_ != p_.size())
      fail(ErrorCode::kMalformed, pos_,
           std::to_string(p_.size() - pos_) + " unexpected bytes after the root value");
    return root;
  }

 private:
  [[nodiscard]] std::size_t remaining() const noexcept { return p_.size() - pos_; }

  [[noreturn]] void fail(ErrorCode code, std::size_t at, const std::string& what,
                         std::string_view advice = {}) const {
    throw_payload_error(in_, "binary", at, code, what, advice);
  }

  void fail_limit(std::size_t at, const std::string& what, const char* limit) const {
    fail(ErrorCode::kLimitExceeded, at, what,
         std::string("raise LoadOptions::limits.") + limit + " only if you trust this file");
  }

  // Consumes n bytes, verified, and returns where they start; `what` names them in the error.
  const std::byte* take(std::uint64_t n, const char* what) {
    const std::size_t at = pos_;
    const std::byte* bytes = take_unverified(n, what);
    verify(at, n);
    return bytes;
  }

  // On a lazily verified load, decodes only bytes whose chunks passed their checksums.
  // Positions only grow, so everything from a range's start to verified_end_ has passed.
  void verify(std::size_t at, std::uint64_t n) {
    if (in_.integrity && at + n > verified_end_) verified_end_ = in_.integrity->verify(at, n);
  }

  // Consumes n bytes without verifying them: tensor data, which borrowed tensors verify when
  // first read and copies before copying.
  const std::byte* take_unverified(std::uint64_t n, const char* what) {
    if (n > remaining())
      fail(ErrorCode::kTruncated, pos_,
           std::string(what) + " needs " + std::to_string(n) + " bytes but only " +
               std::to_string(remaining()) + " remain");
    const std::byte* at = p_.data() + pos_;
    pos_ += static_cast<std::size_t>(n);
    return at;
  }

  std::uint8_t u8(const char* what) { return std::to_integer<std::uint8_t>(*take(1, what)); }
  std::uint64_t u64(const char* what) { return load_le<std::uint64_t>(take(8, what)); }

  // A length or count, checked against the bytes that must follow it and against the limit.
  std::uint64_t count(const char* what, std::uint64_t min_bytes_each, std::uint64_t limit,
                      const char* limit_name) {
    const std::size_t at = pos_;
    const std::uint64_t n = u64(what);
    // Bytes first: a count the input cannot hold means corruption, not a limit to raise.
    if (n > remaining() / min_bytes_each)
      fail(ErrorCode::kTruncated, at,
           std::string(what) + " " + std::to_string(n) + " needs at least " +
               std::to_string(min_bytes_each) + " byte(s) each but only " +
               std::to_string(remaining()) + " remain");
    if (n > limit)
      fail_limit(at,
                 std::string(what) + " " + std::to_string(n) + " exceeds the limit of " +
                     std::to_string(limit),
                 limit_name);
    return n;
  }

  std::string text(const char* what) {
    const std::uint64_t n = count(what, 1, in_.limits.max_string_bytes, "max_string_bytes");
    const std::size_t at = pos_;
    const std::string_view s(reinterpret_cast<const char*>(take(n, what)),
                             static_cast<std::size_t>(n));
    const std::size_t bad = find_invalid_utf8(s);
    if (bad != std::string_view::npos) fail(ErrorCode::kMalformed, at + bad, "invalid UTF-8");
    return std::string(s);
  }

  Value value(std::uint32_t depth);
  Value array(std::uint32_t depth);
  Value map(std::uint32_t depth);
  Value tensor();
  Tensor::Shape shape(DType dtype, std::size_t at);
  void check_elements(DType dtype, const Tensor::Shape& shape, std::size_t at) const;
  void skip_padding();
  void check_depth(std::uint32_t depth, std::size_t at) const;

  const DecodeInput& in_;
  std::span<const std::byte> p_;
  std::size_t pos_ = 0;
  std::uint64_t values_ = 0;  // decoded so far, for Limits::max_values
  std::uint64_t verified_end_ = 0;
};

Value Decoder::value(std::uint32_t depth) {
  const std::size_t at = pos_;
  if (++values_ > in_.limits.max_values)
    fail_limit(at,
               "more than " + std::to_string(in_.limits.max_values) +
                   " values (Limits::values_limit: max_values, and one per "
                   "payload_bytes_per_value bytes)",
               "max_values");
  switch (const std::uint8_t tag = u8("value tag"); static_cast<Tag>(tag)) {
    case Tag::kNull: return Value();
    case Tag::kFalse: return Value(false);
    case Tag::kTrue: return Value(true);
    case Tag::kInt: return Value(static_cast<std::int64_t>(u64("int")));
    case Tag::kUInt: return Value(u64("uint"));
    case Tag::kDouble: return Value(std::bit_cast<double>(u64("double")));
    case Tag::kString: return Value(text("string length"));
    case Tag::kBytes: {
      const auto n = count("bytes length", 1, in_.limits.max_string_bytes, "max_string_bytes");
      const std::byte* b = take(n, "bytes");
      return Value(Bytes(reinterpret_cast<const std::uint8_t*>(b),
                         reinterpret_cast<const std::uint8_t*>(b) + n));
    }
    case Tag::kArray: return array(depth + 1);
    case Tag::kMap: return map(depth + 1);
    case Tag::kTensor: return tensor();
    default: fail(ErrorCode::kMalformed, at, "unknown value tag " + std::to_string(tag));
  }
}

// Recursion is one stack frame per level: depth_limit() caps even a very high max_depth.
void Decoder::check_depth(std::uint32_t depth, std::size_t at) const {
  if (depth > in_.limits.depth_limit())
    fail_limit(at, "nesting deeper than " + std::to_string(in_.limits.depth_limit()) + " levels",
               "max_depth (at most 1000)");
}

Value Decoder::array(std::uint32_t depth) {
  check_depth(depth, pos_ - 1);
  const std::uint64_t n = count("array count", kMinValueBytes, in_.limits.max_container_entries,
                                "max_container_entries");
  Array a;
  a.reserve(static_cast<std::size_t>(std::min(n, kMaxReserve)));
  for (std::uint64_t i = 0; i < n; ++i) a.push_back(value(depth));
  return a;
}

Value Decoder::map(std::uint32_t depth) {
  check_depth(depth, pos_ - 1);
  const std::uint64_t n =
      count("map count", kMinEntryBytes, in_.limits.max_container_entries, "max_container_entries");
  Map m;
  m.reserve(static_cast<std::size_t>(std::min(n, kMaxReserve)));
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::size_t at = pos_;
    std::string key = text("map key length");
    if (m.contains(key)) fail(ErrorCode::kMalformed, at, "duplicate map key '" + key + "'");
    Value v = value(depth);
    m.insert(std::move(key), std::move(v));
  }
  return m;
}

// Dims, checked so that their byte size fits int64 (whatever the limits): the bound Tensor and
// Eigen rely on, so building the tensor can never throw anything but a FormatError from here.
Tensor::Shape Decoder::shape(DType dtype, std::size_t at) {
  const std::size_t rank_at = pos_;
  const std::uint8_t rank = u8("tensor rank");
  if (rank > in_.limits.max_rank)
    fail_limit(rank_at,
               "tensor rank " + std::to_string(rank) + " exceeds the limit of " +
                   std::to_string(in_.limits.max_rank),
               "max_rank");
  const std::byte* dims = take(std::uint64_t{8} * rank, "tensor shape");
  Tensor::Shape shape(rank);
  for (std::size_t i = 0; i < rank; ++i) shape[i] = load_le<std::uint64_t>(dims + 8 * i);
  if (!checked_element_count(dtype, shape, std::numeric_limits<std::uint64_t>::max()))
    fail(ErrorCode::kMalformed, at,
         "tensor shape " + shape_text(shape) + " overflows 64-bit sizes");
  return shape;
}

// Limits apply to each dimension as well as to the element count: a (0, 2^40) tensor is
// empty, but no model needs it and consumers index dimensions with int64.
void Decoder::check_elements(DType dtype, const Tensor::Shape& shape, std::size_t at) const {
  const std::uint64_t limit = in_.limits.max_tensor_elements;
  if (!checked_element_count(dtype, shape, limit))
    fail_limit(at,
               "tensor shape " + shape_text(shape) + " exceeds the limit of " +
                   std::to_string(limit) + " elements",
               "max_tensor_elements");
}

void Decoder::skip_padding() {
  const std::size_t pad_at = pos_;
  const std::byte* pad = take(padding_for(pos_), "tensor padding");
  for (const std::byte* b = pad; b != p_.data() + pos_; ++b)
    if (*b != std::byte{0})
      fail(ErrorCode::kMalformed, pad_at + static_cast<std::size_t>(b - pad),
           "non-zero tensor padding byte");
}

Value Decoder::tensor() {
  const std::size_t at = pos_ - 1;
  const std::uint8_t code = u8("tensor dtype");
  const std::optional<DType> known = dtype_from_code(code);
  if (!known) fail(ErrorCode::kMalformed, pos_ - 1, "unknown tensor dtype " + std::to_string(code));
  const DType dtype = *known;
  Tensor::Shape dims = shape(dtype, at);
  std::uint64_t elements = 1;
  for (std::uint64_t d : dims) elements *= d;  // bounded by shape()
  const std::uint64_t nbytes = elements * dtype_size(dtype);
  skip_padding();
  const std::size_t data_at = pos_;
  if (nbytes > remaining()) {  // the message is built only when it is needed
    const std::string what =
        "tensor data of shape " + shape_text(dims) + " " + std::string(dtype_name(dtype));
    (void)take_unverified(nbytes, what.c_str());
  }
  const std::byte* data = take_unverified(nbytes, "tensor data");
  // After the byte check: a file too short for its tensor is corrupt, and advice to raise a
  // limit would mislead.
  check_elements(dtype, dims, at);

  // A borrowed tensor verifies its bytes on first access, a copy before copying.
  return tensor_from_le_bytes(
      dtype, std::move(dims), data, in_.owner,
      in_.integrity ? lazy_range_check(in_.integrity, data_at, nbytes) : nullptr);
}

}  // namespace

Value BinaryBackend::decode(const DecodeInput& input) const {
  return Decoder(input).run();
}

}  // namespace mlpersist::binary
