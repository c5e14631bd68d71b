#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/text.hpp>
#include <mlpersist/utf8.hpp>
#include <optional>
#include <string_view>

namespace mlpersist {
namespace {

// Shortest text that reads back to the same double (RapidJSON's Grisu2 is exact but often
// longer); a ".0" keeps integral values doubles when parsed again.
template <class Writer>
void write_double(Writer& w, double d) {
  char text[kRealTextCapacity];
  w.RawValue(text, write_real_text(d, text), rapidjson::kNumberType);
}

template <class Writer>
void write(Writer& w, const Value& v) {
  switch (v.kind()) {
    case Kind::kNull: w.Null(); return;
    case Kind::kBool: w.Bool(v.as_bool()); return;
    case Kind::kInt: w.Int64(v.as_int()); return;
    case Kind::kUInt: w.Uint64(v.as_uint()); return;
    case Kind::kDouble:
      if (!std::isfinite(v.as_double()))
        throw UsageError(ErrorCode::kInvalidInput, "plain JSON cannot hold NaN or infinity");
      write_double(w, v.as_double());
      return;
    case Kind::kString: w.String(v.as_string().data(), v.as_string().size()); return;
    case Kind::kArray:
      w.StartArray();
      for (const Value& e : v.as_array()) write(w, e);
      w.EndArray();
      return;
    case Kind::kMap:
      w.StartObject();
      for (const auto& [key, value] : v.as_map()) {
        w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
        write(w, value);
      }
      w.EndObject();
      return;
    default:
      throw UsageError(ErrorCode::kInvalidInput,
                       "plain JSON cannot hold a " + std::string(kind_name(v.kind())) + " value");
  }
}

// A JSON number's text, converted exactly: integers that fit int64 or uint64 stay integers, the
// rest become the nearest double (std::from_chars rounds correctly). Out of range: nullopt.
std::optional<Value> exact_number(std::string_view text) {
  const char* end = text.data() + text.size();
  if (text.find_first_of(".eE") == std::string_view::npos) {
    std::int64_t i = 0;
    if (const auto r = std::from_chars(text.data(), end, i); r.ec == std::errc() && r.ptr == end)
      return Value(i);
    std::uint64_t u = 0;
    if (const auto r = std::from_chars(text.data(), end, u); r.ec == std::errc() && r.ptr == end)
      return Value(u);
  }
  double d = 0;
  const auto r = std::from_chars(text.data(), end, d);
  if (r.ec != std::errc() || r.ptr != end) return std::nullopt;
  return Value(d);
}

// Builds a Value straight from RapidJSON's parse events (no intermediate DOM), within the
// limits: depth is checked as containers open, the value count as values arrive, so hostile
// input is refused before it costs memory. Numbers are read by exact_number instead of
// RapidJSON's full-precision path, which in 1.1.0 (Debian 12) computes clz(0), undefined
// behaviour, on some inputs (found by fuzz_envelope).
class ValueBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, ValueBuilder> {
 public:
  explicit ValueBuilder(const Limits& limits) : limits_(limits) {}

  bool Null() { return add(Value()); }
  bool Bool(bool b) { return add(b); }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    std::optional<Value> number = exact_number({text, length});
    return number ? add(std::move(*number)) : fail("a number out of range");
  }
  bool String(const char* text, rapidjson::SizeType length, bool) {
    std::string s(text, length);
    return checked_utf8(s) && add(std::move(s));
  }
  bool StartObject() { return open(Map{}); }
  bool Key(const char* text, rapidjson::SizeType length, bool) {
    std::string& key = open_.back().key;
    key.assign(text, length);
    if (!checked_utf8(key)) return false;
    return !open_.back().container.as_map().contains(key) ||
           fail("duplicate JSON key '" + key + "'");
  }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(Array{}); }
  bool EndArray(rapidjson::SizeType) { return close(); }

  /// Why the parse stopped early; empty when RapidJSON itself refused the text.
  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  [[nodiscard]] bool limit_exceeded() const noexcept { return limit_exceeded_; }
  [[nodiscard]] Value take() { return std::move(root_); }

 private:
  struct Open {
    Value container;
    std::string key;  // maps: the key of the value being parsed
  };

