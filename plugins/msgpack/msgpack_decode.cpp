#include <algorithm>
#include <cstdio>
#include <mlpersist/backend_support.hpp>
#include <mlpersist/endian.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/text.hpp>
#include <mlpersist/utf8.hpp>
#include <msgpack/null_visitor.hpp>
#include <msgpack/unpack.hpp>  // parse() with the definitions it needs, unpack_error
#include <optional>
#include <string>
#include <vector>

#include "msgpack_backend.hpp"

namespace mlpersist::msgpack_format {
namespace {

// What went wrong inside the parser's callbacks; decode() turns it into a FormatError.
struct Failure {
  ErrorCode code;
  std::string what;
  std::optional<std::size_t> offset;  // when the callback knows it; else the parser's position
};

// Builds the Value tree from msgpack-c's parse events. A callback that finds a problem records
// it and returns false, which stops the parser at the offending byte.
class DocumentVisitor : public msgpack::null_visitor {
 public:
  explicit DocumentVisitor(const DecodeInput& input)
      : input_(input), base_(reinterpret_cast<const char*>(input.payload.data())) {}

  bool visit_nil() { return scalar(Value(), 1); }
  bool visit_boolean(bool b) { return scalar(Value(b), 1); }
  bool visit_positive_integer(std::uint64_t v) { return scalar(Value(v), 1); }
  bool visit_negative_integer(std::int64_t v) { return scalar(Value(v), 1); }
  bool visit_float32(float v) { return scalar(Value(static_cast<double>(v)), 5); }
  bool visit_float64(double v) { return scalar(Value(v), 9); }
  bool visit_str(const char* data, std::uint32_t size);
  bool visit_bin(const char* data, std::uint32_t size);
  bool visit_ext(const char* data, std::uint32_t size);
  bool start_array(std::uint32_t count);
  bool start_map(std::uint32_t count);
  bool start_map_key() { return in_key(true); }
  bool end_map_key() { return in_key(false); }
  bool end_array() { return end_container(); }
  bool end_map() { return end_container(); }
  void parse_error(std::size_t, std::size_t error_offset);
  void insufficient_bytes(std::size_t, std::size_t);

  [[nodiscard]] const std::optional<Failure>& failure() const { return failure_; }
  [[nodiscard]] Value take_root() { return std::move(root_); }

 private:
  struct Frame {
    Value container;  // Array or Map
    std::string key;  // the key whose value comes next
    bool in_key = false;
  };

  bool fail(ErrorCode code, std::string what, std::optional<std::size_t> offset = {});
  bool scalar(Value value, std::size_t bytes) {
    consume(bytes);
    return add(std::move(value));
  }
  bool add(Value value);
  bool in_key(bool value);
  bool start_container(Value container, std::uint64_t count, std::uint64_t min_entry_bytes);
  bool end_container();
  bool check_length(std::size_t size, std::string_view what, const char* data);
  bool tensor(const std::byte* body, std::size_t size, bool aligned);
  [[nodiscard]] std::optional<std::size_t> offset_of(const char* data) const {
    return data != nullptr ? std::optional(static_cast<std::size_t>(data - base_)) : std::nullopt;
  }
  // Advances the lower bound on consumed bytes by `min_bytes`, or to `end` when known.
  void consume(std::size_t min_bytes, const char* end = nullptr) {
    consumed_ += min_bytes;
    if (end != nullptr) consumed_ = std::max(consumed_, static_cast<std::size_t>(end - base_));
  }

