// The envelope reader on arbitrary bytes (checksums made valid): prelude, header JSON, layout.
// Every failure must be an mlpersist::Error; anything else, a crash or a sanitizer report is a
// finding.

#include <mlpersist/envelope.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mlpersist;
  const std::string bytes = fuzz::with_valid_checksums(data, size);
  const auto span = std::as_bytes(std::span(bytes.data(), bytes.size()));
  try {
    const Header h = read_header(span, "<fuzz>", {});
    (void)checked_payload(span, h, "<fuzz>");
    // What `mlpersist inspect --json` prints must always be printable.
    (void)to_json_text(header_to_value(h), /*pretty=*/true);
  } catch (const Error&) {
  }
  return 0;
}
