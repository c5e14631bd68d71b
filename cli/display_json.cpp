#include "display_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mlpersist/base64.hpp>
#include <mlpersist/endian.hpp>
#include <mlpersist/envelope.hpp>
#include <mlpersist/text.hpp>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "terminal_text.hpp"

namespace mlpersist::cli {
namespace {

constexpr int kIndentStep = 2;

// Quotes and backslashes escaped as JSON requires; every character a terminal acts on
// (controls, C1, bidirectional marks) as \uXXXX by terminal_safe, which is JSON too.
void write_string(std::ostream& out, std::string_view s) {
  std::string escaped;
  escaped.reserve(s.size());
  for (const char ch : s) {
    if (ch == '"' || ch == '\\') escaped += '\\';
    escaped += ch;
  }
  out << '"' << terminal_safe(escaped) << '"';
}

// The json backend's spellings, so `show` output reads like a json payload.
template <class F>
void write_float(std::ostream& out, F v) {
  if (std::isfinite(v)) {
    char text[kRealTextCapacity];
    out.write(text, static_cast<std::streamsize>(write_real_text(v, text)));
  } else {
    out << R"({"$float": ")" << non_finite_name(v) << "\"}";
  }
}

void write_number(std::ostream& out, double v) {
  write_float(out, v);
}
void write_number(std::ostream& out, float v) {
  write_float(out, v);
}
void write_number(std::ostream& out, std::int64_t v) {
  out << v;
}
void write_number(std::ostream& out, std::int32_t v) {
  out << v;
}
// Widened: a uint8_t would print as a character.
void write_number(std::ostream& out, std::uint8_t v) {
  out << static_cast<unsigned>(v);
}

template <class T>
void write_elements(std::ostream& out, std::span<const T> values, std::size_t count) {
  out << '[';
  for (std::size_t i = 0; i < count; ++i) {
    if (i != 0) out << ", ";
    write_number(out, values[i]);
  }
  out << ']';
}

void write_tensor_elements(std::ostream& out, const Tensor& t, std::size_t count) {
  switch (t.dtype()) {
    case DType::kFloat64: write_elements(out, t.values<double>(), count); return;
    case DType::kFloat32: write_elements(out, t.values<float>(), count); return;
    case DType::kInt64: write_elements(out, t.values<std::int64_t>(), count); return;
    case DType::kInt32: write_elements(out, t.values<std::int32_t>(), count); return;
    case DType::kUInt8: write_elements(out, t.values<std::uint8_t>(), count); return;
  }
}

// Of the little-endian bytes, as stored in every format, so the value is the same on any host.
std::string tensor_xxh3(const Tensor& t) {
  std::uint64_t hash = 0;
  if constexpr (kHostIsLittleEndian) {
    hash = checksum64(t.bytes());
  } else {
    std::vector<std::byte> le(t.bytes().begin(), t.bytes().end());
    swap_elements(le.data(), t.size(), dtype_size(t.dtype()));
    hash = checksum64(le);
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

bool is_container(const Value& v) {
  return v.kind() == Kind::kArray || v.kind() == Kind::kMap;
}

class Writer {
 public:
  Writer(std::ostream& out, bool full_tensors) : out_(out), full_(full_tensors) {}

  // Recursion is bounded: decoders refuse documents nested deeper than Limits::max_depth.
  void write(const Value& v, int indent) {
    switch (v.kind()) {
      case Kind::kNull: out_ << "null"; return;
      case Kind::kBool: out_ << (v.as_bool() ? "true" : "false"); return;
      case Kind::kInt: out_ << v.as_int(); return;
      case Kind::kUInt: out_ << v.as_uint(); return;
      case Kind::kDouble: write_float(out_, v.as_double()); return;
      case Kind::kString: write_string(out_, v.as_string()); return;
      case Kind::kBytes: out_ << R"({"$bytes": ")" << base64_encode(v.as_bytes()) << "\"}"; return;
      case Kind::kTensor: write_tensor(v.as_tensor()); return;
      case Kind::kArray: write_array(v.as_array(), indent); return;
      case Kind::kMap: write_map(v.as_map(), indent); return;
    }
  }

 private:
  // A tensor stays on one line, like an array of numbers: the document's structure stays easy
  // to scan however large the data.
  void write_tensor(const Tensor& t) {
    out_ << R"({"$tensor": {"dtype": ")" << dtype_name(t.dtype()) << R"(", "shape": [)";
    for (std::size_t i = 0; i < t.rank(); ++i) out_ << (i != 0 ? ", " : "") << t.shape()[i];
    out_ << (full_ ? R"(], "data": )" : R"(], "preview": )");
    const auto count = static_cast<std::size_t>(
        full_ ? t.size() : std::min<std::uint64_t>(t.size(), kTensorPreview));
    write_tensor_elements(out_, t, count);
    if (!full_) out_ << R"(, "xxh3": ")" << tensor_xxh3(t) << '"';
    out_ << "}}";
  }

  void write_array(const Array& a, int indent) {
    if (std::none_of(a.begin(), a.end(), is_container)) {
      out_ << '[';
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (i != 0) out_ << ", ";
        write(a[i], indent);
      }
      out_ << ']';
      return;
    }
    out_ << '[';
    for (std::size_t i = 0; i < a.size(); ++i) {
      out_ << (i != 0 ? "," : "");
      newline(indent + kIndentStep);
      write(a[i], indent + kIndentStep);
    }
    newline(indent);
    out_ << ']';
  }

  void write_map(const Map& m, int indent) {
    if (m.empty()) {
      out_ << "{}";
      return;
    }
    out_ << '{';
    bool first = true;
    for (const auto& [key, value] : m) {
      out_ << (first ? "" : ",");
      first = false;
      newline(indent + kIndentStep);
      write_string(out_, key);
      out_ << ": ";
      write(value, indent + kIndentStep);
    }
    newline(indent);
    out_ << '}';
  }

  void newline(int indent) { out_ << '\n' << std::string(static_cast<std::size_t>(indent), ' '); }

  std::ostream& out_;
  bool full_;
};

}  // namespace

void write_display_json(std::ostream& out, const Value& value, bool full_tensors) {
  Writer(out, full_tensors).write(value, 0);
}

}  // namespace mlpersist::cli
