// Tamper evidence: every single-bit flip and every truncation of a real SVC artifact, in every
// backend, is refused with an error, never loaded as a model.

#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <sstream>

#include "test_support.hpp"

namespace {

using namespace mlpersist;

std::string svc_artifact(const std::string& format) {
  const Dataset iris = test::load_dataset("iris");
  auto svc = test::registry().create("svm.SVC");
  svc->fit(iris.X, iris.y);
  return dumps(test::registry(), *svc, {.format = format});
}

// Error codes seen, with how often, for the report.
std::string tally(const std::map<ErrorCode, std::size_t>& codes) {
  std::string out;
  for (const auto& [code, n] : codes)
    out += (out.empty() ? "" : ", ") + std::string(to_string(code)) + " " + std::to_string(n);
  return out;
}

// Loads `bytes`; counts the error's code, or fails the test naming `what` if it loaded.
void expect_refused(std::string_view bytes, const std::string& what,
                    std::map<ErrorCode, std::size_t>& codes) {
  try {
    (void)loads(test::registry(), bytes);
    ADD_FAILURE() << what << " loaded as a model";
  } catch (const Error& e) {
    ++codes[e.code()];
  }
}

TEST(Integrity, EverySingleBitFlipOfAnSvcArtifactIsRefused) {
  for (const std::string& backend : test::backend_names()) {
    std::string bytes = svc_artifact(backend);
    std::map<ErrorCode, std::size_t> codes;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        bytes[i] = static_cast<char>(bytes[i] ^ (1 << bit));
        expect_refused(bytes,
                       "flip of bit " + std::to_string(bit) + " of byte " + std::to_string(i) +
                           " (" + backend + ")",
                       codes);
        bytes[i] = static_cast<char>(bytes[i] ^ (1 << bit));
      }
    }
    std::cout << "[bit flips] " << backend << ": " << 8 * bytes.size() << " flips of a "
              << bytes.size() << "-byte artifact, all refused: " << tally(codes) << '\n';
    EXPECT_NO_THROW((void)loads(test::registry(), bytes)) << "the unflipped artifact loads";
  }
}

// A mapped load verifies lazily, tensor by tensor (container 2's chunks): in a small artifact
// the structure and the tensors share one chunk, which is verified before anything is decoded.
TEST(Integrity, EverySingleBitFlipOfAMappedBinaryFileIsRefusedAtLoad) {
  const std::string bytes = svc_artifact("binary");
  const auto file = test::temp_dir() / "svc.bin";
  std::ofstream(file, std::ios::binary) << bytes;
  std::fstream io(file, std::ios::binary | std::ios::in | std::ios::out);
  std::map<ErrorCode, std::size_t> codes;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      io.seekp(static_cast<std::streamoff>(i)).put(static_cast<char>(bytes[i] ^ (1 << bit)));
      io.flush();
      try {
        (void)load(test::registry(), file);
        ADD_FAILURE() << "mapped file with bit " << bit << " of byte " << i << " flipped loaded";
      } catch (const Error& e) {
        ++codes[e.code()];
      }
    }
    io.seekp(static_cast<std::streamoff>(i)).put(bytes[i]);
    io.flush();
  }
  std::cout << "[bit flips] mapped binary file: " << 8 * bytes.size() << " flips, all refused: "
            << tally(codes) << '\n';
  EXPECT_NO_THROW((void)load(test::registry(), file)) << "the unflipped file loads";
}

TEST(Integrity, EveryTruncationOfAnSvcArtifactIsRefused) {
  for (const std::string& backend : test::backend_names()) {
    const std::string bytes = svc_artifact(backend);
    std::map<ErrorCode, std::size_t> codes;
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      const std::string what = "truncation to " + std::to_string(n) + " bytes (" + backend + ")";
      expect_refused(std::string_view(bytes).substr(0, n), what, codes);
      std::istringstream stream(bytes.substr(0, n));
      EXPECT_THROW((void)load(test::registry(), stream), Error) << what << " from a stream";
    }
    expect_refused(bytes + '\0', "one byte appended (" + backend + ")", codes);
    std::cout << "[truncations] " << backend << ": " << bytes.size()
              << " truncations (bytes and stream) and one extension, all refused: " << tally(codes)
              << '\n';
  }
}

}  // namespace
