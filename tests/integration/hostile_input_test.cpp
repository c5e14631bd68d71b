// Crafted artifacts, each a valid envelope (correct checksums: an attacker computes them too)
// around a hostile payload, in every backend. Each must be refused with a clear error naming
// the source and the byte offset or document path, while the heap stays small whatever the
// file claims.

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <mlpersist/endian.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <numeric>
#include <sstream>

#include "allocation_counter.hpp"
#include "test_support.hpp"

namespace {

using namespace mlpersist;
namespace fs = std::filesystem;

// The heap one refused load may take above what the process held before it (error messages,
// the decoder's frames, an exception): far below anything a claimed size could cost.
constexpr std::size_t kHeapBudget = 512 << 10;
constexpr std::int64_t kTwoTo20 = std::int64_t{1} << 20;
constexpr std::int64_t kTwoTo40 = std::int64_t{1} << 40;
constexpr int kDeepLevels = 100'000;
// Placeholders the tests find in an encoded payload and overwrite.
const std::vector<std::int64_t> kPlaceholderShape{7, 13};
constexpr std::string_view kPlaceholderText = "PLACEHOLDER_TXT!";

std::uint32_t svc_version() {
  return test::registry().find_type("svm.SVC")->schema_version;
}

std::string wrap(const std::string& backend, std::string_view payload) {
  Header h;
  h.backend = backend;
  h.type_tag = "svm.SVC";
  h.schema_version = svc_version();
  h.types["svm.SVC"] = svc_version();
  return test::craft_artifact(h, payload);
}

// A typed SVC document whose state holds `hostile`: decoding fails before any estimator code.
Value document_with(Value hostile) {
  return Map{}
      .insert("type", "svm.SVC")
      .insert("schema_version", svc_version())
      .insert("params", Map{})
      .insert("n_features_in_", 4)
      .insert("state", Map{}.insert("x", std::move(hostile)));
}

Tensor placeholder_tensor() {
  Tensor t = Tensor::allocate(DType::kFloat64, {7, 13});
  std::fill_n(t.mutable_data<double>(), 7 * 13, 0.0);
  return t;
}

void replace_once(std::string& bytes, const std::string& from, const std::string& to) {
  const auto at = bytes.find(from);
  ASSERT_NE(at, std::string::npos) << "placeholder not found";
  ASSERT_EQ(bytes.find(from, at + 1), std::string::npos) << "placeholder not unique";
  bytes.replace(at, from.size(), to);
}

// How a tensor's dtype and shape are spelled in a payload: dtype code, rank and little-endian
// u64 dimensions in binary and msgpack alike, a JSON array in json.
std::string shape_spelling(const std::string& backend, std::uint8_t dtype,
                           const std::vector<std::int64_t>& dims) {
  if (backend == "json") {
    std::string s = "\"shape\":[";
    for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
    return s + "]";
  }
  std::string s{static_cast<char>(dtype), static_cast<char>(dims.size())};
  for (std::int64_t d : dims) {
    std::array<std::byte, 8> le{};
    store_le<std::uint64_t>(le.data(), static_cast<std::uint64_t>(d));
    s.append(reinterpret_cast<const char*>(le.data()), le.size());
  }
  return s;
}

// A payload whose placeholder tensor claims `dims` (and `dtype`, where the format has a code).
std::string tensor_claiming(const std::string& backend, const std::vector<std::int64_t>& dims,
                            std::uint8_t dtype = 1) {
  std::string payload = test::encode_payload(backend, document_with(placeholder_tensor()));
  replace_once(payload, shape_spelling(backend, 1, kPlaceholderShape),
               shape_spelling(backend, dtype, dims));
  return payload;
}

// A payload whose placeholder text is replaced by `text` of the same length.
std::string text_replaced(const std::string& backend, const Value& document,
                          const std::string& text) {
  std::string payload = test::encode_payload(backend, document);
  replace_once(payload, std::string(kPlaceholderText), text);
  return payload;
}

struct Refusal {
  std::string message;
  ErrorCode code{};
  std::size_t heap = 0;
};

// Loads `bytes`, expecting an mlpersist::Error; reports it and the peak heap the attempt took.
Refusal load_hostile(const std::string& bytes, const LoadOptions& options = {}) {
  test::reset_peak_heap();
  const std::size_t before = test::current_heap_bytes();
  try {
    (void)loads(test::registry(), bytes, options);
  } catch (const Error& e) {
    return {e.what(), e.code(), test::peak_heap_bytes() - before};
  }
  ADD_FAILURE() << "a hostile artifact loaded";
  return {};
}

// `expected` maps each backend to the code it must refuse with.
void expect_refused(const std::string& attack, const std::map<std::string, ErrorCode>& expected,
                    const std::function<std::string(const std::string&)>& payload,
                    const LoadOptions& options = {}) {
  for (const auto& [backend, code] : expected) {
    SCOPED_TRACE(attack + " in " + backend);
    const std::string bytes = wrap(backend, payload(backend));
    const Refusal r = load_hostile(bytes, options);
    EXPECT_EQ(r.code, code) << r.message;
    EXPECT_NE(r.message.find("<bytes>"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("byte "), std::string::npos) << r.message;
    EXPECT_LT(r.heap, kHeapBudget) << r.message;
    std::cout << "[peak heap] " << attack << ", " << backend << ": " << bytes.size()
              << "-byte artifact, " << r.heap << " bytes, " << to_string(r.code) << '\n';
  }
}

std::map<std::string, ErrorCode> all(ErrorCode code) {
  return {{"binary", code}, {"json", code}, {"msgpack", code}};
}

TEST(AllocationCounter, SeesAllocationsInTheFrameworkAndThePlugins) {
  // Loading the plugins (the store plugins' database libraries among them) allocates what
  // stays for the process's lifetime: load them before counting.
  (void)test::registry();
  test::reset_peak_heap();
  const std::size_t before = test::current_heap_bytes();
  {
    const Tensor t = Tensor::allocate(DType::kFloat64, {1 << 17});  // 1 MiB, framework
    const std::string payload = test::encode_payload("binary", Value(t));
    (void)test::decode_payload("binary", payload);  // another 1 MiB, in the binary plugin
  }
  EXPECT_GE(test::peak_heap_bytes() - before, std::size_t{3} << 20);
  EXPECT_LT(test::current_heap_bytes(), before + (64 << 10));
}

TEST(HostileArtifact, ClaimingTwoToThe40ElementsInOneKilobyte) {
  const std::string bytes = wrap("binary", tensor_claiming("binary", {kTwoTo20, kTwoTo20}));
  EXPECT_LT(bytes.size(), 1200u);
  expect_refused("2^40 elements",
                 {{"binary", ErrorCode::kTruncated},
                  {"json", ErrorCode::kLimitExceeded},
                  {"msgpack", ErrorCode::kLimitExceeded}},
                 [](const std::string& b) {
                   return tensor_claiming(b, {kTwoTo20, kTwoTo20});
                 });
  // Under the element limit the bytes that remain refuse it.
  expect_refused("2^34 elements",
                 {{"binary", ErrorCode::kTruncated},
                  {"json", ErrorCode::kTruncated},
                  {"msgpack", ErrorCode::kMalformed}},
                 [](const std::string& b) {
                   return tensor_claiming(b, {1 << 17, 1 << 17});
                 });
}

TEST(HostileArtifact, NegativeZeroAndOverflowingShapes) {
  expect_refused("negative dimension",
                 {{"binary", ErrorCode::kMalformed},
                  {"json", ErrorCode::kMalformed},
                  {"msgpack", ErrorCode::kLimitExceeded}},
                 [](const std::string& b) {
                   return tensor_claiming(b, {-1, 13});
                 });
  // Empty, yet with a dimension no consumer could index.
  expect_refused("zero dimension beside 2^40", all(ErrorCode::kLimitExceeded),
                 [](const std::string& b) {
                   return tensor_claiming(b, {0, kTwoTo40});
                 });
  expect_refused("product over 2^64",
                 {{"binary", ErrorCode::kMalformed},
                  {"json", ErrorCode::kLimitExceeded},
                  {"msgpack", ErrorCode::kLimitExceeded}},
                 [](const std::string& b) {
                   return tensor_claiming(b, {kTwoTo40, kTwoTo40});
                 });
}

TEST(HostileArtifact, DTypeTimesShapeDisagreesWithTheData) {
  // float32 of (7, 13) is half the float64 data that follows; json spells its data out, so
  // there a shape that needs more elements than are written is the same lie.
  expect_refused(
      "dtype x shape != data",
      {{"binary", ErrorCode::kMalformed},
       {"json", ErrorCode::kMalformed},
       {"msgpack", ErrorCode::kMalformed}},
      [](const std::string& b) {
        return b == "json" ? tensor_claiming(b, {7, 14}) : tensor_claiming(b, {7, 13}, 2);
      });
}

std::string deep_nesting(const std::string& backend) {
  if (backend == "json") return std::string(kDeepLevels, '[') + "0" + std::string(kDeepLevels, ']');
  if (backend == "msgpack") return std::string(kDeepLevels, '\x91') + '\xc0';
  std::string one_element_array("\x08\x01\0\0\0\0\0\0\0", 9);
  std::string payload("\x01");
  for (int i = 0; i < kDeepLevels; ++i) payload += one_element_array;
  return payload + '\0';
}

TEST(HostileArtifact, HundredThousandDeepNesting) {
  expect_refused("100,000-deep nesting", all(ErrorCode::kLimitExceeded), deep_nesting);
  // Raising the limit does not let the recursion that trees need run off the stack.
  LoadOptions reckless;
  reckless.limits.max_depth = 1'000'000;
  expect_refused("100,000-deep nesting, max_depth 10^6", all(ErrorCode::kLimitExceeded),
                 deep_nesting, reckless);
}

TEST(HostileArtifact, HugeStringLengths) {
  const Value doc = document_with(std::string(kPlaceholderText));
  const std::string text(kPlaceholderText);
  // Claimed lengths far beyond the bytes (json has no length prefix to lie with).
  expect_refused("string claiming 2^62 bytes", {{"binary", ErrorCode::kTruncated}},
                 [&](const std::string& b) {
                   std::string payload = test::encode_payload(b, doc);
                   std::string length(8, '\0'), huge(8, '\0');
                   store_le<std::uint64_t>(reinterpret_cast<std::byte*>(length.data()), 16);
                   store_le<std::uint64_t>(reinterpret_cast<std::byte*>(huge.data()), 1ull << 62);
                   replace_once(payload, length + text, huge + text);
                   return payload;
                 });
  expect_refused("str32 claiming 4 GiB", {{"msgpack", ErrorCode::kTruncated}},
                 [&](const std::string& b) {
                   std::string payload = test::encode_payload(b, doc);
                   replace_once(payload, '\xb0' + text, "\xdb\xff\xff\xff\xf0" + text);
                   return payload;
                 });
  // Present, but over the limit.
  LoadOptions small;
  small.limits.max_string_bytes = 1024;
  expect_refused(
      "4 KiB string over a 1 KiB limit", all(ErrorCode::kLimitExceeded),
      [](const std::string& b) {
        return test::encode_payload(b, document_with(std::string(4096, 'x')));
      },
      small);
}

TEST(HostileArtifact, DuplicateMapKeys) {
  const Value doc =
      document_with(Map{}.insert("PLACEHOLDER_TXT?", 1).insert(std::string(kPlaceholderText), 2));
  expect_refused("duplicate key", all(ErrorCode::kMalformed),
                 [&](const std::string& b) { return text_replaced(b, doc, "PLACEHOLDER_TXT?"); });
}

TEST(HostileArtifact, InvalidUtf8) {
  const Value doc = document_with(std::string(kPlaceholderText));
  expect_refused("invalid UTF-8", all(ErrorCode::kMalformed), [&](const std::string& b) {
    return text_replaced(b, doc, "PLACEHOLDER_\xff\xfe\xc0!");
  });
}

TEST(HostileArtifact, MoreValuesThanTheLimit) {
  LoadOptions small;
  small.limits.max_values = 1000;
  expect_refused(
      "2,000 values over a limit of 1,000", all(ErrorCode::kLimitExceeded),
      [](const std::string& b) {
        return test::encode_payload(b, document_with(Array(2000, Value(0))));
      },
      small);
}

// A prelude around any header text, with a correct checksum (the layout in envelope.hpp).
std::string frame_header(const std::string& text) {
  std::string bytes(kPreludeSize, '\0');
  auto* p = reinterpret_cast<std::byte*>(bytes.data());
  std::memcpy(p, kMagic.data(), kMagic.size());
  store_le<std::uint16_t>(p + 8, kContainerVersion);
  store_le<std::uint16_t>(p + 10, kContainerVersion);
  store_le<std::uint32_t>(p + 12, static_cast<std::uint32_t>(text.size()));
  store_le<std::uint64_t>(p + 16, (kPreludeSize + text.size() + 63) / 64 * 64);
  const std::string checked = bytes.substr(0, 32) + text;
  store_le<std::uint64_t>(p + 32,
                          checksum64(std::as_bytes(std::span(checked.data(), checked.size()))));
  return bytes + text;
}

TEST(HostileArtifact, HeaderClaimingAHugePayload) {
  Header h;
  h.backend = "binary";
  h.type_tag = "svm.SVC";
  h.types["svm.SVC"] = svc_version();
  const Refusal r = load_hostile(write_header(h, 1ull << 40) + std::string(1000, '\0'));
  EXPECT_EQ(r.code, ErrorCode::kTruncated) << r.message;
  EXPECT_LT(r.heap, kHeapBudget) << r.message;
}

TEST(HostileArtifact, HeaderNestedHundredThousandDeep) {
  const std::string text = R"({"backend":"binary","type":"svm.SVC","metadata":)" +
                           std::string(kDeepLevels, '[') + std::string(kDeepLevels, ']') + "}";
  const std::string bytes = frame_header(text);
  test::reset_peak_heap();
  const std::size_t before = test::current_heap_bytes();
  try {
    (void)read_header(std::as_bytes(std::span(bytes.data(), bytes.size())), "<bytes>", {});
    FAIL() << "a 100,000-deep header parsed";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kLimitExceeded) << e.what();
    // Inside the root object the 65th '[' is an array at depth 65, one past the limit.
    const std::string at = "at byte " + std::to_string(text.find('[') + 64);
    EXPECT_NE(std::string(e.what()).find(at), std::string::npos) << e.what();
  }
  EXPECT_LT(test::peak_heap_bytes() - before, kHeapBudget);
}

// Schema-level lies: the payload decodes, the estimator's loader refuses it.
void expect_schema_refusal(const std::string& what, const std::function<void(Map&)>& edit,
                           const std::string& blamed) {
  const Dataset iris = test::load_dataset("iris");
  auto svc = test::registry().create("svm.SVC");
  svc->fit(iris.X, iris.y);
  const fs::path dir = test::temp_dir();
  dump(test::registry(), *svc, dir / "svc.bin");
  Document doc = read_document(test::registry(), dir / "svc.bin");
  edit(doc.root.as_map());
  for (const std::string& backend : test::backend_names()) {
    SCOPED_TRACE(what + " in " + backend);
    const fs::path file = dir / ("edited." + backend);
    write_document(test::registry(), doc, backend, file);
    try {
      (void)load(test::registry(), file);
      ADD_FAILURE() << "loaded";
    } catch (const SchemaError& e) {
      EXPECT_NE(std::string(e.what()).find("'" + blamed + "'"), std::string::npos) << e.what();
    }
  }
}

TEST(HostileArtifact, FloatWhereAnIntegerIsRequired) {
  expect_schema_refusal(
      "n_features_in_ = 4.0", [](Map& root) { *root.find("n_features_in_") = Value(4.0); },
      "n_features_in_");
  expect_schema_refusal(
      "params.degree = 3.5",
      [](Map& root) { *root.find("params")->as_map().find("degree") = Value(3.5); }, "params");
}

TEST(HostileArtifact, IntegerOverflowingItsTarget) {
  expect_schema_refusal(
      "n_features_in_ = 2^40", [](Map& root) { *root.find("n_features_in_") = Value(kTwoTo40); },
      "n_features_in_");
  expect_schema_refusal(
      "params.degree = 2^40",
      [](Map& root) { *root.find("params")->as_map().find("degree") = Value(kTwoTo40); }, "params");
  expect_schema_refusal(
      "schema_version = 2^40", [](Map& root) { *root.find("schema_version") = Value(kTwoTo40); },
      "schema_version");
}

// Counts whose sum wraps around modulo 2^64 to the real number of support vectors: every shape
// check would pass, and predict would slice blocks near 2^63 (issue 16).
TEST(HostileArtifact, CountsWhoseSumWrapsAround) {
  expect_schema_refusal(
      "n_support_ wraps to the support vector count",
      [](Map& root) {
        Value& counts = *root.find("state")->as_map().find("n_support_");
        const auto real = counts.as_tensor().values<std::int64_t>();
        const std::int64_t n_sv = std::accumulate(real.begin(), real.end(), std::int64_t{0});
        constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
        const std::vector<std::int64_t> wrapped{kMax, kMax, n_sv + 2};
        counts = Tensor::from_values(std::span<const std::int64_t>(wrapped));
      },
      "state.n_support_");
}

TEST(HostileArtifact, StreamsAreReadNoFurtherThanTheyGo) {
  // A header that declares a 1 TiB payload, over a stream of 1 KB: read_exact grows its buffer
  // only as bytes arrive.
  Header h;
  h.backend = "binary";
  h.type_tag = "svm.SVC";
  h.types["svm.SVC"] = 1;
  std::string bytes = write_header(h, 1ull << 40) + std::string(1000, '\0');
  std::istringstream in(bytes);
  test::reset_peak_heap();
  const std::size_t before = test::current_heap_bytes();
  try {
    (void)load(test::registry(), in);
    FAIL() << "loaded";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kTruncated) << e.what();
  }
  EXPECT_LT(test::peak_heap_bytes() - before, std::size_t{3} << 20);  // one 1 MiB read chunk
}

}  // namespace
