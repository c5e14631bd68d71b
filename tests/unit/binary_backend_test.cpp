// The `binary` backend: round trips, the documented byte layout, zero-copy borrowing of aligned
// tensor data, and hostile payloads (every one a FormatError naming the byte offset).

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <mlpersist/backend.hpp>
#include <mlpersist/endian.hpp>
#include <mlpersist/error.hpp>
#include <span>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace mlpersist {
namespace {

using test::registry;

constexpr std::string_view kSource = "test.mlp";
// Decoded payloads pretend to start here in their file, so messages must add it to offsets.
constexpr std::uint64_t kPayloadOffset = 1024;

// Tags and the version byte, spelled out from the layout in binary_backend.hpp so that these
// tests pin the file format rather than echo the implementation's constants.
enum : std::uint8_t {
  kVersion = 1,
  kNull = 0x00,
  kFalse = 0x01,
  kTrue = 0x02,
  kInt = 0x03,
  kUInt = 0x04,
  kDouble = 0x05,
  kString = 0x06,
  kBytes = 0x07,
  kArray = 0x08,
  kMap = 0x09,
  kTensor = 0x0A,
};

// Builds payloads by hand, byte by byte, following the documented layout.
class Payload {
 public:
  Payload() { u8(kVersion); }
  Payload& u8(std::uint8_t v) {
    bytes_.push_back(static_cast<char>(v));
    return *this;
  }
  Payload& u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
    return *this;
  }
  Payload& raw(std::string_view s) {
    bytes_ += s;
    return *this;
  }
  Payload& str(std::string_view s) { return u64(s.size()).raw(s); }
  Payload& pad() {
    while (bytes_.size() % 64 != 0) u8(0);
    return *this;
  }
  [[nodiscard]] std::size_t size() const { return bytes_.size(); }
  [[nodiscard]] const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

const Backend& backend() {
  static const auto b = registry().backend("binary");
  return *b;
}

std::string encode(const Value& v) {
  std::string out;
  StringSink sink(out);
  backend().encode(v, sink);
  return out;
}

std::span<const std::byte> as_span(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

Value decode(std::span<const std::byte> payload, std::shared_ptr<const void> owner = nullptr,
             const Limits& limits = {}) {
  return backend().decode(
      DecodeInput{payload, kSource, kPayloadOffset, std::move(owner), limits, nullptr});
}

Value decode(std::string_view payload, const Limits& limits = {}) {
  return decode(as_span(payload), nullptr, limits);
}

// A copy of `bytes` at `misalign` bytes past a 64-byte boundary, in a buffer a shared owner
// keeps alive (as a mapped file would be).
struct SharedBuffer {
  std::shared_ptr<std::byte> owner;
  std::span<const std::byte> bytes;
};

SharedBuffer shared_copy(std::string_view bytes, std::size_t misalign = 0) {
  const std::size_t size = (bytes.size() + misalign + 64) / 64 * 64;
  auto* p = static_cast<std::byte*>(std::aligned_alloc(64, size));
  std::memcpy(p + misalign, bytes.data(), bytes.size());
  SharedBuffer b{std::shared_ptr<std::byte>(p, [](std::byte* q) { std::free(q); }), {}};
  b.bytes = {b.owner.get() + misalign, bytes.size()};
  return b;
}

// Decoding must throw FormatError with `code`, naming the source and the absolute offset.
void expect_format_error(std::string_view payload, ErrorCode code, std::uint64_t offset,
                         const Limits& limits = {}) {
  try {
    (void)decode(payload, limits);
    ADD_FAILURE() << "decoded without error";
  } catch (const FormatError& e) {
    const std::string message = e.what();
    EXPECT_EQ(e.code(), code) << message;
    EXPECT_NE(message.find(kSource), std::string::npos) << message;
    EXPECT_NE(
        message.find("invalid binary payload at byte " + std::to_string(kPayloadOffset + offset) +
                     " (payload byte " + std::to_string(offset) + "): "),
        std::string::npos)
        << message;
  }
}

template <class T>
Tensor tensor_of(std::vector<T> values, Tensor::Shape shape) {
  Tensor t = Tensor::allocate(dtype_of<T>(), std::move(shape));
  std::copy(values.begin(), values.end(), t.mutable_data<T>());
  return t;
}

Value rich_document() {
  Map tensors;
  tensors.insert("f64", tensor_of<double>({1.5, -2.25, 3e300, 4e-300, 0.0, 6.0}, {3, 2}));
  tensors.insert("f32", tensor_of<float>({1.5f, -2.5f, 3.25f}, {3}));
  std::vector<std::int64_t> cube(24);
  for (std::size_t i = 0; i < cube.size(); ++i) cube[i] = INT64_MIN + static_cast<std::int64_t>(i);
  tensors.insert("i64_rank3", tensor_of<std::int64_t>(cube, {2, 3, 4}));
  tensors.insert("i32", tensor_of<std::int32_t>({INT32_MIN, -1, 0, INT32_MAX}, {2, 2}));
  tensors.insert("u8_odd", tensor_of<std::uint8_t>({1, 2, 3, 4, 5, 6, 7}, {7}));
  tensors.insert("rank0", tensor_of<double>({42.0}, {}));
  tensors.insert("empty", Tensor::allocate(DType::kFloat32, {0}));
  tensors.insert("empty_rank2", Tensor::allocate(DType::kInt64, {3, 0}));

  Map nested;
  nested.insert("deeper", Array{Value(Array{}), Value(Map{}), Value(Array{Value(1), Value("x")})});
  Map doc;
  doc.insert("null", Value());
  doc.insert("yes", true);
  doc.insert("no", false);
  doc.insert("int_min", std::numeric_limits<std::int64_t>::min());
  doc.insert("int_max", std::numeric_limits<std::int64_t>::max());
  doc.insert("uint_max", std::numeric_limits<std::uint64_t>::max());
  doc.insert("uint_2_63", std::uint64_t{1} << 63);
  doc.insert("double", 0.1);
  doc.insert("unicode", "h\u00e9llo w\u00f6rld \u2014 \u65e5\u672c\u8a9e \U0001F389");
  doc.insert("", "empty key and value");
  doc.insert("empty_string", "");
  doc.insert("bytes", Bytes{0x00, 0xFF, 0x80, 0xC0});
  doc.insert("empty_bytes", Bytes{});
  doc.insert("nested", std::move(nested));
  doc.insert("empty_array", Array{});
  doc.insert("empty_map", Map{});
  doc.insert("tensors", std::move(tensors));
  return doc;
}

// A small document with every kind, used for truncation and bit flips.
Value small_document() {
  Map m;
  m.insert("name", "svm.SVC \u00e9");
  m.insert("n", 3);
  m.insert("c", 1.5);
  m.insert("flags", Array{Value(true), Value(), Value(std::uint64_t{1} << 63)});
  m.insert("raw", Bytes{1, 2, 3});
  m.insert("w", tensor_of<double>({1.0, 2.0, 3.0, 4.0}, {2, 2}));
  return m;
}

void collect_tensors(const Value& v, std::vector<const Tensor*>& out) {
  if (v.kind() == Kind::kTensor) out.push_back(&v.as_tensor());
  if (v.kind() == Kind::kArray)
    for (const Value& e : v.as_array()) collect_tensors(e, out);
  if (v.kind() == Kind::kMap)
    for (const auto& [k, e] : v.as_map()) collect_tensors(e, out);
}

TEST(BinaryBackend, IsRegisteredUnderItsName) {
  EXPECT_EQ(backend().name(), "binary");
  EXPECT_FALSE(backend().description().empty());
}

TEST(BinaryBackend, RoundTripsEveryValueKindAndDType) {
  const Value doc = rich_document();
  const std::string payload = encode(doc);
  EXPECT_EQ(decode(payload), doc);
  const SharedBuffer shared = shared_copy(payload);
  EXPECT_EQ(decode(shared.bytes, shared.owner), doc);
}

TEST(BinaryBackend, WritesTheDocumentedByteLayout) {
  Map doc;
  doc.insert(
      "a", Array{Value(), Value(true), Value(false), Value(-1), Value((std::uint64_t{1} << 63) + 1),
                 Value(1.5), Value("\u00e9"), Value(Bytes{1, 2})});
  doc.insert("t", tensor_of<std::uint8_t>({7, 8}, {2}));
  Payload expected;
  expected.u8(kMap).u64(2).str("a").u8(kArray).u64(8);
  expected.u8(kNull).u8(kTrue).u8(kFalse).u8(kInt).u64(~std::uint64_t{0});
  expected.u8(kUInt).u64((std::uint64_t{1} << 63) + 1).u8(kDouble).u64(0x3FF8000000000000);
  expected.u8(kString).str("\xC3\xA9").u8(kBytes).str("\x01\x02");
  expected.str("t").u8(kTensor).u8(5).u8(1).u64(2).pad().raw("\x07\x08");
  EXPECT_EQ(encode(doc), expected.bytes());
}

TEST(BinaryBackend, AlignsTensorDataTo64BytesAndBorrowsFromSharedOwner) {
  const std::string payload = encode(rich_document());
  const SharedBuffer shared = shared_copy(payload);
  const Value doc = decode(shared.bytes, shared.owner);
  std::vector<const Tensor*> tensors;
  collect_tensors(doc, tensors);
  ASSERT_EQ(tensors.size(), 8u);
  for (const Tensor* t : tensors) {
    // Only a little-endian host can use the stored bytes as they are; a big-endian one copies
    // them into its own (also 64-byte aligned) buffer and swaps them.
    EXPECT_EQ(t->borrowed(), kHostIsLittleEndian);
    if (kHostIsLittleEndian) {
      const auto offset = t->data() - shared.bytes.data();
      EXPECT_EQ(offset % 64, 0) << "tensor data at payload offset " << offset;
    }
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(t->data()) % 64, 0u);
  }
  if (kHostIsLittleEndian) {
    EXPECT_GT(shared.owner.use_count(), 1) << "borrowed tensors must keep the buffer alive";
  }
}

TEST(BinaryBackend, CopiesTensorDataWithoutOwner) {
  const std::string payload = encode(rich_document());
  const Value doc = decode(payload);
  std::vector<const Tensor*> tensors;
  collect_tensors(doc, tensors);
  for (const Tensor* t : tensors) {
    EXPECT_FALSE(t->borrowed());
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(t->data()) % 64, 0u);
  }
}

