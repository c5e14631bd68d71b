#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/utf8.hpp>

namespace mlpersist {
namespace {

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
      w.Double(v.as_double());
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

Value convert(const rapidjson::Value& j, std::string_view source, std::uint32_t depth,
              const Limits& limits) {
  if (depth > limits.max_depth)
    throw FormatError(ErrorCode::kLimitExceeded,
                      std::string(source) + ": JSON nested deeper than " +
                          std::to_string(limits.max_depth) + " levels (Limits::max_depth)");
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
    for (const auto& e : j.GetArray()) a.push_back(convert(e, source, depth + 1, limits));
    return a;
  }
  Map m;
  for (const auto& member : j.GetObject()) {
    std::string key(member.name.GetString(), member.name.GetStringLength());
    if (m.contains(key))
      throw FormatError(ErrorCode::kMalformed,
                        std::string(source) + ": duplicate JSON key '" + key + "'");
    m.insert(std::move(key), convert(member.value, source, depth + 1, limits));
  }
  return m;
}

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
                              rapidjson::kParseFullPrecisionFlag | rapidjson::kParseIterativeFlag;
  rapidjson::Document doc;
  doc.Parse<kFlags>(text.data(), text.size());
  if (doc.HasParseError())
    throw FormatError(ErrorCode::kMalformed, std::string(source) + ": invalid JSON at byte " +
                                                 std::to_string(doc.GetErrorOffset()) + ": " +
                                                 rapidjson::GetParseError_En(doc.GetParseError()));
  return convert(doc, source, 0, limits);
}

}  // namespace mlpersist
