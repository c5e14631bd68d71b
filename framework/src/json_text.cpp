#include <rapidjson/document.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <cmath>
#include <string_view>
#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/utf8.hpp>

namespace mlpersist {
namespace {

// Shortest text that reads back to the same double (RapidJSON's Grisu2 is exact but often
// longer); a ".0" keeps integral values doubles when parsed again.
template <class Writer>
void write_double(Writer& w, double d) {
  char text[32];
  char* end = std::to_chars(text, text + sizeof text - 2, d).ptr;
  if (std::string_view(text, end).find_first_of(".e") == std::string_view::npos) {
    *end++ = '.';
    *end++ = '0';
  }
  w.RawValue(text, static_cast<std::size_t>(end - text), rapidjson::kNumberType);
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

// `where` is ": at byte N" when the offset is known.
[[noreturn]] void too_deep(std::string_view source, const Limits& limits,
                           const std::string& where) {
  throw FormatError(ErrorCode::kLimitExceeded,
                    std::string(source) + where + ": JSON nested deeper than " +
                        std::to_string(limits.depth_limit()) +
                        " levels (Limits::max_depth, at most 1000); the file is corrupt or "
                        "hostile");
}

// The DOM parser builds the whole tree before convert() can see its depth, so a megabyte of
// '[' would cost tens of megabytes first: measure the nesting in one pass that allocates
// nothing. Brackets open values one level below their container, hence max_depth + 1.
void check_nesting(std::string_view text, std::string_view source, const Limits& limits) {
  std::uint64_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      in_string = escaped || c != '"';
      escaped = !escaped && c == '\\';
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > std::uint64_t{limits.depth_limit()} + 1)
        too_deep(source, limits, ": at byte " + std::to_string(i));
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
}

Value convert(const rapidjson::Value& j, std::string_view source, std::uint32_t depth,
              const Limits& limits, std::uint64_t& values) {
  if (depth > limits.depth_limit()) too_deep(source, limits, "");
  if (++values > limits.max_values)
    throw FormatError(ErrorCode::kLimitExceeded, std::string(source) + ": JSON holds more than " +
                                                     std::to_string(limits.max_values) +
                                                     " values (Limits::max_values)");
  if (j.IsNull()) return {};
  if (j.IsBool()) return j.GetBool();
  if (j.IsInt64()) return j.GetInt64();
  if (j.IsUint64()) return j.GetUint64();
  if (j.IsNumber()) return j.GetDouble();
  if (j.IsString()) {
    std::string text(j.GetString(), j.GetStringLength());
    // RapidJSON 1.1 turns an escaped lone surrogate (\udc00) into bytes that are not UTF-8.
    if (find_invalid_utf8(text) != std::string::npos)
      throw FormatError(ErrorCode::kMalformed,
                        std::string(source) + ": JSON string is not valid UTF-8 (lone surrogate)");
    return text;
  }
  if (j.IsArray()) {
    Array a;
    a.reserve(j.Size());
    for (const auto& e : j.GetArray()) a.push_back(convert(e, source, depth + 1, limits, values));
    return a;
  }
  Map m;
  for (const auto& member : j.GetObject()) {
    std::string key(member.name.GetString(), member.name.GetStringLength());
    if (m.contains(key))
      throw FormatError(ErrorCode::kMalformed,
                        std::string(source) + ": duplicate JSON key '" + key + "'");
    m.insert(std::move(key), convert(member.value, source, depth + 1, limits, values));
  }
  return m;
}

// A JSON number's text, converted exactly: integers that fit int64 or uint64 stay integers, the
// rest become the nearest double (std::from_chars rounds correctly). Out of range: refused.
bool exact_number(rapidjson::Document& doc, std::string_view text) {
  const char* end = text.data() + text.size();
  if (text.find_first_of(".eE") == std::string_view::npos) {
    std::int64_t i = 0;
    if (const auto r = std::from_chars(text.data(), end, i); r.ec == std::errc() && r.ptr == end)
      return doc.Int64(i);
    std::uint64_t u = 0;
    if (const auto r = std::from_chars(text.data(), end, u); r.ec == std::errc() && r.ptr == end)
      return doc.Uint64(u);
  }
  double d = 0;
  const auto r = std::from_chars(text.data(), end, d);
  return r.ec == std::errc() && r.ptr == end && doc.Double(d);
}

// Builds the DOM with numbers read by exact_number instead of RapidJSON's full-precision path,
// which in 1.1.0 (Debian 12) computes clz(0), undefined behaviour, on some inputs (found by
// fuzz_envelope).
class ExactNumbers : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, ExactNumbers> {
 public:
  explicit ExactNumbers(rapidjson::Document& doc) : doc_(doc) {}
  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    return exact_number(doc_, {text, length});
  }
  bool String(const char* text, rapidjson::SizeType length, bool copy) {
    return doc_.String(text, length, copy);
  }
  bool StartObject() { return doc_.StartObject(); }
  bool Key(const char* text, rapidjson::SizeType length, bool copy) {
    return doc_.Key(text, length, copy);
  }
  bool EndObject(rapidjson::SizeType members) { return doc_.EndObject(members); }
  bool StartArray() { return doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) { return doc_.EndArray(elements); }

 private:
  rapidjson::Document& doc_;
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

Value parse_json_text(std::string_view text, std::string_view source, const Limits& limits) {
  // Iterative parsing: nesting depth costs heap, not stack, so deep input cannot overflow it.
  constexpr unsigned kFlags = rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag;
  check_nesting(text, source, limits);
  rapidjson::Document doc;
  rapidjson::MemoryStream memory(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(memory);
  rapidjson::Reader reader;
  rapidjson::ParseResult result;
  auto parse = [&](rapidjson::Document& handler) {
    ExactNumbers numbers(handler);
    result = reader.Parse<kFlags>(in, numbers);
    return !result.IsError();
  };
  doc.Populate(parse);
  if (result.IsError())
    throw FormatError(ErrorCode::kMalformed,
                      std::string(source) + ": invalid JSON at byte " +
                          std::to_string(result.Offset()) + ": " +
                          (result.Code() == rapidjson::kParseErrorTermination
                               ? "a number out of range"
                               : rapidjson::GetParseError_En(result.Code())));
  std::uint64_t values = 0;
  return convert(doc, source, 0, limits, values);
}

}  // namespace mlpersist