TEST(BinaryBackend, CopiesTensorDataWhenSharedBufferIsMisaligned) {
  const Value doc = rich_document();
  const SharedBuffer shared = shared_copy(encode(doc), /*misalign=*/1);
  const Value decoded = decode(shared.bytes, shared.owner);
  EXPECT_EQ(decoded, doc);
  const Tensor& f64 = decoded.as_map().find("tensors")->as_map().find("f64")->as_tensor();
  EXPECT_FALSE(f64.borrowed()) << "an unaligned double must never be handed out";
}

TEST(BinaryBackend, EncodesTheSamePayloadWhateverTheSinkHeldBefore) {
  std::string out = "xyz";
  StringSink sink(out);
  backend().encode(rich_document(), sink);
  EXPECT_EQ(out.substr(3), encode(rich_document()));
}

TEST(BinaryBackend, WritesTensorDataInOneUncopiedSinkWrite) {
  if constexpr (!kHostIsLittleEndian) GTEST_SKIP() << "big-endian hosts swap through a buffer";
  struct RecordingSink final : Sink {
    std::vector<std::pair<const void*, std::size_t>> writes;
    std::uint64_t size = 0;
    void write(const void* data, std::size_t n) override {
      writes.emplace_back(data, n);
      size += n;
    }
    [[nodiscard]] std::uint64_t position() const override { return size; }
  } sink;
  const Tensor big = Tensor::allocate(DType::kFloat64, {1000, 8});
  Map doc;
  doc.insert("big", big);
  backend().encode(doc, sink);
  const auto is_tensor_write = [&](const auto& w) {
    return w.first == big.data() && w.second == big.nbytes();
  };
  EXPECT_EQ(std::count_if(sink.writes.begin(), sink.writes.end(), is_tensor_write), 1);
}

