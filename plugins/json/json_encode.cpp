#include <rapidjson/writer.h>

#include <cmath>
#include <limits>
#include <mlpersist/backend_support.hpp>
#include <mlpersist/base64.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/text.hpp>
#include <span>
#include <string>
#include <type_traits>

#include "json_backend.hpp"
#include "json_numbers.hpp"

namespace mlpersist::json {
namespace {

// A RapidJSON output stream that hands the Sink large chunks, so the document is never held
// in memory whole.
class SinkStream {
 public:
  using Ch = char;

  explicit SinkStream(Sink& sink) : out_(sink) {}
  void Put(char c) { out_.put(c); }
  void Flush() { out_.flush(); }

 private:
  SinkWriter out_;
};

// Validating the output encoding guarantees a strict document even from a bad Value.
using Writer = rapidjson::Writer<SinkStream, rapidjson::UTF8<>, rapidjson::UTF8<>,
                                 rapidjson::CrtAllocator, rapidjson::kWriteValidateEncodingFlag>;

class Encoder {
 public:
  explicit Encoder(Sink& sink) : stream_(sink), writer_(stream_) {}

  void document(const Value& value) {
    write(value);
    stream_.Flush();
  }

 private:
  void write(const Value& value);
  void string(std::string_view text, bool key = false);
  void map(const Map& map);
  void bytes(const Bytes& bytes);
  void tensor(const Tensor& tensor);
  template <class T>
  void elements(std::span<const T> values);
  template <class T>
  void real(T value);
  void begin_marker(std::string_view name) {
    writer_.StartObject();
    writer_.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  }

  SinkStream stream_;
  Writer writer_;
};

void Encoder::write(const Value& value) {
  switch (value.kind()) {
    case Kind::kNull: writer_.Null(); return;
    case Kind::kBool: writer_.Bool(value.as_bool()); return;
    case Kind::kInt: writer_.Int64(value.as_int()); return;
    case Kind::kUInt: writer_.Uint64(value.as_uint()); return;
    case Kind::kString: string(value.as_string()); return;
    case Kind::kBytes: bytes(value.as_bytes()); return;
    case Kind::kMap: map(value.as_map()); return;
    case Kind::kTensor: tensor(value.as_tensor()); return;
    case Kind::kDouble:
      if (std::isfinite(value.as_double())) {
        real(value.as_double());
      } else {
        begin_marker("$float");
        string(non_finite_name(value.as_double()));
        writer_.EndObject();
      }
      return;
    case Kind::kArray:
      writer_.StartArray();
      for (const Value& element : value.as_array()) write(element);
      writer_.EndArray();
      return;
  }
}

void Encoder::string(std::string_view text, bool key) {
  if (text.size() > std::numeric_limits<rapidjson::SizeType>::max())
    throw UsageError(ErrorCode::kInvalidInput,
                     "the json backend cannot write a string of 4 GiB or more; use the binary "
                     "backend");
  const auto length = static_cast<rapidjson::SizeType>(text.size());
  if (!(key ? writer_.Key(text.data(), length) : writer_.String(text.data(), length)))
    throw UsageError(ErrorCode::kInvalidInput,
                     "a string is not valid UTF-8 and cannot be written as JSON; store raw bytes "
                     "as Bytes instead");
}

void Encoder::map(const Map& map) {
  writer_.StartObject();
  std::string escaped;
  for (const auto& [key, value] : map) {
    if (key.starts_with('$')) {
      escaped = '$' + key;
      string(escaped, /*key=*/true);
    } else {
      string(key, /*key=*/true);
    }
    write(value);
  }
  writer_.EndObject();
}

void Encoder::bytes(const Bytes& bytes) {
  begin_marker("$bytes");
  // Base64 needs no escaping: write it raw, quotes included.
  const std::string text = '"' + base64_encode(bytes) + '"';
  writer_.RawValue(text.data(), text.size(), rapidjson::kStringType);
  writer_.EndObject();
}

void Encoder::tensor(const Tensor& tensor) {
  begin_marker("$tensor");
  writer_.StartObject();
  writer_.Key("dtype");
  string(dtype_name(tensor.dtype()));
  writer_.Key("shape");
  writer_.StartArray();
  for (std::uint64_t dimension : tensor.shape()) writer_.Uint64(dimension);
  writer_.EndArray();
  writer_.Key("data");
  writer_.StartArray();
  visit_dtype(tensor.dtype(), [&](auto zero) { elements(tensor.values<decltype(zero)>()); });
  writer_.EndArray();
  writer_.EndObject();
  writer_.EndObject();
}

template <class T>
void Encoder::elements(std::span<const T> values) {
  for (const T value : values) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isfinite(value)) {
        real(value);
      } else {
        string(non_finite_name(value));
      }
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
      writer_.Int64(value);
    } else {
      writer_.Int(value);
    }
  }
}

template <class T>
void Encoder::real(T value) {
  char text[kRealTextCapacity];
  writer_.RawValue(text, write_real_text(value, text), rapidjson::kNumberType);
}

}  // namespace

void JsonBackend::encode(const Value& document, Sink& out) const {
  Encoder(out).document(document);
}

}  // namespace mlpersist::json
