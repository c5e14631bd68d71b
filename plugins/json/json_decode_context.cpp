#include "json_decode_context.hpp"

namespace mlpersist::json {
namespace {

constexpr std::size_t kExcerptBytes = 40;

std::string_view advice(ErrorCode code) {
  switch (code) {
    case ErrorCode::kTruncated:
      return "the payload ends early: the file was cut short; restore a complete copy";
    case ErrorCode::kLimitExceeded:
      return "if the file comes from a trusted source, raise that limit in the load options";
    default:
      return "the payload is damaged or was not written by mlpersist's json backend; restore "
             "the original file or save the model again";
  }
}

}  // namespace

std::string DecodeContext::excerpt(std::string_view text) {
  if (text.size() <= kExcerptBytes) return std::string(text);
  // Back up to a UTF-8 lead byte so the cut does not split a character.
  std::size_t cut = kExcerptBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

void DecodeContext::fail_at(std::uint64_t payload_offset, ErrorCode code,
                            const std::string& what) const {
  throw FormatError(code, std::string(input_.source) + ": invalid json payload at byte " +
                              std::to_string(input_.payload_offset + payload_offset) +
                              " (payload byte " + std::to_string(payload_offset) + "): " + what +
                              "; " + std::string(advice(code)));
}

}  // namespace mlpersist::json