TEST(BinaryBackend, KeepsDoubleBitPatterns) {
  const std::vector<std::uint64_t> bits = {
      0x8000000000000000,  // -0.0
      0x7FF8000000000123,  // quiet NaN with a payload
      0xFFF4000000000001,  // negative signalling NaN with a payload
      0x7FF0000000000000,  // +inf
      0xFFF0000000000000,  // -inf
      0x0000000000000001,  // smallest denormal
      0x800FFFFFFFFFFFFF,  // largest negative denormal
  };
  Array scalars;
  Tensor t = Tensor::allocate(DType::kFloat64, {bits.size()});
  for (std::size_t i = 0; i < bits.size(); ++i) {
    scalars.emplace_back(std::bit_cast<double>(bits[i]));
    t.mutable_data<double>()[i] = std::bit_cast<double>(bits[i]);
  }
  const Value decoded = decode(encode(Array{Value(std::move(scalars)), Value(t)}));
  const Array& out = decoded.as_array()[0].as_array();
  const auto values = decoded.as_array()[1].as_tensor().values<double>();
  for (std::size_t i = 0; i < bits.size(); ++i) {
    EXPECT_EQ(std::bit_cast<std::uint64_t>(out[i].as_double()), bits[i]) << i;
    EXPECT_EQ(std::bit_cast<std::uint64_t>(values[i]), bits[i]) << i;
  }
}

