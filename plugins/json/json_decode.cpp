#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstring>
#include <mlpersist/base64.hpp>
#include <mlpersist/text.hpp>
#include <mlpersist/utf8.hpp>
#include <optional>
#include <string>
#include <vector>

#include "json_backend.hpp"
#include "json_decode_context.hpp"
#include "json_numbers.hpp"
#include "json_tensor_reader.hpp"

namespace mlpersist::json {
namespace {

// Numbers arrive as text so that from_chars reads them exactly; iterative parsing keeps deep
// input off the call stack.
constexpr unsigned kParseFlags = rapidjson::kParseNumbersAsStringsFlag |
                                 rapidjson::kParseValidateEncodingFlag |
                                 rapidjson::kParseIterativeFlag;

// Builds the Value tree from RapidJSON's SAX events; tensor bodies are handed to a
// TensorReader. Every handler returns true or throws FormatError.
class DocumentReader : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, DocumentReader> {
 public:
  explicit DocumentReader(const DecodeContext& context) : context_(context) {}

  bool Null();
  bool Bool(bool b);
  bool RawNumber(const char* text, rapidjson::SizeType length, bool copy);
  bool String(const char* text, rapidjson::SizeType length, bool copy);
  bool Key(const char* text, rapidjson::SizeType length, bool copy);
  bool StartObject();
  bool EndObject(rapidjson::SizeType members);
  bool StartArray();
  bool EndArray(rapidjson::SizeType elements);

  [[nodiscard]] Value take_root() { return std::move(root_); }

 private:
  // kObject is a map until its first key says it is one of the markers.
  enum class FrameKind : std::uint8_t { kArray, kObject, kFloat, kBytes, kTensor };
  struct Frame {
    FrameKind kind;
    Value value;      // the Array or Map being filled, or the marker's decoded value
    std::string key;  // kObject: the key whose value comes next
  };

  [[nodiscard]] bool in_marker() const {
    return !frames_.empty() && frames_.back().kind > FrameKind::kObject;
  }
  void expect_plain_value(std::string_view event) const;
  void check_depth(std::uint32_t depth) const;
  void add(Value value);
  void marker_string(Frame& frame, std::string_view text) const;
  void map_key(Frame& frame, std::string_view key);
  void marker_key(Frame& frame, std::string_view key);
  [[nodiscard]] Value number(std::string_view text) const;
  [[nodiscard]] std::string_view checked_string(const char* text, rapidjson::SizeType length) const;
  void check_length(std::size_t size, std::string_view what) const;

