// The "json" backend: exact round trips, strict RFC 8259 output, and clean errors on hostile
// input.

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <mlpersist/backend.hpp>
#include <mlpersist/error.hpp>
#include <random>
#include <span>
#include <string>
#include <test_support.hpp>
#include <vector>

namespace mlpersist {
namespace {

const Backend& backend() {
  static const auto b = test::registry().backend("json");
  return *b;
}

std::string encode(const Value& value) {
  return test::encode_payload("json", value);
}

Value decode(std::string_view payload, const Limits& limits = {}) {
  return test::decode_payload("json", payload, limits);
}

// Decoding fails with `code`, and the message names the source, an offset and `fragment`.
void expect_error(std::string_view payload, ErrorCode code, std::string_view fragment,
                  const Limits& limits = {}) {
  try {
    decode(payload, limits);
    ADD_FAILURE() << "no error for payload " << payload.substr(0, 200);
  } catch (const FormatError& e) {
    const std::string message = e.what();
    EXPECT_EQ(to_string(e.code()), to_string(code)) << message;
    EXPECT_NE(message.find("model.mlp: invalid json payload at byte "), std::string::npos)
        << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  }
}

template <class T>
Tensor make_tensor(Tensor::Shape shape, const std::vector<T>& values) {
  Tensor t = Tensor::allocate(dtype_of<T>(), std::move(shape));
  std::copy(values.begin(), values.end(), t.mutable_data<T>());
  return t;
}

Value rich_document() {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  Map keys;
  keys.insert("$float", "not a marker").insert("$$two", 2).insert("$", 3).insert("", "empty");
  keys.insert("日本語 ключ", "unicode key");
  Array scalars{Value(),
                true,
                false,
                0,
                -1,
                INT64_MIN,
                INT64_MAX,
                UINT64_MAX,
                0.5,
                1.0,
                -2.25,
                1e300,
                5e-324,
                std::numeric_limits<double>::max(),
                kInf,
                -kInf,
                "",
                "héllo wörld ✓ 🎉",
                std::string("nul\0inside\t\n\x01", 13),
                Bytes{},
                Bytes{0, 1, 2, 0xfe, 0xff},
                Bytes{'a'},
                Array{},
                Map{}};
  Map tensors;
  tensors.insert("float64", make_tensor<double>({2, 3}, {1.5, -0.0, kNaN, kInf, -kInf, 5e-324}));
  tensors.insert("float32", make_tensor<float>({3}, {0.1f, -3.25e38f, 1e-45f}));
  tensors.insert("int64", make_tensor<std::int64_t>({2, 2}, {INT64_MIN, -1, 0, INT64_MAX}));
  tensors.insert("int32", make_tensor<std::int32_t>({4}, {INT32_MIN, -7, 0, INT32_MAX}));
  tensors.insert("uint8", make_tensor<std::uint8_t>({2, 2, 2}, {0, 1, 2, 127, 128, 200, 254, 255}));
  tensors.insert("empty", make_tensor<double>({0}, {}));
  tensors.insert("empty_rank2", make_tensor<std::int32_t>({3, 0}, {}));
  tensors.insert("rank0", make_tensor<std::int64_t>({}, {42}));
  Map doc;
  doc.insert("scalars", scalars).insert("keys", keys).insert("tensors", tensors);
  doc.insert("nested",
             Array{Map{}.insert("a", Array{Value(Array{Map{}.insert("$b", Array{1, "x"})})})});
  return doc;
}

std::uint64_t bits(double d) {
  return std::bit_cast<std::uint64_t>(d);
}

// Same bits, except that any NaN matches any NaN (JSON keeps no NaN payload).
::testing::AssertionResult same_double(double expected, double actual) {
  if (std::isnan(expected) ? std::isnan(actual) : bits(expected) == bits(actual))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << std::hex << "expected bits 0x" << bits(expected) << ", got 0x" << bits(actual);
}

std::vector<double> special_doubles() {
  using L = std::numeric_limits<double>;
  return {0.0,
          -0.0,
          L::denorm_min(),
          -L::denorm_min(),
          L::min(),
          L::max(),
          L::lowest(),
          L::epsilon(),
          L::infinity(),
          -L::infinity(),
          L::quiet_NaN(),
          1.0,
          -1.0,
          0.1,
          1e23,
          9007199254740993.0,
          2.2250738585072009e-308,
          123456789012345680000.0};
}

TEST(JsonBackend, RoundTripsRichDocument) {
  const Value doc = rich_document();
  EXPECT_EQ(decode(encode(doc)), doc);
}

TEST(JsonBackend, RoundTripsSpecialDoublesAsScalarsAndTensorElements) {
  const std::vector<double> specials = special_doubles();
  Array scalars(specials.begin(), specials.end());
  const Value decoded =
      decode(encode(Map{}
                        .insert("scalars", scalars)
                        .insert("tensor", make_tensor<double>({specials.size()}, specials))));
  const Array& s = decoded.as_map().find("scalars")->as_array();
  const auto t = decoded.as_map().find("tensor")->as_tensor().values<double>();
  ASSERT_EQ(s.size(), specials.size());
  ASSERT_EQ(t.size(), specials.size());
  for (std::size_t i = 0; i < specials.size(); ++i) {
    EXPECT_TRUE(same_double(specials[i], s[i].as_double())) << "scalar " << i;
    EXPECT_TRUE(same_double(specials[i], t[i])) << "element " << i;
  }
}

TEST(JsonBackend, RoundTripsMillionRandomDoublesBitExactly) {
  std::mt19937_64 random(20240611);
  std::vector<double> values = special_doubles();
  while (values.size() < 1'000'000) values.push_back(std::bit_cast<double>(random()));
  Array scalars;
  for (std::size_t i = 0; i < 4096; ++i) scalars.emplace_back(std::bit_cast<double>(random()));
  const Value doc = Map{}
                        .insert("tensor", make_tensor<double>({values.size()}, values))
                        .insert("scalars", scalars);
  const Value decoded = decode(encode(doc));
  const auto t = decoded.as_map().find("tensor")->as_tensor().values<double>();
  ASSERT_EQ(t.size(), values.size());
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!same_double(values[i], t[i]) && ++mismatches <= 5)
      ADD_FAILURE() << "element " << i << ": " << same_double(values[i], t[i]).message();
  EXPECT_EQ(mismatches, 0u);
  const Array& s = decoded.as_map().find("scalars")->as_array();
  ASSERT_EQ(s.size(), scalars.size());
  for (std::size_t i = 0; i < s.size(); ++i)
    ASSERT_TRUE(same_double(scalars[i].as_double(), s[i].as_double())) << "scalar " << i;
}

TEST(JsonBackend, RoundTripsRandomFloat32ElementsBitExactly) {
  std::mt19937 random(7);
  std::vector<float> values(100'000);
  for (float& v : values) {
    v = std::bit_cast<float>(static_cast<std::uint32_t>(random()));
    if (std::isnan(v)) v = std::numeric_limits<float>::quiet_NaN();
  }
  const Value doc = make_tensor<float>({values.size()}, values);
  EXPECT_EQ(decode(encode(doc)), doc);
}

TEST(JsonBackend, WritesDoublesWithPointOrExponentAndIntegersWithout) {
  EXPECT_EQ(encode(1.0), "1.0");
  EXPECT_EQ(encode(-0.0), "-0.0");
  EXPECT_EQ(encode(1e300), "1e+300");
  EXPECT_EQ(encode(1), "1");
  EXPECT_EQ(encode(UINT64_MAX), "18446744073709551615");
  EXPECT_EQ(encode(std::numeric_limits<double>::quiet_NaN()), R"({"$float":"NaN"})");
  EXPECT_EQ(encode(-std::numeric_limits<double>::infinity()), R"({"$float":"-Infinity"})");
  EXPECT_EQ(encode(Bytes{'h', 'i', '!', '?'}), R"({"$bytes":"aGkhPw=="})");
  EXPECT_EQ(encode(make_tensor<std::int32_t>({2, 1}, {3, -4})),
            R"({"$tensor":{"dtype":"int32","shape":[2,1],"data":[3,-4]}})");
  EXPECT_EQ(decode("1").kind(), Kind::kInt);
  EXPECT_EQ(decode("1.0").kind(), Kind::kDouble);
  EXPECT_EQ(decode("1e2").kind(), Kind::kDouble);
  EXPECT_EQ(decode("9223372036854775807").kind(), Kind::kInt);
  EXPECT_EQ(decode("9223372036854775808").kind(), Kind::kUInt);
  EXPECT_EQ(decode("-9223372036854775808").as_int(), INT64_MIN);
}

TEST(JsonBackend, EscapesDollarKeysSoNoUserKeyReadsAsAMarker) {
  const Value doc = Map{}.insert("$float", "NaN").insert("$$x", 1);
  const std::string payload = encode(doc);
  EXPECT_EQ(payload, R"({"$$float":"NaN","$$$x":1})");
  EXPECT_EQ(decode(payload), doc);
}

TEST(JsonBackend, PayloadIsStrictJsonThatPythonAndJqAccept) {
  const auto file = test::temp_dir() / "payload.json";
  std::ofstream(file, std::ios::binary) << encode(rich_document());
  const std::string path = file.string();
  EXPECT_EQ(std::system(("python3 -m json.tool '" + path + "' > /dev/null").c_str()), 0);
  // json.tool accepts NaN and Infinity literals; refusing them proves the output strict.
  const std::string strict =
      "python3 -c \"import json, sys; json.load(open(sys.argv[1], encoding='utf-8'), "
      "parse_constant=lambda c: sys.exit('non-strict ' + c))\" '" +
      path + "'";
  EXPECT_EQ(std::system(strict.c_str()), 0);
  if (std::system("command -v jq > /dev/null") == 0) {
    EXPECT_EQ(std::system(("jq empty '" + path + "'").c_str()), 0);
  }
}

// Records the Sink's calls: the encoder must stream, not build the document in memory.
struct CountingSink final : Sink {
  void write(const void*, std::size_t size) override {
    ++writes;
    largest = std::max(largest, size);
    bytes += size;
  }
  [[nodiscard]] std::uint64_t position() const override { return bytes; }
  std::size_t writes = 0, largest = 0;
  std::uint64_t bytes = 0;
};

TEST(JsonBackend, StreamsLargeTensorsToTheSinkInBoundedChunks) {
  CountingSink sink;
  backend().encode(make_tensor<double>({200'000}, std::vector<double>(200'000, 0.125)), sink);
  EXPECT_GT(sink.writes, 10u);
  EXPECT_LE(sink.largest, 64u << 10);
}

TEST(JsonBackend, RejectsEveryTruncationOfARealPayload) {
  const Value doc =
      Map{}
          .insert("a", Array{1, -2.5, "s", Value(), true})
          .insert("t", make_tensor<float>({2}, {1.5f, std::numeric_limits<float>::quiet_NaN()}))
          .insert("b", Bytes{1, 2, 3})
          .insert("$k", std::numeric_limits<double>::infinity());
  const std::string payload = encode(doc);
  for (std::size_t length = 0; length < payload.size(); ++length)
    EXPECT_THROW(decode(payload.substr(0, length)), FormatError) << "length " << length;
  expect_error(payload.substr(0, payload.size() - 1), ErrorCode::kTruncated, "payload byte");
  EXPECT_EQ(decode(payload), doc);
}

TEST(JsonBackend, SurvivesEverySingleBitFlipWithAValueOrAFormatError) {
  const std::string payload =
      encode(Map{}
                 .insert("a", Array{1, -2.5, "s", Value(), true})
                 .insert("t", make_tensor<std::int32_t>({2, 2}, {1, 2, 3, 4}))
                 .insert("b", Bytes{1, 2, 3})
                 .insert("n", -std::numeric_limits<double>::infinity()));
  for (std::size_t bit = 0; bit < payload.size() * 8; ++bit) {
    std::string flipped = payload;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    try {
      decode(flipped);
    } catch (const FormatError&) {
    } catch (const std::exception& e) {
      ADD_FAILURE() << "bit " << bit << ": not a FormatError: " << e.what();
    }
  }
}

TEST(JsonBackend, RejectsTensorClaiming2To40ElementsBeforeAllocating) {
  std::string payload = R"({"$tensor":{"dtype":"float64","shape":[1099511627776],"data":[)";
  while (payload.size() < 1000) payload += "1,";
  payload += "1]}}";
  expect_error(payload, ErrorCode::kLimitExceeded, "Limits::max_tensor_elements");
  Limits generous;
  generous.max_tensor_elements = std::uint64_t{1} << 50;
  expect_error(payload, ErrorCode::kTruncated, "needs 1099511627776 elements", generous);
}

TEST(JsonBackend, RejectsDeepNestingWithoutRecursing) {
  expect_error(std::string(100'000, '['), ErrorCode::kLimitExceeded, "Limits::max_depth");
  std::string objects;
  for (int i = 0; i < 100'000; ++i) objects += R"({"a":)";
  expect_error(objects, ErrorCode::kLimitExceeded, "Limits::max_depth");
  // A marker may sit at the deepest level: 64 arrays around a NaN are within the limit.
  const std::string deepest = std::string(64, '[') + R"({"$float":"NaN"})" + std::string(64, ']');
  EXPECT_NO_THROW(decode(deepest));
  expect_error(std::string(64, '[') + "{}" + std::string(64, ']'), ErrorCode::kLimitExceeded,
               "Limits::max_depth");
}

TEST(JsonBackend, RejectsStringsOverTheLengthLimit) {
  Limits small;
  small.max_string_bytes = 8;
  expect_error(R"(["123456789"])", ErrorCode::kLimitExceeded, "Limits::max_string_bytes", small);
  expect_error(R"({"123456789":1})", ErrorCode::kLimitExceeded, "Limits::max_string_bytes", small);
  expect_error("[\"" + std::string(1 << 20, 'x'), ErrorCode::kTruncated, "payload byte");
  // A bytes value is held to the limit by its size, not by its longer base64 text.
  EXPECT_EQ(decode(R"({"$bytes":"MTIzNDU2Nzg="})", small),
            Value(Bytes{'1', '2', '3', '4', '5', '6', '7', '8'}));
  expect_error(R"({"$bytes":"MTIzNDU2Nzg5MA=="})", ErrorCode::kLimitExceeded, "a bytes value",
               small);
}

TEST(JsonBackend, RejectsBadTensorShapesAndDtypes) {
  const auto tensor = [](std::string_view dtype, std::string_view shape, std::string_view data) {
    return std::string(R"({"$tensor":{"dtype":")") + std::string(dtype) + R"(","shape":)" +
           std::string(shape) + R"(,"data":)" + std::string(data) + "}}";
  };
  expect_error(tensor("float64", "[4294967296,4294967296,4294967296]", "[]"),
               ErrorCode::kLimitExceeded, "overflows");
  expect_error(tensor("float16", "[1]", "[1]"), ErrorCode::kMalformed, "unknown tensor dtype");
  expect_error(tensor("float64", "[2]", "[1]"), ErrorCode::kMalformed, "has 1 elements");
  expect_error(tensor("float64", "[2]", "[1,2,3]"), ErrorCode::kMalformed, "more elements");
  expect_error(tensor("float64", "[1.5]", "[1]"), ErrorCode::kMalformed, "dimension");
  expect_error(tensor("float64", "[-1]", "[1]"), ErrorCode::kMalformed, "dimension");
  expect_error(tensor("float64", "[1,1,1,1,1,1,1,1,1]", "[1]"), ErrorCode::kLimitExceeded,
               "Limits::max_rank");
  expect_error(tensor("float64", "[2]", "[[1],[2]]"), ErrorCode::kMalformed, "'['");
  expect_error(tensor("int32", "[1]", "[2147483648]"), ErrorCode::kMalformed, "out of range");
  expect_error(tensor("uint8", "[1]", "[256]"), ErrorCode::kMalformed, "out of range");
  expect_error(tensor("int64", "[1]", "[1.5]"), ErrorCode::kMalformed, "not an integer");
  expect_error(tensor("int64", "[1]", R"(["NaN"])"), ErrorCode::kMalformed, "only float");
  expect_error(tensor("float32", "[1]", "[1e39]"), ErrorCode::kMalformed, "out of range");
  expect_error(R"({"$tensor":{"shape":[1],"dtype":"float64","data":[1]}})", ErrorCode::kMalformed,
               "in this order");
  expect_error(R"({"$tensor":{"dtype":"float64","shape":[1],"data":[1],"x":1}})",
               ErrorCode::kMalformed, "exactly the keys");
  EXPECT_EQ(decode(tensor("float64", "[]", "[7]")), Value(make_tensor<double>({}, {7.0})));
}

TEST(JsonBackend, RejectsMalformedMarkers) {
  expect_error(R"({"$float":"nan"})", ErrorCode::kMalformed, "$float");
  expect_error(R"({"$float":1.0})", ErrorCode::kMalformed, "$float");
  expect_error(R"({"$float":"NaN","x":1})", ErrorCode::kMalformed, "exactly one key");
  expect_error(R"({"$bytes":"AAA"})", ErrorCode::kMalformed, "base64");
  expect_error(R"({"$bytes":"AB=="})", ErrorCode::kMalformed, "base64");
  expect_error(R"({"$tensor":[1]})", ErrorCode::kMalformed, "$tensor");
  expect_error(R"({"$other":1})", ErrorCode::kMalformed, "unknown marker key");
  expect_error(R"({"a":1,"$float":"NaN"})", ErrorCode::kMalformed, "single '$'");
}

TEST(JsonBackend, RejectsDuplicateKeys) {
  expect_error(R"({"a":1,"b":2,"a":3})", ErrorCode::kMalformed, "duplicate map key \"a\"");
  expect_error(R"({"$$a":1,"$$a":2})", ErrorCode::kMalformed, "duplicate map key \"$a\"");
}

TEST(JsonBackend, RejectsInvalidUtf8AndLoneSurrogates) {
  expect_error("[\"\xff\"]", ErrorCode::kMalformed, "payload byte");
  expect_error("[\"\xc0\xaf\"]", ErrorCode::kMalformed, "payload byte");      // overlong '/'
  expect_error("[\"\xed\xa0\x80\"]", ErrorCode::kMalformed, "payload byte");  // raw surrogate
  expect_error(R"(["\udc00"])", ErrorCode::kMalformed, "surrogate");
  expect_error(R"(["\ud800x"])", ErrorCode::kMalformed, "payload byte");
  EXPECT_EQ(decode(R"(["\ud83c\udf89"])"), Value(Array{"🎉"}));
}

TEST(JsonBackend, RejectsTrailingGarbageAndNonStrictJson) {
  expect_error("{} x", ErrorCode::kMalformed, "payload byte 3");
  expect_error("{}{}", ErrorCode::kMalformed, "payload byte 2");
  expect_error(std::string("{}\0", 3), ErrorCode::kMalformed, "NUL");
  expect_error(std::string("[1,\0]", 5), ErrorCode::kMalformed, "NUL");
  for (std::string_view bad : {"[NaN]", "[Infinity]", "[1,]", "['a']", "[01]", "[+1]", "[.5]",
                               "/* c */ []", "[1.]", "{a:1}", "\xef\xbb\xbf[]"})
    expect_error(bad, ErrorCode::kMalformed, "payload byte");
  expect_error("", ErrorCode::kTruncated, "payload byte 0");
}

TEST(JsonBackend, RejectsNumbersOutsideTheirRange) {
  expect_error("[18446744073709551616]", ErrorCode::kMalformed, "above the uint64 range");
  expect_error("[-9223372036854775809]", ErrorCode::kMalformed, "below the int64 range");
  expect_error("[1e400]", ErrorCode::kMalformed, "payload byte");
  expect_error("[1e-400]", ErrorCode::kMalformed, "float64 range");
  EXPECT_EQ(decode("[18446744073709551615]"), Value(Array{UINT64_MAX}));
}

TEST(JsonBackend, ErrorNamesSourceAbsoluteOffsetAndRemedy) {
  try {
    decode(R"({"a":1,"a":2})");
    FAIL() << "no error";
  } catch (const FormatError& e) {
    const std::string message = e.what();
    EXPECT_EQ(e.code(), ErrorCode::kMalformed);
    EXPECT_NE(message.find("model.mlp: invalid json payload at byte 74 (payload byte 10)"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("restore the original file"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace mlpersist
