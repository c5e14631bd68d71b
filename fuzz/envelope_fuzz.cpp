// The envelope reader on arbitrary bytes (checksums made valid): prelude, header JSON, layout.
// Reading may fail only with an mlpersist::Error. A header that was read must always print, as
// `mlpersist inspect --json` prints it, and the printed text must read back as the same values;
// a failure there, anything else thrown, a crash or a sanitizer report is a finding.

#include <mlpersist/envelope.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace mlpersist;

void check_printable(const Header& h) {
  const Value fields = fuzz::expect_no_error("turning a header that was read into values",
                                             [&] { return header_to_value(h); });
  const std::string text = fuzz::expect_no_error(
      "printing a header that was read", [&] { return to_json_text(fields, /*pretty=*/true); });
  const Value back = fuzz::expect_no_error("reading back a printed header", [&] {
    return parse_json_text(text, "<printed header>", Limits{});
  });
  if (!(back == fields)) fuzz::finding("a printed header reads back as different values");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes = fuzz::with_valid_checksums(data, size);
  const auto span = std::as_bytes(std::span(bytes.data(), bytes.size()));
  Header h;
  try {
    h = read_header(span, "<fuzz>", {});
  } catch (const Error&) {
    return 0;
  }
  check_printable(h);  // inspect prints a header without looking at the payload
  try {
    (void)checked_payload(span, h, "<fuzz>");
  } catch (const Error&) {
  }
  return 0;
}