  const DecodeContext& context_;
  std::vector<Frame> frames_;
  // Open arrays and maps. An object counts from its '{' although it may turn out to be a
  // marker, so a marker may open one level past the limit; a map there is refused at its
  // first key or at its '}'.
  std::uint32_t depth_ = 0;
  std::optional<TensorReader> tensor_;
  Value root_;
  std::uint64_t values_ = 0;  // added so far, for Limits::max_values
};

bool DocumentReader::Null() {
  if (tensor_) tensor_->unexpected("null");
  expect_plain_value("null");
  add(Value());
  return true;
}

bool DocumentReader::Bool(bool b) {
  if (tensor_) tensor_->unexpected(b ? "true" : "false");
  expect_plain_value(b ? "true" : "false");
  add(Value(b));
  return true;
}

bool DocumentReader::RawNumber(const char* text, rapidjson::SizeType length, bool) {
  const std::string_view token(text, length);
  if (tensor_) {
    tensor_->number(token);
    return true;
  }
  expect_plain_value("a number");
  add(number(token));
  return true;
}

bool DocumentReader::String(const char* text, rapidjson::SizeType length, bool) {
  const std::string_view s = checked_string(text, length);
  if (tensor_) {
    tensor_->string(s);
  } else if (in_marker()) {
    marker_string(frames_.back(), s);
  } else {
    add(Value(s));
  }
  return true;
}

bool DocumentReader::Key(const char* text, rapidjson::SizeType length, bool) {
  const std::string_view key = checked_string(text, length);
  if (tensor_) {
    tensor_->key(key);
  } else if (in_marker()) {
    context_.fail(ErrorCode::kMalformed,
                  "a marker object ($float, $bytes, $tensor) has exactly one key, found " +
                      DecodeContext::quoted(key));
  } else {
    map_key(frames_.back(), key);
  }
  return true;
}

bool DocumentReader::StartObject() {
  if (tensor_) tensor_->unexpected("'{'");
  if (!frames_.empty() && frames_.back().kind == FrameKind::kTensor) {
    tensor_.emplace(context_);
    return true;
  }
  expect_plain_value("'{'");
  ++depth_;
  frames_.push_back({FrameKind::kObject, Map(), {}});
  return true;
}

bool DocumentReader::EndObject(rapidjson::SizeType) {
  if (tensor_) {
    frames_.back().value = tensor_->end_object();
    tensor_.reset();
    return true;
  }
  Frame frame = std::move(frames_.back());
  frames_.pop_back();
  if (frame.kind == FrameKind::kObject) {
    check_depth(depth_);
    --depth_;
  }
  add(std::move(frame.value));
  return true;
}

bool DocumentReader::StartArray() {
  if (tensor_) {
    tensor_->start_array();
    return true;
  }
  expect_plain_value("'['");
  check_depth(++depth_);
  frames_.push_back({FrameKind::kArray, Array(), {}});
  return true;
}

bool DocumentReader::EndArray(rapidjson::SizeType) {
  if (tensor_) {
    tensor_->end_array();
    return true;
  }
  Value array = std::move(frames_.back().value);
  frames_.pop_back();
  --depth_;
  add(std::move(array));
  return true;
}

void DocumentReader::check_depth(std::uint32_t depth) const {
  if (depth > context_.limits().depth_limit())
    context_.fail(ErrorCode::kLimitExceeded, "nesting deeper than " +
                                                 std::to_string(context_.limits().depth_limit()) +
                                                 " levels (Limits::max_depth, at most 1000)");
}

// Markers hold one string ($float, $bytes) or one object ($tensor), nothing else.
void DocumentReader::expect_plain_value(std::string_view event) const {
  if (!in_marker()) return;
  static constexpr std::string_view kHolds[] = {
      "one of the strings \"NaN\", \"Infinity\", \"-Infinity\"", "a base64 string",
      "an object with dtype, shape and data"};
  static constexpr std::string_view kNames[] = {"$float", "$bytes", "$tensor"};
  const auto i = static_cast<std::size_t>(frames_.back().kind) - 2;
  context_.fail(ErrorCode::kMalformed, "a " + std::string(kNames[i]) + " marker holds " +
                                           std::string(kHolds[i]) + ", found " +
                                           std::string(event));
}

void DocumentReader::add(Value value) {
  if (++values_ > context_.limits().max_values)
    context_.fail(ErrorCode::kLimitExceeded, "the document holds more than " +
                                                 std::to_string(context_.limits().max_values) +
                                                 " values (Limits::values_limit: max_values, "
                                                 "and one per payload_bytes_per_value bytes)");
  if (frames_.empty()) {
    root_ = std::move(value);
    return;
  }
  Frame& top = frames_.back();
  if (top.kind == FrameKind::kObject) {
    top.value.as_map().insert(std::move(top.key), std::move(value));
    return;
  }
  Array& array = top.value.as_array();
  if (array.size() == context_.limits().max_container_entries)
    context_.fail(ErrorCode::kLimitExceeded,
                  "an array has more than " +
                      std::to_string(context_.limits().max_container_entries) +
                      " elements (Limits::max_container_entries)");
  array.push_back(std::move(value));
}

void DocumentReader::marker_string(Frame& frame, std::string_view text) const {
  if (frame.kind == FrameKind::kFloat) {
    const std::optional<double> value = parse_non_finite(text);
    if (!value)
      context_.fail(ErrorCode::kMalformed,
                    "a $float marker holds \"NaN\", \"Infinity\" or "
                    "\"-Infinity\", found " +
                        DecodeContext::quoted(text));
    frame.value = *value;
  } else if (frame.kind == FrameKind::kBytes) {
    std::optional<Bytes> bytes = base64_decode(text);
    if (!bytes)
      context_.fail(ErrorCode::kMalformed,
                    "a $bytes marker holds strict base64 (standard alphabet, '=' padding), "
                    "found " +
                        DecodeContext::quoted(text));
    check_length(bytes->size(), "a bytes value");
    frame.value = std::move(*bytes);
  } else {
    expect_plain_value("a string");
  }
}

void DocumentReader::map_key(Frame& frame, std::string_view key) {
  Map& map = frame.value.as_map();
  const bool marker = key.starts_with('$') && !key.starts_with("$$");
  if (marker && map.empty()) return marker_key(frame, key);
  if (marker)
    context_.fail(ErrorCode::kMalformed,
                  "map key " + DecodeContext::quoted(key) +
                      " starts with a single '$', which only marker objects use (a map key "
                      "starting with '$' is written with the '$' doubled)");
  if (map.empty()) check_depth(depth_);
  if (key.starts_with('$')) key.remove_prefix(1);
  if (map.contains(key))
    context_.fail(ErrorCode::kMalformed, "duplicate map key " + DecodeContext::quoted(key));
  if (map.size() == context_.limits().max_container_entries)
    context_.fail(ErrorCode::kLimitExceeded,
                  "a map has more than " + std::to_string(context_.limits().max_container_entries) +
                      " entries (Limits::max_container_entries)");
  frame.key = key;
}

void DocumentReader::check_length(std::size_t size, std::string_view what) const {
  if (size > context_.limits().max_string_bytes)
    context_.fail(
        ErrorCode::kLimitExceeded,
        std::string(what) + " of " + std::to_string(size) + " bytes is over the limit of " +
            std::to_string(context_.limits().max_string_bytes) + " (Limits::max_string_bytes)");
}

void DocumentReader::marker_key(Frame& frame, std::string_view key) {
  if (key == "$float") {
    frame.kind = FrameKind::kFloat;
  } else if (key == "$bytes") {
    frame.kind = FrameKind::kBytes;
  } else if (key == "$tensor") {
    frame.kind = FrameKind::kTensor;
  } else {
    context_.fail(ErrorCode::kMalformed, "unknown marker key " + DecodeContext::quoted(key) +
                                             " (known: $float, $bytes, $tensor; a map key "
                                             "starting with '$' is written with the '$' doubled)");
  }
  --depth_;
}

Value DocumentReader::number(std::string_view text) const {
  if (is_real_text(text)) {
    double value = 0;
    if (!parse_number(text, value))
      context_.fail(ErrorCode::kMalformed,
                    "number " + excerpt(text) + " is outside the float64 range");
    return value;
  }
  if (text.starts_with('-')) {
    std::int64_t value = 0;
    if (!parse_number(text, value))
      context_.fail(ErrorCode::kMalformed,
                    "integer " + excerpt(text) + " is below the int64 range");
    return value;
  }
  std::uint64_t value = 0;
  if (!parse_number(text, value))
    context_.fail(ErrorCode::kMalformed, "integer " + excerpt(text) + " is above the uint64 range");
  return value;  // Value keeps it as int when it fits int64
}

// A $bytes marker's base64 text is a third longer than its bytes: only the decoded size is
// held to the limit, so that anything written under a limit reads back under it.
std::string_view DocumentReader::checked_string(const char* text,
                                                rapidjson::SizeType length) const {
  const std::string_view s(text, length);
  if (frames_.empty() || frames_.back().kind != FrameKind::kBytes) check_length(length, "a string");
  // RapidJSON 1.1 turns an escaped lone surrogate into bytes that are not UTF-8; the raw
  // input was validated, so only an escape can produce them.
  if (find_invalid_utf8(s) != std::string_view::npos)
    context_.fail(ErrorCode::kMalformed,
                  "a string escapes a lone UTF-16 surrogate (\\ud800 to "
                  "\\udfff without its pair), which is not valid UTF-8");
  return s;
}

std::string parse_error_text(const DecodeInput& input, const rapidjson::ParseResult& result) {
  const std::size_t offset = result.Offset();
  if (offset < input.payload.size() && input.payload[offset] == std::byte{0})
    return "unexpected NUL byte";
  std::string text = rapidjson::GetParseError_En(result.Code());
  if (text.ends_with('.')) text.pop_back();  // the message goes on after it
  return text;
}

}  // namespace

Value JsonBackend::decode(const DecodeInput& input) const {
  rapidjson::MemoryStream stream(reinterpret_cast<const char*>(input.payload.data()),
                                 input.payload.size());
  const DecodeContext context(input, stream);
  DocumentReader handler(context);
  rapidjson::Reader reader;
  const rapidjson::ParseResult result = reader.Parse<kParseFlags>(stream, handler);
  if (result.IsError()) {
    const bool at_end = result.Offset() >= input.payload.size();
    context.fail_at(result.Offset(), at_end ? ErrorCode::kTruncated : ErrorCode::kMalformed,
                    parse_error_text(input, result));
  }
  // RapidJSON stops at a NUL byte as if the input ended there.
  if (stream.Tell() != input.payload.size())
    context.fail(ErrorCode::kMalformed, "unexpected NUL byte after the document");
  return handler.take_root();
}

}  // namespace mlpersist::json
