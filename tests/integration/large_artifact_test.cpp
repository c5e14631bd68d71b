// Large artifacts: container 2's chunk checksums, lazy verification of mapped tensors, copy
// loads that verify while they read, loads that borrow caller-owned bytes, and saves that never
// copy the payload (peak heap counted by allocation_counter.cpp).

#include <gtest/gtest.h>

#include <fstream>
#include <mlpersist/endian.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <sstream>

#include "allocation_counter.hpp"
#include "test_support.hpp"

namespace {

using namespace mlpersist;
namespace fs = std::filesystem;

constexpr Eigen::Index kRows = 400'000;  // 400,000 x 8 float64: 25.6 MB, 98 chunks
constexpr Eigen::Index kCols = 8;
constexpr std::size_t kMatrixBytes = static_cast<std::size_t>(kRows * kCols) * sizeof(double);

const Matrix& training_matrix() {
  static const Matrix x = [] {
    Matrix m(kRows, kCols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<double>(i % 997) / 13;
    return m;
  }();
  return x;
}

const Estimator& large_knn() {
  static const std::shared_ptr<Estimator> knn = [] {
    auto e = test::registry().create("neighbors.KNeighborsClassifier");
    Vector y(kRows);
    for (Eigen::Index i = 0; i < kRows; ++i) y(i) = static_cast<double>(i % 3);
    e->fit(training_matrix(), y);
    return e;
  }();
  return *knn;
}

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

Header header_of(const std::string& bytes) {
  return read_header(std::as_bytes(std::span(bytes.data(), bytes.size())), "<test>", {});
}

// A byte in the middle of the training matrix: its chunk holds nothing but tensor data.
std::size_t tensor_byte(const Header& h) {
  return h.payload_offset + h.payload_size / 2;
}

Matrix queries() {
  return training_matrix().topRows(5);
}

TEST(LargeArtifact, TrailerHasOneChecksumPerChunk) {
  const auto file = test::temp_dir() / "knn.bin";
  dump(test::registry(), large_knn(), file);
  const std::string bytes = read_bytes(file);
  const Header h = header_of(bytes);
  EXPECT_EQ(h.container_version, 2);
  EXPECT_GT(h.payload_size, kMatrixBytes);
  const std::uint64_t chunks = (h.payload_size + kChunkSize - 1) / kChunkSize;
  EXPECT_EQ(chunk_count(2, h.payload_size), chunks);
  EXPECT_EQ(bytes.size(), h.payload_offset + h.payload_size + 8 * chunks + 8);
  const auto payload = std::as_bytes(std::span(bytes.data() + h.payload_offset, h.payload_size));
  EXPECT_EQ(bytes.substr(h.payload_offset + h.payload_size), write_trailer(payload));
}

TEST(LargeArtifact, FileStreamAndBytesSavesWriteTheSamePayload) {
  const auto dir = test::temp_dir();
  dump(test::registry(), large_knn(), dir / "knn.bin");
  std::ostringstream stream;
  dump(test::registry(), large_knn(), stream);
  const std::string from_file = read_bytes(dir / "knn.bin");
  const std::string streamed = stream.str();
  const std::string in_memory = dumps(test::registry(), large_knn());
  for (const std::string* other : {&streamed, &in_memory}) {
    // created_at may differ by a second, so compare what follows the header.
    const Header a = header_of(from_file);
    const Header b = header_of(*other);
    EXPECT_EQ(from_file.substr(a.payload_offset), other->substr(b.payload_offset));
  }
}

// Text formats encode a bytes save once, into pieces joined at the end (no sizing pass).
TEST(LargeArtifact, JsonBytesSaveWritesTheSamePayloadAsAFileSave) {
  const auto file = test::temp_dir() / "knn.json";
  dump(test::registry(), large_knn(), file, {.format = "json"});
  const std::string from_file = read_bytes(file);
  const std::string in_memory = dumps(test::registry(), large_knn(), {.format = "json"});
  ASSERT_GT(in_memory.size(), std::size_t{32} << 20) << "spans ten pieces, 64 KiB to 32 MiB";
  const Header a = header_of(from_file);
  const Header b = header_of(in_memory);
  EXPECT_EQ(a.payload_size, b.payload_size);
  EXPECT_EQ(from_file.substr(a.payload_offset), in_memory.substr(b.payload_offset));
  const auto loaded = loads(test::registry(), in_memory);
  EXPECT_EQ(loaded->predict(queries()), large_knn().predict(queries()));
}

TEST(LargeArtifact, MappedLoadVerifiesATensorOnItsFirstAccess) {
  const auto file = test::temp_dir() / "knn.bin";
  dump(test::registry(), large_knn(), file);
  std::string bytes = read_bytes(file);
  const Header h = header_of(bytes);
  bytes[tensor_byte(h)] ^= 0x10;
  write_bytes(file, bytes);

  // Mapped: the structure verifies, so the load succeeds; the first predict reads the matrix.
  const auto model = load(test::registry(), file);
  try {
    (void)model->predict(queries());
    ADD_FAILURE() << "predicted with an altered training matrix";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kChecksumMismatch);
    const std::uint64_t chunk = (tensor_byte(h) - h.payload_offset) / kChunkSize;
    const std::string range = "bytes " + std::to_string(h.payload_offset + chunk * kChunkSize);
    EXPECT_NE(std::string(e.what()).find(range), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
  }
  // Every later access fails again rather than using the bytes.
  EXPECT_THROW((void)model->predict(queries()), FormatError);

  // Eager verification refuses the file at load, mapped or copied.
  EXPECT_THROW((void)load(test::registry(), file, {.lazy_verification = false}), FormatError);
  EXPECT_THROW((void)load(test::registry(), file, {.mmap = false}), FormatError);
}

TEST(LargeArtifact, MappedLoadVerifiesTheStructureBeforeDecodingIt) {
  const auto file = test::temp_dir() / "knn.bin";
  dump(test::registry(), large_knn(), file);
  std::string bytes = read_bytes(file);
  bytes[header_of(bytes).payload_offset + 1] ^= 0x01;  // the root map's tag
  write_bytes(file, bytes);
  try {
    (void)load(test::registry(), file);
    ADD_FAILURE() << "a mapped load decoded an altered structure";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kChecksumMismatch) << e.what();
  }
}

TEST(LargeArtifact, MappedTensorsBorrowTheFileAndDeferOnlyTheirOwnChecks) {
  const auto file = test::temp_dir() / "knn.bin";
  dump(test::registry(), large_knn(), file);
  const Document doc = read_document(test::registry(), file);
  const Map& state = doc.root.as_map().find("state")->as_map();
  const Tensor& fit_x = state.find("_fit_X")->as_tensor();
  EXPECT_TRUE(fit_x.borrowed());
  EXPECT_TRUE(fit_x.has_lazy_check());
  // classes_ sits in the first chunk, verified with the structure before it.
  EXPECT_FALSE(state.find("classes_")->as_tensor().has_lazy_check());
  EXPECT_TRUE((fit_x.matrix<double>().array() == training_matrix().array()).all());
}

TEST(LargeArtifact, MappedAndCopiedLoadsPredictBitIdentically) {
  const auto file = test::temp_dir() / "knn.bin";
  dump(test::registry(), large_knn(), file);
  const Matrix expected = large_knn().predict_proba(queries());
  for (const bool mmap : {true, false}) {
    const auto model = load(test::registry(), file, {.mmap = mmap});
    EXPECT_TRUE(test::bit_identical(model->predict_proba(queries()), expected)) << mmap;
  }
}

TEST(LargeArtifact, LoadsFromSharedBytesBorrowThemWithoutACopy) {
  const auto bytes = std::make_shared<const std::string>(dumps(test::registry(), large_knn()));
  const auto span = std::as_bytes(std::span(bytes->data(), bytes->size()));
  test::reset_peak_heap();
  const std::size_t before = test::current_heap_bytes();
  const auto model = loads(test::registry(), span, bytes);
  EXPECT_LT(test::peak_heap_bytes() - before, kMatrixBytes / 10) << "the tensors were copied";
  EXPECT_GT(bytes.use_count(), 1) << "the model's tensors keep the bytes alive";
  EXPECT_TRUE(
      test::bit_identical(model->predict_proba(queries()), large_knn().predict_proba(queries())));
  std::string altered = *bytes;
  altered[tensor_byte(header_of(altered))] ^= 0x01;
  const auto owned = std::make_shared<const std::string>(std::move(altered));
  EXPECT_THROW(
      (void)loads(test::registry(), std::as_bytes(std::span(owned->data(), owned->size())), owned),
      FormatError)
      << "bytes are verified before decoding";
}

// Saving never holds a second copy of the payload: a file save allocates a few MiB at most,
// and dumps only its result.
TEST(LargeArtifact, SavesDoNotCopyThePayload) {
  const auto file = test::temp_dir() / "knn.bin";
  const Estimator& model = large_knn();
  dump(test::registry(), model, file);  // first use: plugin code and caches are warm
  test::reset_peak_heap();
  std::size_t before = test::current_heap_bytes();
  dump(test::registry(), model, file);
  EXPECT_LT(test::peak_heap_bytes() - before, std::size_t{4} << 20);

  test::reset_peak_heap();
  before = test::current_heap_bytes();
  const std::string bytes = dumps(test::registry(), model);
  EXPECT_LT(test::peak_heap_bytes() - before, bytes.size() + (std::size_t{4} << 20));
}

// A copy load holds the file once; verification runs on it in place.
TEST(LargeArtifact, CopyLoadHoldsTheFileOnce) {
  const auto file = test::temp_dir() / "knn.bin";
  dump(test::registry(), large_knn(), file);
  (void)load(test::registry(), file, {.mmap = false});
  test::reset_peak_heap();
  const std::size_t before = test::current_heap_bytes();
  const auto model = load(test::registry(), file, {.mmap = false});
  const std::size_t file_size = fs::file_size(file);
  EXPECT_LT(test::peak_heap_bytes() - before, file_size + file_size / 10 + (std::size_t{16} << 20));
}

// loads(bytes) of a large binary or msgpack artifact copies it once, hashing on a second thread
// as it copies, and the tensors borrow that copy: the caller's bytes may go right after.
TEST(LargeArtifact, CopyLoadFromBytesHoldsTheArtifactOnceAndOwnsIt) {
  const Matrix expected = large_knn().predict_proba(queries());
  for (const char* format : {"binary", "msgpack"}) {
    auto bytes =
        std::make_unique<std::string>(dumps(test::registry(), large_knn(), {.format = format}));
    (void)loads(test::registry(), *bytes);
    test::reset_peak_heap();
    const std::size_t before = test::current_heap_bytes();
    const auto model = loads(test::registry(), *bytes);
    const std::size_t size = bytes->size();
    EXPECT_LT(test::peak_heap_bytes() - before, size + size / 10 + (std::size_t{16} << 20))
        << format;
    bytes.reset();
    EXPECT_TRUE(test::bit_identical(model->predict_proba(queries()), expected)) << format;
  }
}

TEST(LargeArtifact, CopyLoadFromBytesVerifiesWhileItCopies) {
  for (const char* format : {"binary", "msgpack"}) {
    std::string bytes = dumps(test::registry(), large_knn(), {.format = format});
    bytes[tensor_byte(header_of(bytes))] ^= 0x04;
    try {
      (void)loads(test::registry(), bytes);
      ADD_FAILURE() << format << ": loaded an altered tensor";
    } catch (const FormatError& e) {
      EXPECT_EQ(e.code(), ErrorCode::kChecksumMismatch) << format << ": " << e.what();
    }
  }
}

// The first access of a large mapped tensor verifies its chunks on every core; with two
// altered chunks, the error names the first, as a pass in order would.
TEST(LargeArtifact, FirstAccessOfALargeTensorNamesTheFirstAlteredChunk) {
  const auto file = test::temp_dir() / "knn.bin";
  dump(test::registry(), large_knn(), file);
  std::string bytes = read_bytes(file);
  const Header h = header_of(bytes);
  const std::size_t early = h.payload_offset + h.payload_size / 4;
  bytes[early] ^= 0x01;
  bytes[h.payload_offset + h.payload_size * 3 / 4] ^= 0x01;
  write_bytes(file, bytes);
  const Document doc = read_document(test::registry(), file);
  const Tensor& fit_x = doc.root.as_map().find("state")->as_map().find("_fit_X")->as_tensor();
  try {
    (void)fit_x.data();
    ADD_FAILURE() << "read an altered tensor";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kChecksumMismatch);
    const std::uint64_t chunk = (early - h.payload_offset) / kChunkSize;
    const std::string range = "bytes " + std::to_string(h.payload_offset + chunk * kChunkSize);
    EXPECT_NE(std::string(e.what()).find(range), std::string::npos) << e.what();
  }
}

