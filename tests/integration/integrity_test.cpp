// Tamper evidence: every single-bit flip and every truncation of a real SVC artifact, in every
// backend, is refused with an error, never loaded as a model.

#include <gtest/gtest.h>

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