  bool fail(std::string why) {
    error_ = std::move(why);
    return false;
  }
  bool exceeded(std::string why) {
    limit_exceeded_ = true;
    return fail(std::move(why));
  }
  // RapidJSON 1.1 turns an escaped lone surrogate (\udc00) into bytes that are not UTF-8.
  bool checked_utf8(const std::string& s) {
    return find_invalid_utf8(s) == std::string::npos ||
           fail("JSON string is not valid UTF-8 (lone surrogate)");
  }
  // Every value, containers included, counts once; its depth is the containers around it.
  bool counted() {
    if (open_.size() > limits_.depth_limit())
      return exceeded("JSON nested deeper than " + std::to_string(limits_.depth_limit()) +
                      " levels (Limits::max_depth, at most 1000); the file is corrupt or hostile");
    return ++values_ <= limits_.max_values ||
           exceeded("JSON holds more than " + std::to_string(limits_.max_values) +
                    " values (Limits::max_values)");
  }
  bool open(Value container) {
    if (!counted()) return false;
    open_.push_back({std::move(container), {}});
    return true;
  }
  bool close() {
    Value done = std::move(open_.back().container);
    open_.pop_back();
    return place(std::move(done));
  }
  bool add(Value v) { return counted() && place(std::move(v)); }
  bool place(Value v) {
    if (open_.empty()) {
      root_ = std::move(v);
    } else if (Value& top = open_.back().container; top.kind() == Kind::kArray) {
      top.as_array().push_back(std::move(v));
    } else {
      top.as_map().insert(std::move(open_.back().key), std::move(v));
    }
    return true;
  }

  const Limits& limits_;
  std::vector<Open> open_;
  Value root_;
  std::uint64_t values_ = 0;
  std::string error_;
  bool limit_exceeded_ = false;
};

}  // namespace

std::string to_json_text(const Value& value, bool pretty) {
  rapidjson::StringBuffer buffer;
  if (pretty) {
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
    w.SetIndent(' ', 2);
    write(w, value);
  } else {
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    write(w, value);
  }
  return {buffer.GetString(), buffer.GetSize()};
}

std::string to_json_object(std::span<const JsonMember> members) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  for (const auto& [key, value] : members) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    write(w, *value);
  }
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

namespace {

// True when every byte is below 0x80: ASCII text is valid UTF-8 as it stands.
bool is_ascii(std::string_view text) noexcept {
  std::uint64_t high = 0;
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    high |= word;
  }
  for (; i < text.size(); ++i) high |= static_cast<unsigned char>(text[i]);
  return (high & 0x8080808080808080u) == 0;
}

template <unsigned kExtraFlags>
rapidjson::ParseResult parse_with(std::string_view text, ValueBuilder& builder) {
  // Iterative parsing: nesting depth costs heap, not stack, so deep input cannot overflow it.
  constexpr unsigned kFlags =
      kExtraFlags | rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag;
  rapidjson::MemoryStream memory(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(memory);
  rapidjson::Reader reader;
  return reader.Parse<kFlags>(in, builder);
}

}  // namespace

Value parse_json_text(std::string_view text, std::string_view source, const Limits& limits) {
  ValueBuilder builder(limits);
  // Validating the encoding byte by byte is most of the parse of a small header (the envelope's,
  // read by every load): text that is all ASCII needs none. Escapes (\u...) are still checked
  // by the builder, which refuses lone surrogates either way.
  const rapidjson::ParseResult result =
      is_ascii(text) ? parse_with<0>(text, builder)
                     : parse_with<rapidjson::kParseValidateEncodingFlag>(text, builder);
  if (!result.IsError()) return builder.take();
  const std::string at = std::string(source) + ": at byte " + std::to_string(result.Offset());
  if (!builder.error().empty())
    throw FormatError(builder.limit_exceeded() ? ErrorCode::kLimitExceeded : ErrorCode::kMalformed,
                      at + ": " + builder.error());
  throw FormatError(ErrorCode::kMalformed,
                    at + ": invalid JSON: " + rapidjson::GetParseError_En(result.Code()));
}

}  // namespace mlpersist
