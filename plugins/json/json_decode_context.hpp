#pragma once

#include <rapidjson/memorystream.h>

#include <cstdint>
#include <mlpersist/backend.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/text.hpp>
#include <string>
#include <string_view>

namespace mlpersist::json {

/// What the SAX handlers of one decode share: the input, its limits, the parser's position in
/// it, and the one way to fail.
class DecodeContext {
 public:
  DecodeContext(const DecodeInput& input, const rapidjson::MemoryStream& stream)
      : input_(input), stream_(stream) {}

  [[nodiscard]] const Limits& limits() const noexcept { return input_.limits; }
  /// Payload bytes the parser has not consumed yet.
  [[nodiscard]] std::uint64_t remaining() const noexcept {
    return input_.payload.size() - stream_.Tell();
  }

  /// Throws FormatError at the parser's current position.
  [[noreturn]] void fail(ErrorCode code, const std::string& what) const {
    fail_at(stream_.Tell(), code, what);
  }
  /// Throws FormatError naming the source, the byte offset (in the file and in the payload),
  /// what is wrong and what to do about it.
  [[noreturn]] void fail_at(std::uint64_t payload_offset, ErrorCode code,
                            const std::string& what) const;

  /// excerpt() (<mlpersist/text.hpp>) in double quotes.
  [[nodiscard]] static std::string quoted(std::string_view text) {
    return '"' + excerpt(text) + '"';
  }

 private:
  const DecodeInput& input_;
  const rapidjson::MemoryStream& stream_;
};

}  // namespace mlpersist::json
