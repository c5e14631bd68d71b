#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mlpersist/backend_support.hpp>
#include <mlpersist/endian.hpp>
#include <string>
#include <vector>

namespace {

using namespace mlpersist;

TEST(BackendSupport, DTypeFromCodeKnowsExactlyTheFormatCodes) {
  EXPECT_FALSE(dtype_from_code(0).has_value());
  for (std::uint8_t code = 1; code <= 5; ++code)
    EXPECT_EQ(static_cast<std::uint8_t>(dtype_from_code(code).value()), code);
  EXPECT_FALSE(dtype_from_code(6).has_value());
  EXPECT_FALSE(dtype_from_code(255).has_value());
}

// Little-endian int32 elements 1, 2, 3 at byte `offset` of a buffer aligned to 8.
struct Buffer {
  explicit Buffer(std::size_t offset) : at(reinterpret_cast<std::byte*>(words->data()) + offset) {
    for (std::int32_t i = 0; i < 3; ++i) store_le(at + 4 * i, i + 1);
  }
  std::shared_ptr<std::array<std::uint64_t, 4>> words =
      std::make_shared<std::array<std::uint64_t, 4>>();
  std::byte* at;
};

TEST(BackendSupport, TensorFromLeBytesBorrowsAlignedOwnedBytes) {
  if constexpr (!kHostIsLittleEndian) GTEST_SKIP() << "big-endian hosts always copy";
  const Buffer buffer(4);
  const Tensor t = tensor_from_le_bytes(DType::kInt32, {3}, buffer.at, buffer.words);
  EXPECT_TRUE(t.borrowed());
  EXPECT_EQ(t.data(), buffer.at);
  EXPECT_EQ(
      std::vector<std::int32_t>(t.values<std::int32_t>().begin(), t.values<std::int32_t>().end()),
      (std::vector<std::int32_t>{1, 2, 3}));
}

TEST(BackendSupport, TensorFromLeBytesCopiesWithoutOwnerOrWhenMisaligned) {
  for (const std::size_t offset : {std::size_t{4}, std::size_t{1}}) {
    const Buffer buffer(offset);
    const Tensor t =
        tensor_from_le_bytes(DType::kInt32, {3}, buffer.at, offset == 4 ? nullptr : buffer.words);
    EXPECT_FALSE(t.borrowed()) << offset;
    EXPECT_EQ(t.values<std::int32_t>()[2], 3) << offset;
  }
}

struct CountingCheck final : LazyCheck {
  mutable int runs = 0;
  void run() const override { ++runs; }
};

TEST(BackendSupport, TensorFromLeBytesRunsTheCheckBeforeCopyingAndLazilyWhenBorrowing) {
  const Buffer buffer(0);
  auto copy_check = std::make_shared<CountingCheck>();
  (void)tensor_from_le_bytes(DType::kInt32, {3}, buffer.at, nullptr, copy_check);
  EXPECT_EQ(copy_check->runs, 1);
  if constexpr (kHostIsLittleEndian) {
    auto lazy = std::make_shared<CountingCheck>();
    const Tensor t = tensor_from_le_bytes(DType::kInt32, {3}, buffer.at, buffer.words, lazy);
    EXPECT_EQ(lazy->runs, 0);
    (void)t.data();
    EXPECT_EQ(lazy->runs, 1);
  }
}

TEST(BackendSupport, PayloadErrorsNameSourceOffsetsAndAdvice) {
  DecodeInput input;
  input.source = "m.bin";
  input.payload_offset = 64;
  try {
    throw_payload_error(input, "binary", 3, ErrorCode::kTruncated, "a short string");
    FAIL() << "did not throw";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kTruncated);
    EXPECT_EQ(std::string(e.what()).find("m.bin: invalid binary payload at byte 67 (payload byte "
                                         "3): a short string; the payload ends early"),
              0u)
        << e.what();
  }
  try {
    throw_payload_error(input, "json", 0, ErrorCode::kMalformed, "x", "do this");
    FAIL() << "did not throw";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("): x; do this"), std::string::npos) << e.what();
  }
}

// Records every Sink::write.
struct RecordingSink final : Sink {
  std::vector<std::pair<const void*, std::size_t>> writes;
  std::string bytes;
  void write(const void* data, std::size_t n) override {
    writes.emplace_back(data, n);
    bytes.append(static_cast<const char*>(data), n);
  }
  [[nodiscard]] std::uint64_t position() const override { return bytes.size(); }
};

TEST(BackendSupport, SinkWriterGathersSmallWritesAndPassesLargeTensorsUncopied) {
  RecordingSink sink;
  SinkWriter out(sink);
  for (int i = 0; i < 1000; ++i) out.put('a');
  out.write("bcd", 3);
  Tensor small = Tensor::allocate(DType::kUInt8, {SinkWriter::kDirectBytes - 1});
  Tensor large = Tensor::allocate(DType::kUInt8, {SinkWriter::kDirectBytes});
  std::memset(small.mutable_bytes(), 's', small.nbytes());
  std::memset(large.mutable_bytes(), 'l', large.nbytes());
  out.write_tensor_data(small);
  EXPECT_TRUE(sink.writes.empty());
  out.write_tensor_data(large);
  out.put('z');
  out.flush();
  EXPECT_EQ(out.offset(), 1000 + 3 + small.nbytes() + large.nbytes() + 1);
  EXPECT_EQ(sink.bytes, std::string(1000, 'a') + "bcd" + std::string(small.nbytes(), 's') +
                            std::string(large.nbytes(), 'l') + "z");
  // The buffered prefix, the large tensor in place, then the last byte.
  ASSERT_EQ(sink.writes.size(), 3u);
  if constexpr (kHostIsLittleEndian) {
    EXPECT_EQ(sink.writes[1].first, large.data());
  }
}

}  // namespace
