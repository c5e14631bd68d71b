// The container: routing by header, bad input with distinct, clear errors.
#include <gtest/gtest.h>

#include <fstream>
#include <mlpersist/endian.hpp>
#include <mlpersist/envelope.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <sstream>

#include "test_support.hpp"

namespace {

using namespace mlpersist;
namespace fs = std::filesystem;

std::shared_ptr<Estimator> fitted() {
  const Dataset d = test::load_dataset("iris");
  auto svc = test::registry().create("svm.SVC");
  svc->fit(d.X, d.y);
  return svc;
}

// Runs loads() on `bytes`, expecting `E` with `code` and a message containing `needle`.
template <class E>
void expect_load_error(const std::string& bytes, ErrorCode code, const std::string& needle) {
  try {
    (void)loads(test::registry(), bytes);
    FAIL() << "loaded bad input; expected " << to_string(code);
  } catch (const E& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Routing, EveryBackendLoadsWithNoFormatHint) {
  const auto svc = fitted();
  for (const std::string& format : test::backend_names()) {
    const std::string bytes = dumps(test::registry(), *svc, {.format = format});
    const Header h = read_header(std::as_bytes(std::span(bytes.data(), bytes.size())), "<mem>", {});
    EXPECT_EQ(h.backend, format);
    EXPECT_EQ(h.payload_offset % kPayloadAlignment, 0u);
    EXPECT_EQ(loads(test::registry(), bytes)->type_tag(), "svm.SVC") << format;
  }
}

// A header larger than the save's 32 KiB write buffer goes out on its own; the payload after it
// must still be hashed and laid out exactly, by every save path.
TEST(Routing, LargeHeadersRoundTripByEverySavePath) {
  const auto svc = fitted();
  const SaveOptions save{.metadata = Map{}.insert("notes", std::string(100'000, 'n'))};
  const Dataset d = test::load_dataset("iris");
  const auto check = [&](const std::shared_ptr<Estimator>& loaded, const std::string& how) {
    EXPECT_EQ(loaded->predict(d.X), svc->predict(d.X)) << how;
  };
  const std::string bytes = dumps(test::registry(), *svc, save);
  EXPECT_GT(bytes.size(), 100'000u);
  check(loads(test::registry(), bytes), "bytes");
  std::stringstream stream;
  dump(test::registry(), *svc, stream, save);
  check(load(test::registry(), stream), "stream");
  const fs::path file = test::temp_dir() / "svc.mlp";
  dump(test::registry(), *svc, file, save);
  check(load(test::registry(), file), "file");
  for (const std::string& format : test::backend_names()) {
    const SaveOptions as{.format = format, .metadata = save.metadata};
    check(loads(test::registry(), dumps(test::registry(), *svc, as)), format + " bytes");
    dump(test::registry(), *svc, file, as);
    check(load(test::registry(), file), format + " file");
  }
}

TEST(BadInput, EmptyInput) {
  expect_load_error<FormatError>("", ErrorCode::kEmptyInput, "empty input");
}

TEST(BadInput, WrongMagic) {
  expect_load_error<FormatError>("PK\x03\x04 this is a zip file, not a model......................",
                                 ErrorCode::kBadMagic, "not an mlpersist artifact");
}

TEST(BadInput, TruncatedHeader) {
  const std::string bytes = dumps(test::registry(), *fitted());
  expect_load_error<FormatError>(bytes.substr(0, 20), ErrorCode::kTruncated, "prelude");
  expect_load_error<FormatError>(bytes.substr(0, 60), ErrorCode::kTruncated, "inside the header");
  expect_load_error<FormatError>(bytes.substr(0, bytes.size() - 1), ErrorCode::kTruncated,
                                 "truncated");
}

// A well-formed artifact whose header names things no plugin provides.
std::string artifact(const std::string& backend, const std::string& type) {
  Header h;
  h.backend = backend;
  h.type_tag = type;
  h.schema_version = 1;
  h.types[type] = 1;
  const std::string payload = "payload";
  return write_header(h, payload.size()) + payload +
         write_trailer(std::as_bytes(std::span(payload.data(), payload.size())));
}

TEST(BadInput, UnknownBackend) {
  expect_load_error<CompatibilityError>(artifact("yaml", "svm.SVC"), ErrorCode::kUnknownBackend,
                                        "unknown format backend 'yaml'");
}

TEST(BadInput, UnknownTypeTagIsRefusedBeforeDecoding) {
  // The payload is not even valid binary: the type check must come first.
  expect_load_error<CompatibilityError>(artifact("binary", "evil.Exploit"),
                                        ErrorCode::kUnknownTypeTag, "evil.Exploit");
}

TEST(BadInput, NewerSchemaIsRefusedNamingVersionsAndPlugin) {
  Header h;
  h.backend = "binary";
  h.type_tag = "svm.SVC";
  h.schema_version = 99;
  h.types["svm.SVC"] = 99;
  const std::string bytes = write_header(h, 0) + write_trailer({});
  try {
    (void)loads(test::registry(), bytes, {.verify_checksum = false});
    FAIL();
  } catch (const CompatibilityError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kSchemaTooNew);
    EXPECT_NE(std::string(e.what()).find("schema version 99"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("plugin 'svm'"), std::string::npos) << e.what();
  }
}

TEST(BadInput, AlteredPayloadFailsTheChecksum) {
  std::string bytes = dumps(test::registry(), *fitted());
  bytes[bytes.size() - 20] ^= 0x01;
  expect_load_error<FormatError>(bytes, ErrorCode::kChecksumMismatch, "payload checksum");
  std::string header = dumps(test::registry(), *fitted());
  header[45] ^= 0x01;
  expect_load_error<FormatError>(header, ErrorCode::kChecksumMismatch, "header checksum");
}

TEST(BadInput, NewerContainerIsRefused) {
  std::string bytes = dumps(test::registry(), *fitted());
  bytes[10] = kContainerVersion + 1;  // oldest reader version
  expect_load_error<CompatibilityError>(bytes, ErrorCode::kContainerTooNew, "Upgrade mlpersist");
}

TEST(BadInput, FileErrorsNameTheFile) {
  const fs::path missing = test::temp_dir() / "missing.bin";
  try {
    (void)load(test::registry(), missing);
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }
  const fs::path empty = test::temp_dir() / "empty.bin";
  std::ofstream(empty).close();
  EXPECT_THROW((void)load(test::registry(), empty), FormatError);
  EXPECT_THROW((void)inspect(empty), FormatError);
}

TEST(AtomicSave, OverwritesInPlaceAndLeavesNoTemporaryFiles) {
  const fs::path dir = test::temp_dir();
  const auto svc = fitted();
  dump(test::registry(), *svc, dir / "m.bin");
  dump(test::registry(), *svc, dir / "m.bin", {.format = "json"});
  EXPECT_EQ(inspect(dir / "m.bin").backend, "json");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

}  // namespace