TEST(BinaryBackend, RefusesToEncodeInvalidUtf8) {
  EXPECT_THROW((void)encode(Value(std::string("ab\xC0\xAF"))), UsageError);
  Map m;
  m.insert(std::string("\xFF"), 1);
  EXPECT_THROW((void)encode(m), UsageError);
}

TEST(BinaryBackend, RejectsEveryTruncation) {
  const std::string payload = encode(small_document());
  for (std::size_t n = 0; n < payload.size(); ++n) {
    const SharedBuffer shared = shared_copy(payload.substr(0, n));
    EXPECT_THROW((void)decode(shared.bytes.first(n)), FormatError) << n << " bytes";
    EXPECT_THROW((void)decode(shared.bytes.first(n), shared.owner), FormatError) << n << " bytes";
  }
}

TEST(BinaryBackend, SurvivesEverySingleBitFlip) {
  const std::string payload = encode(small_document());
  std::size_t rejected = 0;
  for (std::size_t bit = 0; bit < payload.size() * 8; ++bit) {
    std::string flipped = payload;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    const SharedBuffer shared = shared_copy(flipped);
    try {
      (void)decode(shared.bytes, shared.owner);
    } catch (const FormatError&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0u);
}

TEST(BinaryBackend, RejectsEmptyPayload) {
  expect_format_error("", ErrorCode::kTruncated, 0);
}

TEST(BinaryBackend, RejectsUnknownFormatVersion) {
  expect_format_error("\x02\x00", ErrorCode::kMalformed, 0);
  expect_format_error(std::string("\x00\x00", 2), ErrorCode::kMalformed, 0);
}

TEST(BinaryBackend, RejectsUnknownTag) {
  expect_format_error(Payload().u8(kArray).u64(2).u8(kNull).u8(0x0B).bytes(), ErrorCode::kMalformed,
                      11);
}

TEST(BinaryBackend, RejectsTrailingBytes) {
  expect_format_error(Payload().u8(kNull).u8(kNull).bytes(), ErrorCode::kMalformed, 2);
}

TEST(BinaryBackend, RejectsTensorLongerThanPayload) {
  // A 1 KB payload whose tensor claims 2^40 float64 elements (8 TiB).
  Payload p;
  p.u8(kTensor).u8(1).u8(1).u64(std::uint64_t{1} << 40).pad();
  const std::size_t data_at = p.size();
  p.raw(std::string(1024 - p.size(), '\0'));
  expect_format_error(p.bytes(), ErrorCode::kTruncated, data_at);
  Limits generous;
  generous.max_tensor_elements = std::numeric_limits<std::uint64_t>::max();
  expect_format_error(p.bytes(), ErrorCode::kTruncated, data_at, generous);
}

TEST(BinaryBackend, RejectsTensorOverElementLimit) {
  Limits tight;
  tight.max_tensor_elements = 3;
  const std::string four =
      Payload().u8(kTensor).u8(5).u8(2).u64(2).u64(2).pad().raw("abcd").bytes();
  expect_format_error(four, ErrorCode::kLimitExceeded, 1, tight);
  // Empty, yet with a dimension no consumer could index.
  const std::string wide = Payload().u8(kTensor).u8(5).u8(2).u64(0).u64(4).pad().bytes();
  expect_format_error(wide, ErrorCode::kLimitExceeded, 1, tight);
}

TEST(BinaryBackend, RejectsShapeProductOverflow) {
  const std::uint64_t big = std::uint64_t{1} << 32;
  Payload p;
  p.u8(kTensor).u8(3).u8(3).u64(big).u64(big).u64(big).pad();
  expect_format_error(p.bytes(), ErrorCode::kMalformed, 1);
  // A zero dimension does not excuse the others.
  Payload q;
  q.u8(kTensor).u8(5).u8(2).u64(~std::uint64_t{0}).u64(0).pad();
  expect_format_error(q.bytes(), ErrorCode::kMalformed, 1);
}

TEST(BinaryBackend, RejectsRankOverLimit) {
  Payload p;
  p.u8(kTensor).u8(1).u8(9);
  for (int i = 0; i < 9; ++i) p.u64(1);
  p.pad().u64(0);
  expect_format_error(p.bytes(), ErrorCode::kLimitExceeded, 3);
}

TEST(BinaryBackend, RejectsUnknownDType) {
  expect_format_error(Payload().u8(kTensor).u8(6).u8(1).u64(1).pad().u64(0).bytes(),
                      ErrorCode::kMalformed, 2);
  expect_format_error(Payload().u8(kTensor).u8(0).u8(0).pad().u64(0).bytes(), ErrorCode::kMalformed,
                      2);
}

TEST(BinaryBackend, RejectsNonZeroPadding) {
  Payload p;
  p.u8(kTensor).u8(5).u8(1).u64(1).pad().u8(9);
  std::string bytes = p.bytes();
  bytes[40] = 1;
  expect_format_error(bytes, ErrorCode::kMalformed, 40);
}

TEST(BinaryBackend, RejectsArrayCountLargerThanPayload) {
  expect_format_error(Payload().u8(kArray).u64(std::uint64_t{1} << 60).u8(kNull).bytes(),
                      ErrorCode::kTruncated, 2);
  Limits generous;
  generous.max_container_entries = std::numeric_limits<std::uint64_t>::max();
  expect_format_error(Payload().u8(kArray).u64(std::uint64_t{1} << 60).u8(kNull).bytes(),
                      ErrorCode::kTruncated, 2, generous);
  // Each map entry needs at least nine bytes (key length and value tag).
  expect_format_error(Payload().u8(kMap).u64(2).str("a").u8(kNull).bytes(), ErrorCode::kTruncated,
                      2);
}

TEST(BinaryBackend, RejectsContainerCountOverLimit) {
  Limits tight;
  tight.max_container_entries = 2;
  expect_format_error(Payload().u8(kArray).u64(3).u8(0).u8(0).u8(0).bytes(),
                      ErrorCode::kLimitExceeded, 2, tight);
}

TEST(BinaryBackend, RejectsNestingDeeperThanLimit) {
  constexpr std::size_t kLevels = 100'000;
  Payload p;
  for (std::size_t i = 0; i < kLevels; ++i) p.u8(kArray).u64(1);
  p.u8(kNull);
  // The array at depth 65 starts after 64 nine-byte array headers.
  expect_format_error(p.bytes(), ErrorCode::kLimitExceeded, 1 + 9 * 64);
  Limits reckless;
  reckless.max_depth = 1'000'000;
  EXPECT_THROW((void)decode(p.bytes(), reckless), FormatError) << "recursion must stay bounded";
}

TEST(BinaryBackend, AcceptsNestingUpToTheLimit) {
  Limits limits;
  limits.max_depth = 3;
  const std::string ok =
      Payload().u8(kArray).u64(1).u8(kMap).u64(1).str("k").u8(kArray).u64(0).bytes();
  EXPECT_EQ(decode(ok, limits).as_array()[0].as_map().find("k")->as_array().size(), 0u);
  limits.max_depth = 2;
  expect_format_error(ok, ErrorCode::kLimitExceeded, 28, limits);
}

TEST(BinaryBackend, RejectsStringLongerThanPayload) {
  expect_format_error(Payload().u8(kString).u64(~std::uint64_t{0}).raw("abc").bytes(),
                      ErrorCode::kTruncated, 2);
  expect_format_error(Payload().u8(kBytes).u64(4).raw("abc").bytes(), ErrorCode::kTruncated, 2);
  expect_format_error(Payload().u8(kMap).u64(1).u64(100).u8(kNull).raw("abc").bytes(),
                      ErrorCode::kTruncated, 10);
}

TEST(BinaryBackend, RejectsStringOverLimit) {
  Limits tight;
  tight.max_string_bytes = 3;
  expect_format_error(Payload().u8(kString).str("abcd").bytes(), ErrorCode::kLimitExceeded, 2,
                      tight);
  expect_format_error(Payload().u8(kBytes).str("abcd").bytes(), ErrorCode::kLimitExceeded, 2,
                      tight);
}

TEST(BinaryBackend, RejectsInvalidUtf8) {
  // Offsets point at the first bad byte: version, tag and length take ten bytes.
  for (std::string_view bad : {"\x80", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
                               "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80", "\xE2\x82"}) {
    expect_format_error(Payload().u8(kString).str(std::string("ok") + std::string(bad)).bytes(),
                        ErrorCode::kMalformed, 12);
  }
  expect_format_error(Payload().u8(kMap).u64(1).str("\xFF").u8(kNull).bytes(),
                      ErrorCode::kMalformed, 18);
  EXPECT_EQ(decode(Payload().u8(kString).str("\xF4\x8F\xBF\xBF").bytes()).as_string(),
            "\U0010FFFF");
}

TEST(BinaryBackend, RejectsDuplicateMapKeys) {
  expect_format_error(Payload().u8(kMap).u64(2).str("k").u8(kNull).str("k").u8(kTrue).bytes(),
                      ErrorCode::kMalformed, 20);
}

TEST(BinaryBackend, DecodesSmallUnsignedAsInt) {
  // Value keeps uint64 only above INT64_MAX; a writer that used the uint tag for 5 still reads
  // back as the same document as one that used int.
  EXPECT_EQ(decode(Payload().u8(kUInt).u64(5).bytes()), Value(5));
  EXPECT_EQ(decode(Payload().u8(kDouble).u64(0x3FF0000000000000).bytes()), Value(1.0));
}

}  // namespace
}  // namespace mlpersist
