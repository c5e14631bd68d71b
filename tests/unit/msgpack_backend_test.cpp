// The "msgpack" backend: exact round trips, the documented tensor ext layout, and clean errors
// on hostile input (built byte by byte here, independently of msgpack-c).

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
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

std::string encode(const Value& value) {
  return test::encode_payload("msgpack", value);
}

Value decode(std::string_view payload, const Limits& limits = {}) {
  return test::decode_payload("msgpack", payload, limits);
}

// Decoding fails with `code`, and the message names the source, an offset and `fragment`.
void expect_error(std::string_view payload, ErrorCode code, std::string_view fragment,
                  const Limits& limits = {}) {
  try {
    decode(payload, limits);
    ADD_FAILURE() << "no error for a payload of " << payload.size() << " bytes";
  } catch (const FormatError& e) {
    const std::string message = e.what();
    EXPECT_EQ(to_string(e.code()), to_string(code)) << message;
    EXPECT_NE(message.find("model.mlp: invalid msgpack payload at byte "), std::string::npos)
        << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  }
}

// Raw msgpack bytes, written by hand so the tests do not share the code under test.
struct Raw {
  std::string bytes;
  Raw& u8(std::initializer_list<int> values) {
    for (int v : values) bytes += static_cast<char>(v);
    return *this;
  }
  Raw& be32(std::uint32_t v) {
    return u8({int(v >> 24), int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)});
  }
  Raw& le64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) u8({int(v >> (8 * i) & 0xff)});
    return *this;
  }
  Raw& str(std::string_view s) {  // str 8
    u8({0xd9, int(s.size())});
    bytes += s;
    return *this;
  }
  // ext 32 header for a tensor body of `body_bytes`, then dtype code and rank.
  Raw& tensor_header(std::uint32_t body_bytes, int dtype, int rank) {
    return u8({0xc9}).be32(body_bytes).u8({1, dtype, rank});
  }
};

template <class T>
Tensor make_tensor(Tensor::Shape shape, const std::vector<T>& values) {
  Tensor t = Tensor::allocate(dtype_of<T>(), std::move(shape));
  std::copy(values.begin(), values.end(), t.mutable_data<T>());
  return t;
}