// Container 1 (one checksum of the whole payload) is still read: the golden fixtures.
TEST(LargeArtifact, ContainerOneFilesStillLoad) {
  const fs::path golden =
      test::data_dir().parent_path() / "fixtures" / "schema-v1" / "svc_iris.binary.mlp";
  const std::string bytes = read_bytes(golden);
  ASSERT_EQ(header_of(bytes).container_version, 1);
  const Dataset iris = test::load_dataset("iris");
  for (const bool mmap : {true, false}) {
    const auto model = load(test::registry(), golden, {.mmap = mmap});
    EXPECT_EQ(model->predict(iris.X).size(), iris.X.rows());
  }
  std::string altered = bytes;
  altered[header_of(bytes).payload_offset + 100] ^= 0x04;
  EXPECT_THROW((void)loads(test::registry(), altered), FormatError);
}

}  // namespace

namespace {

// What a progress callback heard: every call's done, and the last total.
struct Heard {
  std::vector<std::uint64_t> done;
  std::uint64_t total = 0;
  ProgressFn fn() {
    return [this](std::uint64_t d, std::uint64_t t) {
      done.push_back(d);
      total = t;
    };
  }
};

TEST(LargeArtifact, SavesAndCopyLoadsReportBytesUpToTheArtifactSize) {
  const auto file = test::temp_dir() / "knn.bin";
  for (const std::string format : {"binary", "json"}) {
    Heard saved;
    dump(test::registry(), large_knn(), file, {.format = format, .progress = saved.fn()});
    const std::uint64_t size = fs::file_size(file);
    ASSERT_GT(saved.done.size(), 1u) << format << ": large blocks are reported in slices";
    EXPECT_TRUE(std::is_sorted(saved.done.begin(), saved.done.end())) << format;
    EXPECT_EQ(saved.done.back(), size) << format;
    // Binary sizes its payload for free; JSON would have to encode it twice to know.
    EXPECT_EQ(saved.total, format == "binary" ? size : 0) << format;
  }
  Heard read;
  (void)load(test::registry(), file, {.mmap = false, .progress = read.fn()});
  ASSERT_FALSE(read.done.empty());
  EXPECT_TRUE(std::is_sorted(read.done.begin(), read.done.end()));
  EXPECT_EQ(read.done.back(), fs::file_size(file));
  EXPECT_EQ(read.total, fs::file_size(file));
}

// convert and migrate rewrite a decoded document: they report their bytes like a save.
TEST(LargeArtifact, RewritingADocumentReportsItsBytes) {
  const auto dir = test::temp_dir();
  dump(test::registry(), large_knn(), dir / "knn.bin");
  const Document doc = read_document(test::registry(), dir / "knn.bin");
  Heard written;
  write_document(test::registry(), doc, "msgpack", dir / "knn.msgpack", written.fn());
  const std::uint64_t size = fs::file_size(dir / "knn.msgpack");
  ASSERT_GT(written.done.size(), 1u);
  EXPECT_TRUE(std::is_sorted(written.done.begin(), written.done.end()));
  EXPECT_EQ(written.done.back(), size);
  EXPECT_EQ(written.total, size);
}

}  // namespace
