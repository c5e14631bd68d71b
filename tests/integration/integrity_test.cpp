// Tamper evidence: every single-bit flip and every truncation of a real SVC artifact, in every
// backend, is refused with an error, never loaded as a model, and with the error that names the
// damage: a flip in the checksummed bytes is a checksum mismatch, not just any error.

#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <set>
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
ErrorCode expect_refused(std::string_view bytes, const std::string& what,
                         std::map<ErrorCode, std::size_t>& codes) {
  try {
    (void)loads(test::registry(), bytes);
    ADD_FAILURE() << what << " loaded as a model";
  } catch (const Error& e) {
    ++codes[e.code()];
    return e.code();
  }
  return ErrorCode::kIo;  // never expected: the failure is already recorded
}

// The error a flip of byte `i` must give, by the part of the container it damages
// (docs/format.md, "Prelude"): the magic is not ours any more; every other byte is covered by
// the header checksum (prelude fields, the header) or the chunk table (padding, payload,
// table), so the damage is a checksum mismatch however plausible the flipped value looks.
std::uint64_t le_field(std::string_view bytes, std::size_t offset, std::size_t size) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < size; ++i)
    v |= std::uint64_t{static_cast<unsigned char>(bytes[offset + i])} << (8 * i);
  return v;
}

// The errors a flip of byte `i` of `artifact` (undamaged) may give, by the part of the container
// it damages (docs/format.md, "Prelude"). Prelude fields that say how to read the rest (versions,
// header size, payload offset and size) are checked against their rules before the header
// checksum can be computed, so a flipped one is refused with the code of the rule it breaks.
// The padding before the payload must be zero bytes. Everything else is covered by the header
// checksum or the chunk table: a checksum mismatch, however plausible the flipped value looks.
std::set<ErrorCode> allowed_codes(std::string_view artifact, std::size_t i) {
  const std::uint64_t header_end = 40 + le_field(artifact, 12, 4);
  const std::uint64_t payload_offset = le_field(artifact, 16, 8);
  if (i < 8) return {ErrorCode::kBadMagic};
  if (i < 32)
    return {ErrorCode::kChecksumMismatch, ErrorCode::kContainerTooNew, ErrorCode::kTruncated,
            ErrorCode::kHeaderTooLarge};
  if (i >= header_end && i < payload_offset) return {ErrorCode::kMalformed};
  return {ErrorCode::kChecksumMismatch};
}

TEST(Integrity, EverySingleBitFlipOfAnSvcArtifactIsRefused) {
  for (const std::string& backend : test::backend_names()) {
    const std::string original = svc_artifact(backend);
    std::string bytes = original;
    std::map<ErrorCode, std::size_t> codes;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        bytes[i] = static_cast<char>(bytes[i] ^ (1 << bit));
        const std::string what = "flip of bit " + std::to_string(bit) + " of byte " +
                                 std::to_string(i) + " (" + backend + ")";
        const ErrorCode code = expect_refused(bytes, what, codes);
        EXPECT_TRUE(allowed_codes(original, i).contains(code)) << what << ": " << to_string(code);
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
        EXPECT_TRUE(allowed_codes(bytes, i).contains(e.code()))
            << "mapped file, bit " << bit << " of byte " << i << ": " << to_string(e.code());
      }
    }
    io.seekp(static_cast<std::streamoff>(i)).put(bytes[i]);
    io.flush();
  }
  std::cout << "[bit flips] mapped binary file: " << 8 * bytes.size()
            << " flips, all refused: " << tally(codes) << '\n';
  EXPECT_NO_THROW((void)load(test::registry(), file)) << "the unflipped file loads";
}

TEST(Integrity, EveryTruncationOfAnSvcArtifactIsRefused) {
  for (const std::string& backend : test::backend_names()) {
    const std::string bytes = svc_artifact(backend);
    std::map<ErrorCode, std::size_t> codes;
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      const std::string what = "truncation to " + std::to_string(n) + " bytes (" + backend + ")";
      const ErrorCode code = expect_refused(std::string_view(bytes).substr(0, n), what, codes);
      // A cut artifact is short of what its prelude declares (or of a prelude); none at all is
      // no input.
      const ErrorCode expected = n == 0 ? ErrorCode::kEmptyInput : ErrorCode::kTruncated;
      EXPECT_EQ(code, expected) << what << ": " << to_string(code);
      std::istringstream stream(bytes.substr(0, n));
      EXPECT_THROW((void)load(test::registry(), stream), Error) << what << " from a stream";
    }
    EXPECT_EQ(expect_refused(bytes + '\0', "one byte appended (" + backend + ")", codes),
              ErrorCode::kMalformed);
    std::cout << "[truncations] " << backend << ": " << bytes.size()
              << " truncations (bytes and stream) and one extension, all refused: " << tally(codes)
              << '\n';
  }
}

}  // namespace