Value rich_document() {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const double nan_with_payload = std::bit_cast<double>(0xfff4'0000'dead'beefULL);
  Map keys;
  keys.insert("$float", "plain key").insert("$$two", 2).insert("", "empty");
  keys.insert("日本語 ключ", "unicode key");
  Array scalars{Value(),
                true,
                false,
                0,
                -1,
                -33,
                127,
                128,
                65536,
                INT64_MIN,
                INT64_MAX,
                UINT64_MAX,
                0.5,
                1.0,
                0.0,
                -0.0,
                -3.0,
                1e300,
                5e-324,
                kInf,
                -kInf,
                "",
                "héllo wörld ✓ 🎉",
                std::string(300, 'x'),
                Bytes{},
                Bytes{0, 1, 2, 0xfe, 0xff},
                Array{},
                Map{}};
  Map tensors;
  tensors.insert("float64",
                 make_tensor<double>({2, 3}, {1.5, -0.0, nan_with_payload, kInf, -kInf, 5e-324}));
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

TEST(MsgpackBackend, RoundTripsRichDocument) {
  const Value doc = rich_document();
  EXPECT_EQ(decode(encode(doc)), doc);
}

TEST(MsgpackBackend, RoundTripsMillionRandomDoublesBitExactly) {
  using L = std::numeric_limits<double>;
  std::mt19937_64 random(20240611);
  std::vector<double> values = {0.0,           -0.0,           L::denorm_min(),
                                L::max(),      L::lowest(),    L::epsilon(),
                                L::infinity(), -L::infinity(), L::quiet_NaN()};
  while (values.size() < 1'000'000) values.push_back(std::bit_cast<double>(random()));
  Array scalars(values.begin(), values.begin() + 4096);
  const Value decoded =
      decode(encode(Map{}
                        .insert("tensor", make_tensor<double>({values.size()}, values))
                        .insert("scalars", scalars)));
  const auto t = decoded.as_map().find("tensor")->as_tensor().values<double>();
  ASSERT_EQ(t.size(), values.size());
  // NaN payloads included: every element keeps its exact bits.
  EXPECT_EQ(std::memcmp(t.data(), values.data(), values.size() * sizeof(double)), 0);
  const Array& s = decoded.as_map().find("scalars")->as_array();
  ASSERT_EQ(s.size(), scalars.size());
  for (std::size_t i = 0; i < s.size(); ++i)
    ASSERT_EQ(std::bit_cast<std::uint64_t>(s[i].as_double()),
              std::bit_cast<std::uint64_t>(values[i]))
        << "scalar " << i;
}

TEST(MsgpackBackend, WritesTensorAsDocumentedExtType2WithAlignedElements) {
  const std::string payload = encode(make_tensor<std::int32_t>({2, 1}, {3, -4}));
  // Elements at offset 6 (ext 32 header) + 2 + 16 (dtype, rank, shape) + 1 (pad count) + 7.
  const std::string expected = Raw{}
                                   .u8({0xc9})  // ext 32
                                   .be32(2 + 16 + 1 + 7 + 8)
                                   .u8({2})     // type 2
                                   .u8({4, 2})  // int32, rank 2
                                   .le64(2)
                                   .le64(1)
                                   .u8({7, 0, 0, 0, 0, 0, 0, 0})  // 7 padding bytes
                                   .u8({3, 0, 0, 0, 0xfc, 0xff, 0xff, 0xff})
                                   .bytes;
  EXPECT_EQ(payload, expected);
  // Two bytes in (array header, the 1), a rank-1 tensor needs 5 padding bytes.
  const std::string behind = encode(Array{1, make_tensor<std::int32_t>({1}, {5})});
  EXPECT_EQ(static_cast<unsigned char>(behind[2 + 6 + 2 + 8]), 5u);
  EXPECT_EQ(behind.size() % 8, 4u);  // 4 bytes of int32 after an aligned start
}

TEST(MsgpackBackend, StillReadsTensorsAsExtType1) {
  const std::string payload = Raw{}
                                  .u8({0xc7, 2 + 16 + 8, 1})  // ext 8, body length, type 1
                                  .u8({4, 2})                 // int32, rank 2
                                  .le64(2)
                                  .le64(1)
                                  .u8({3, 0, 0, 0, 0xfc, 0xff, 0xff, 0xff})
                                  .bytes;
  EXPECT_EQ(decode(payload), Value(make_tensor<std::int32_t>({2, 1}, {3, -4})));
}

TEST(MsgpackBackend, RejectsBadTensorPadding) {
  const auto aligned = [](int pad_count, int pad_byte) {
    Raw r;
    r.u8({0xc9}).be32(2 + 8 + 1 + 7 + 1).u8({2}).u8({5, 1}).le64(1).u8({pad_count});
    for (int i = 0; i < 7; ++i) r.u8({pad_byte});
    return r.u8({42}).bytes;
  };
  EXPECT_EQ(decode(aligned(7, 0)), Value(make_tensor<std::uint8_t>({1}, {42})));
  expect_error(aligned(7, 1), ErrorCode::kMalformed, "non-zero tensor padding byte");
  expect_error(aligned(8, 0), ErrorCode::kMalformed, "invalid padding count");
  expect_error(aligned(200, 0), ErrorCode::kMalformed, "invalid padding count");
}

TEST(MsgpackBackend, BorrowsAlignedTensorsFromBytesThatOutliveTheLoad) {
  const Tensor original = make_tensor<double>({3}, {1.5, -2.0, 3.25});
  const std::string payload = encode(Map{}.insert("t", original));
  // A 64-aligned buffer, as the container gives a read file or a mapping.
  auto buffer = std::shared_ptr<std::byte[]>(
      new (std::align_val_t{64}) std::byte[payload.size()],
      [](std::byte* p) { operator delete[](p, std::align_val_t{64}); });
  std::memcpy(buffer.get(), payload.data(), payload.size());
  DecodeInput input;
  input.payload = std::span<const std::byte>(buffer.get(), payload.size());
  input.source = "model.mlp";
  input.owner = buffer;
  const Value doc = test::registry().backend("msgpack")->decode(input);
  const Tensor& t = doc.as_map().find("t")->as_tensor();
  EXPECT_TRUE(t.borrowed());
  EXPECT_GE(t.bytes().data(), buffer.get());
  EXPECT_LT(t.bytes().data(), buffer.get() + payload.size());
  EXPECT_EQ(t, original);
  // Without an owner the bytes may not outlive the call: copied.
  input.owner = nullptr;
  EXPECT_FALSE(test::registry()
                   .backend("msgpack")
                   ->decode(input)
                   .as_map()
                   .find("t")
                   ->as_tensor()
                   .borrowed());
}

TEST(MsgpackBackend, WritesEveryDoubleAsFloat64) {
  const std::string payload = encode(Array{1.0, -0.0});
  const std::string expected = Raw{}
                                   .u8({0x92})
                                   .u8({0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0})
                                   .u8({0xcb, 0x80, 0, 0, 0, 0, 0, 0, 0})
                                   .bytes;
  EXPECT_EQ(payload, expected);
  const Array decoded = decode(payload).as_array();
  EXPECT_EQ(std::bit_cast<std::uint64_t>(decoded[1].as_double()), 0x8000'0000'0000'0000u);
}

TEST(MsgpackBackend, ReadsEveryIntegerWidthAndFloat32) {
  const std::string payload = Raw{}
                                  .u8({0x96, 0xd0, 5})                    // int 8: 5
                                  .u8({0xcf, 0, 0, 0, 0, 0, 0, 0, 1})     // uint 64: 1
                                  .u8({0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0})  // int 64: min
                                  .u8({0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
                                  .u8({0xca, 0x3f, 0xc0, 0, 0})  // float 32: 1.5
                                  .u8({0xe0})                    // fixint -32
                                  .bytes;
  EXPECT_EQ(decode(payload), Value(Array{5, 1, INT64_MIN, UINT64_MAX, 1.5, -32}));
  EXPECT_EQ(decode(Raw{}.u8({0xcc, 200}).bytes).kind(), Kind::kInt);
}

TEST(MsgpackBackend, RejectsEveryTruncationOfARealPayload) {
  const Value doc = Map{}
                        .insert("a", Array{1, -2.5, "s", Value(), true, 70000})
                        .insert("t", make_tensor<float>({2}, {1.5f, -0.0f}))
                        .insert("b", Bytes{1, 2, 3});
  const std::string payload = encode(doc);
  for (std::size_t length = 0; length < payload.size(); ++length)
    EXPECT_THROW(decode(payload.substr(0, length)), FormatError) << "length " << length;
  expect_error(payload.substr(0, payload.size() - 1), ErrorCode::kTruncated, "ends");
  EXPECT_EQ(decode(payload), doc);
}

TEST(MsgpackBackend, SurvivesEverySingleBitFlipWithAValueOrAFormatError) {
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

TEST(MsgpackBackend, RejectsTensorClaiming2To40ElementsIn1KB) {
  Raw raw;
  raw.tensor_header(1000, 1, 1).le64(std::uint64_t{1} << 40);
  raw.bytes.resize(raw.bytes.size() + 1000 - 10, '\0');
  expect_error(raw.bytes, ErrorCode::kLimitExceeded, "Limits::max_tensor_elements");
  Limits generous;
  generous.max_tensor_elements = std::uint64_t{1} << 50;
  expect_error(raw.bytes, ErrorCode::kMalformed, "tensor data is 990 bytes", generous);
}

TEST(MsgpackBackend, RejectsCountsAndLengthsBeyondTheRemainingBytes) {
  Limits generous;
  generous.max_container_entries = std::uint64_t{1} << 40;
  generous.max_string_bytes = std::uint64_t{1} << 40;
  const std::string array = Raw{}.u8({0xdd}).be32(0xffffffff).u8({1, 2, 3}).bytes;
  expect_error(array, ErrorCode::kLimitExceeded, "Limits::max_container_entries");
  expect_error(array, ErrorCode::kTruncated,
               "claims 4294967295 entries, which take at least 4294967295 bytes", generous);
  const std::string map = Raw{}.u8({0xdf}).be32(4).u8({0xa1, 'a', 1}).bytes;
  expect_error(map, ErrorCode::kTruncated, "claims 4 entries");
  const std::string string = Raw{}.u8({0xdb}).be32(0xfffffff0).u8({'a', 'b'}).bytes;
  expect_error(string, ErrorCode::kTruncated, "ends", generous);
  const std::string bin = Raw{}.u8({0xc6}).be32(0xfffffff0).u8({1, 2}).bytes;
  expect_error(bin, ErrorCode::kTruncated, "ends", generous);
  const std::string ext = Raw{}.u8({0xc9}).be32(0xffffffff).u8({1, 1, 0}).bytes;
  expect_error(ext, ErrorCode::kTruncated, "ends", generous);
  Limits small;
  small.max_string_bytes = 4;
  expect_error(Raw{}.str("12345").bytes, ErrorCode::kLimitExceeded, "Limits::max_string_bytes",
               small);
}

TEST(MsgpackBackend, RejectsDeepNesting) {
  expect_error(std::string(100'000, '\x91') + '\xc0', ErrorCode::kLimitExceeded,
               "Limits::max_depth");
  Raw maps;
  for (int i = 0; i < 100'000; ++i) maps.u8({0x81, 0xa1, 'k'});
  expect_error(maps.bytes, ErrorCode::kLimitExceeded, "Limits::max_depth");
  EXPECT_NO_THROW(decode(std::string(64, '\x91') + '\xc0'));
}

TEST(MsgpackBackend, RejectsBadTensorBodies) {
  Raw overflow;
  overflow.tensor_header(2 + 24, 1, 3).le64(1ULL << 32).le64(1ULL << 32).le64(1ULL << 32);
  expect_error(overflow.bytes, ErrorCode::kLimitExceeded, "elements");
  Raw mismatch;  // float64 of shape (3,) needs 24 bytes, 16 follow
  mismatch.tensor_header(2 + 8 + 16, 1, 1).le64(3).bytes += std::string(16, '\0');
  expect_error(mismatch.bytes, ErrorCode::kMalformed, "needs 3 x 8");
  Raw dtype;
  dtype.tensor_header(2 + 8 + 1, 9, 1).le64(1).u8({0});
  expect_error(dtype.bytes, ErrorCode::kMalformed, "unknown tensor dtype code 9");
  Raw rank;
  rank.tensor_header(2 + 8 * 9, 1, 9).bytes += std::string(8 * 9, '\0');
  expect_error(rank.bytes, ErrorCode::kLimitExceeded, "Limits::max_rank");
  Raw short_shape;
  short_shape.tensor_header(2 + 4, 1, 1).u8({0, 0, 0, 0});
  expect_error(short_shape.bytes, ErrorCode::kMalformed, "too short");
  expect_error(Raw{}.u8({0xd4, 7, 0}).bytes, ErrorCode::kMalformed, "unknown msgpack ext type 7");
}

TEST(MsgpackBackend, RejectsDuplicateAndNonStringKeys) {
  expect_error(Raw{}.u8({0x82}).str("a").u8({1}).str("a").u8({2}).bytes, ErrorCode::kMalformed,
               "duplicate map key \"a\"");
  expect_error(Raw{}.u8({0x81, 0x01, 0x02}).bytes, ErrorCode::kMalformed, "keys must be strings");
  expect_error(Raw{}.u8({0x81, 0x90, 0x02}).bytes, ErrorCode::kMalformed, "keys must be strings");
}

TEST(MsgpackBackend, RejectsInvalidUtf8ReservedBytesAndTrailingGarbage) {
  expect_error(Raw{}.u8({0xa2, 0xc0, 0xaf}).bytes, ErrorCode::kMalformed, "UTF-8");
  expect_error(Raw{}.u8({0xa3, 0xed, 0xa0, 0x80}).bytes, ErrorCode::kMalformed, "UTF-8");
  expect_error(Raw{}.u8({0x91, 0xa1, 0xff}).bytes, ErrorCode::kMalformed, "UTF-8");
  expect_error(Raw{}.u8({0x92, 0x01, 0xc1}).bytes, ErrorCode::kMalformed, "byte 0xc1");
  expect_error(Raw{}.u8({0x90, 0x00}).bytes, ErrorCode::kMalformed, "1 bytes follow");
  expect_error("", ErrorCode::kTruncated, "payload byte 0");
}

TEST(MsgpackBackend, ErrorNamesSourceAbsoluteOffsetAndRemedy) {
  try {
    decode(Raw{}.u8({0x93, 0x01, 0x02, 0xc1}).bytes);
    FAIL() << "no error";
  } catch (const FormatError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("model.mlp: invalid msgpack payload at byte 67 (payload byte 3)"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("restore the original file"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace mlpersist