  const DecodeInput& input_;
  const char* base_;
  std::vector<Frame> frames_;
  Value root_;
  std::optional<Failure> failure_;
  // Never more than the bytes the parser has read, so "remaining" is never underestimated.
  std::size_t consumed_ = 0;
  std::uint64_t values_ = 0;  // added so far, for Limits::max_values
};

bool DocumentVisitor::fail(ErrorCode code, std::string what, std::optional<std::size_t> offset) {
  if (!failure_) failure_ = Failure{code, std::move(what), offset};
  return false;
}

bool DocumentVisitor::add(Value value) {
  if (++values_ > input_.limits.max_values)
    return fail(ErrorCode::kLimitExceeded, "the document holds more than " +
                                               std::to_string(input_.limits.max_values) +
                                               " values (Limits::values_limit: max_values, "
                                               "and one per payload_bytes_per_value bytes)");
  if (frames_.empty()) {
    root_ = std::move(value);
    return true;
  }
  Frame& top = frames_.back();
  if (top.in_key)
    return fail(ErrorCode::kMalformed,
                "map keys must be strings, found a " + std::string(kind_name(value.kind())));
  if (top.container.kind() == Kind::kArray)
    top.container.as_array().push_back(std::move(value));
  else
    top.container.as_map().insert(std::move(top.key), std::move(value));
  return true;
}

bool DocumentVisitor::in_key(bool value) {
  frames_.back().in_key = value;
  return true;
}

bool DocumentVisitor::check_length(std::size_t size, std::string_view what, const char* data) {
  if (size <= input_.limits.max_string_bytes) return true;
  return fail(ErrorCode::kLimitExceeded,
              std::string(what) + " of " + std::to_string(size) + " bytes is over the limit of " +
                  std::to_string(input_.limits.max_string_bytes) + " (Limits::max_string_bytes)",
              offset_of(data));
}

bool DocumentVisitor::visit_str(const char* data, std::uint32_t size) {
  const std::string_view text(data, size);
  if (!check_length(size, "a string", data)) return false;
  if (find_invalid_utf8(text) != std::string_view::npos)
    return fail(ErrorCode::kMalformed, "a string is not valid UTF-8", offset_of(data));
  consume(1 + size, data != nullptr ? data + size : nullptr);
  if (frames_.empty() || !frames_.back().in_key) return add(Value(text));
  Frame& top = frames_.back();
  if (top.container.as_map().contains(text))
    return fail(ErrorCode::kMalformed, "duplicate map key \"" + excerpt(text) + "\"",
                offset_of(data));
  top.key = text;
  return true;
}

bool DocumentVisitor::visit_bin(const char* data, std::uint32_t size) {
  if (!check_length(size, "a bytes value", data)) return false;
  consume(1 + size, data != nullptr ? data + size : nullptr);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data);
  return add(size > 0 ? Bytes(bytes, bytes + size) : Bytes());
}

bool DocumentVisitor::visit_ext(const char* data, std::uint32_t size) {
  // size counts the type byte; 0 only when msgpack-c wrapped a 4 GiB length around.
  if (size == 0) return fail(ErrorCode::kMalformed, "an ext value has an impossible length");
  consume(1 + size, data + size);
  const auto type = static_cast<std::int8_t>(data[0]);
  if (type != kTensorExtType && type != kAlignedTensorExtType)
    return fail(ErrorCode::kMalformed,
                "unknown msgpack ext type " + std::to_string(type) + " (only " +
                    std::to_string(kTensorExtType) + " and " +
                    std::to_string(kAlignedTensorExtType) + ", tensors, are defined)",
                offset_of(data));
  return tensor(reinterpret_cast<const std::byte*>(data + 1), size - 1,
                type == kAlignedTensorExtType);
}

bool DocumentVisitor::start_array(std::uint32_t count) {
  return start_container(Array(), count, 1);
}

bool DocumentVisitor::start_map(std::uint32_t count) {
  return start_container(Map(), count, 2);
}

bool DocumentVisitor::start_container(Value container, std::uint64_t count,
                                      std::uint64_t min_entry_bytes) {
  const Limits& limits = input_.limits;
  if (!frames_.empty() && frames_.back().in_key)
    return fail(ErrorCode::kMalformed, "map keys must be strings, found a container");
  if (frames_.size() >= limits.depth_limit())
    return fail(ErrorCode::kLimitExceeded, "nesting deeper than " +
                                               std::to_string(limits.depth_limit()) +
                                               " levels (Limits::max_depth, at most 1000)");
  consume(1);
  if (count > limits.max_container_entries)
    return fail(ErrorCode::kLimitExceeded, "a container claims " + std::to_string(count) +
                                               " entries, over the limit of " +
                                               std::to_string(limits.max_container_entries) +
                                               " (Limits::max_container_entries)");
  const std::size_t remaining = input_.payload.size() - consumed_;
  if (count > remaining / min_entry_bytes)
    return fail(ErrorCode::kTruncated,
                "a container claims " + std::to_string(count) + " entries, which take at least " +
                    std::to_string(count * min_entry_bytes) + " bytes, but at most " +
                    std::to_string(remaining) + " bytes remain");
  // No reserve(count): entries are stored as they arrive, never ahead of their bytes.
  frames_.push_back({std::move(container), {}, false});
  return true;
}

bool DocumentVisitor::end_container() {
  Value container = std::move(frames_.back().container);
  frames_.pop_back();
  return add(std::move(container));
}

void DocumentVisitor::parse_error(std::size_t, std::size_t error_offset) {
  const auto byte = error_offset < input_.payload.size()
                        ? std::to_integer<unsigned>(input_.payload[error_offset])
                        : 0u;
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", byte);
  fail(ErrorCode::kMalformed, std::string("byte ") + hex + " is not a msgpack type", error_offset);
}

void DocumentVisitor::insufficient_bytes(std::size_t, std::size_t) {
  fail(ErrorCode::kTruncated, "the payload ends in the middle of a value", input_.payload.size());
}

// The body is complete when this runs, so every claim in it is checked against its exact length
// before the tensor is allocated.
bool DocumentVisitor::tensor(const std::byte* body, std::size_t size, bool aligned) {
  const auto at = offset_of(reinterpret_cast<const char*>(body));
  if (size < tensor_header_bytes(0))
    return fail(ErrorCode::kMalformed, "a tensor ext is shorter than its 2-byte header", at);
  const std::optional<DType> known = dtype_from_code(std::to_integer<std::uint8_t>(body[0]));
  if (!known)
    return fail(ErrorCode::kMalformed,
                "unknown tensor dtype code " + std::to_string(std::to_integer<int>(body[0])) +
                    " (known: 1 float64, 2 float32, 3 int64, 4 int32, 5 uint8)",
                at);
  const DType dtype = *known;
  const auto rank = std::to_integer<std::size_t>(body[1]);
  if (rank > input_.limits.max_rank)
    return fail(ErrorCode::kLimitExceeded,
                "a tensor of rank " + std::to_string(rank) + " is over the limit of " +
                    std::to_string(input_.limits.max_rank) + " (Limits::max_rank)",
                at);
  if (size < tensor_header_bytes(rank))
    return fail(ErrorCode::kMalformed,
                "a tensor ext of " + std::to_string(size) + " bytes is too short for a rank-" +
                    std::to_string(rank) + " shape",
                at);
  Tensor::Shape shape(rank);
  for (std::size_t i = 0; i < rank; ++i) shape[i] = load_le<std::uint64_t>(body + 2 + 8 * i);
  const auto elements = checked_element_count(dtype, shape, input_.limits.max_tensor_elements);
  if (!elements)
    return fail(ErrorCode::kLimitExceeded,
                "tensor shape " + shape_text(shape) + " overflows or exceeds the limit of " +
                    std::to_string(input_.limits.max_tensor_elements) +
                    " elements per tensor and per dimension (Limits::max_tensor_elements)",
                at);
  const std::uint64_t count = *elements;
  std::size_t header = tensor_header_bytes(rank);
  if (aligned) {  // the pad count and as many zero bytes
    const std::size_t pad = size > header ? std::to_integer<std::size_t>(body[header]) : 0;
    if (size <= header || pad >= kElementAlignment || size - header - 1 < pad)
      return fail(ErrorCode::kMalformed, "a tensor ext has an invalid padding count", at);
    for (std::size_t i = 0; i < pad; ++i)
      if (body[header + 1 + i] != std::byte{0})
        return fail(ErrorCode::kMalformed, "non-zero tensor padding byte", at);
    header += 1 + pad;
  }
  const std::size_t data_bytes = size - header;
  const std::size_t element_bytes = dtype_size(dtype);
  if (count > data_bytes / element_bytes || count * element_bytes != data_bytes)
    return fail(ErrorCode::kMalformed,
                "tensor data is " + std::to_string(data_bytes) + " bytes but " +
                    std::string(dtype_name(dtype)) + " of shape " + shape_text(shape) + " needs " +
                    std::to_string(count) + " x " + std::to_string(element_bytes),
                at);
  // The payload was verified before decoding (msgpack does not verify ranges), so a borrowed
  // tensor needs no lazy check.
  return add(tensor_from_le_bytes(dtype, std::move(shape), body + header, input_.owner));
}

[[noreturn]] void fail_at(const DecodeInput& input, std::size_t offset, ErrorCode code,
                          const std::string& what) {
  throw_payload_error(input, "msgpack", offset, code, what);
}

}  // namespace

Value MsgpackBackend::decode(const DecodeInput& input) const {
  DocumentVisitor visitor(input);
  const auto* data = reinterpret_cast<const char*>(input.payload.data());
  std::size_t offset = 0;
  bool parsed = false;
  try {
    parsed = msgpack::parse(data, input.payload.size(), offset, visitor);
  } catch (const msgpack::unpack_error& e) {
    // msgpack-c's own checks (32-bit hosts only: an ext length that wraps around).
    fail_at(input, offset, ErrorCode::kMalformed, e.what());
  }
  if (!parsed) {
    // Every way the parser stops early goes through a callback that records why.
    const Failure failure =
        visitor.failure().value_or(Failure{ErrorCode::kMalformed, "invalid msgpack", {}});
    fail_at(input, failure.offset.value_or(offset), failure.code, failure.what);
  }
  if (offset != input.payload.size())
    fail_at(input, offset, ErrorCode::kMalformed,
            std::to_string(input.payload.size() - offset) + " bytes follow the document");
  return visitor.take_root();
}

}  // namespace mlpersist::msgpack_format
