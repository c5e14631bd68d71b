#include <mlpersist/endian.hpp>
#include <mlpersist/envelope.hpp>
#include <mlpersist/error.hpp>

#include "detail/header_json.hpp"

#include <xxhash.h>

#include <cstring>
#include <string>

namespace mlpersist {
namespace {

constexpr std::size_t kHeaderChecksumOffset = 32;

std::string at(std::string_view source, std::uint64_t offset) {
  return std::string(source) + ": at byte " + std::to_string(offset) + ": ";
}

[[noreturn]] void format_error(ErrorCode code, std::string_view source, std::uint64_t offset,
                               const std::string& what) {
  throw FormatError(code, at(source, offset) + what);
}

std::uint64_t round_up(std::uint64_t n, std::uint64_t to) { return (n + to - 1) / to * to; }

std::uint64_t header_checksum(std::span<const std::byte> prelude, std::string_view text) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  XXH3_64bits_update(state, prelude.data(), kHeaderChecksumOffset);
  XXH3_64bits_update(state, text.data(), text.size());
  const std::uint64_t h = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return h;
}

void check_magic(std::span<const std::byte> bytes, std::string_view source) {
  if (bytes.empty())
    throw FormatError(ErrorCode::kEmptyInput,
                      std::string(source) + ": empty input (0 bytes); expected an mlpersist "
                                            "artifact written by mlpersist::dump");
  const std::size_t n = std::min(bytes.size(), kMagic.size());
  if (std::memcmp(bytes.data(), kMagic.data(), n) != 0)
    format_error(ErrorCode::kBadMagic, source, 0,
                 "not an mlpersist artifact (wrong magic bytes); is this the right file?");
  if (bytes.size() < kPreludeSize)
    format_error(ErrorCode::kTruncated, source, bytes.size(),
                 "input ends inside the " + std::to_string(kPreludeSize) +
                     "-byte prelude; the file is truncated");
}

}  // namespace

std::uint64_t checksum64(std::span<const std::byte> bytes) noexcept {
  return XXH3_64bits(bytes.data(), bytes.size());
}

std::uint64_t artifact_size(const Header& h) noexcept {
  return h.payload_offset + h.payload_size + kTrailerSize;
}

std::uint64_t header_extent(std::span<const std::byte> prelude, std::string_view source,
                            const Limits& limits) {
  check_magic(prelude, source);
  const auto min_version = load_le<std::uint16_t>(prelude.data() + 10);
  if (min_version > kContainerVersion)
    throw CompatibilityError(
        ErrorCode::kContainerTooNew,
        at(source, 10) + "written in container format " +
            std::to_string(load_le<std::uint16_t>(prelude.data() + 8)) + ", which needs a reader of "
            "container version " + std::to_string(min_version) + "; this mlpersist reads up to "
            "version " + std::to_string(kContainerVersion) + ". Upgrade mlpersist");
  const auto header_size = load_le<std::uint32_t>(prelude.data() + 12);
  if (header_size > limits.max_header_bytes)
    format_error(ErrorCode::kHeaderTooLarge, source, 12,
                 "header claims " + std::to_string(header_size) + " bytes, over the limit of " +
                     std::to_string(limits.max_header_bytes) +
                     " (Limits::max_header_bytes); the file is corrupt or hostile");
  return kPreludeSize + header_size;
}

Header read_header(std::span<const std::byte> bytes, std::string_view source,
                   const Limits& limits) {
  const std::uint64_t extent = header_extent(bytes, source, limits);
  if (bytes.size() < extent)
    format_error(ErrorCode::kTruncated, source, bytes.size(),
                 "input ends inside the header (needs " + std::to_string(extent) +
                     " bytes); the file is truncated");
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()) + kPreludeSize,
                              extent - kPreludeSize);
  if (header_checksum(bytes, text) != load_le<std::uint64_t>(bytes.data() + kHeaderChecksumOffset))
    format_error(ErrorCode::kChecksumMismatch, source, kHeaderChecksumOffset,
                 "header checksum mismatch: the header was altered or corrupted after saving");
  Header h = detail::parse_header_json(text, source, limits);
  h.container_version = load_le<std::uint16_t>(bytes.data() + 8);
  h.min_container_version = load_le<std::uint16_t>(bytes.data() + 10);
  h.header_size = extent - kPreludeSize;
  h.payload_offset = load_le<std::uint64_t>(bytes.data() + 16);
  h.payload_size = load_le<std::uint64_t>(bytes.data() + 24);
  if (h.payload_offset != round_up(extent, kPayloadAlignment))
    format_error(ErrorCode::kMalformed, source, 16,
                 "payload offset " + std::to_string(h.payload_offset) + " is not the first " +
                     std::to_string(kPayloadAlignment) + "-byte boundary after the header");
  if (h.payload_size > UINT64_MAX - h.payload_offset - kTrailerSize)
    format_error(ErrorCode::kMalformed, source, 24, "payload size overflows");
  for (std::uint64_t i = extent; i < h.payload_offset && i < bytes.size(); ++i)
    if (bytes[i] != std::byte{0})
      format_error(ErrorCode::kMalformed, source, i, "non-zero byte in the header padding");
  if (bytes.size() >= artifact_size(h))
    h.payload_checksum = load_le<std::uint64_t>(bytes.data() + h.payload_offset + h.payload_size);
  return h;
}

std::span<const std::byte> checked_payload(std::span<const std::byte> bytes, const Header& h,
                                           std::string_view source, bool verify_checksum) {
  const std::uint64_t expected = artifact_size(h);
  if (bytes.size() < expected)
    format_error(ErrorCode::kTruncated, source, bytes.size(),
                 "input ends at byte " + std::to_string(bytes.size()) +
                     ", but its header declares " + std::to_string(expected) +
                     " bytes; the file is truncated");
  if (bytes.size() > expected)
    format_error(ErrorCode::kMalformed, source, expected,
                 std::to_string(bytes.size() - expected) +
                     " unexpected bytes after the end of the artifact");
  const auto payload = bytes.subspan(h.payload_offset, h.payload_size);
  if (verify_checksum && checksum64(payload) != h.payload_checksum)
    format_error(ErrorCode::kChecksumMismatch, source, h.payload_offset,
                 "payload checksum mismatch (bytes " + std::to_string(h.payload_offset) + " to " +
                     std::to_string(h.payload_offset + h.payload_size) +
                     "): the file was altered or corrupted after saving");
  return payload;
}

std::string write_header(Header& h, std::uint64_t payload_size) {
  const std::string text = detail::header_json(h);
  h.header_size = text.size();
  h.payload_offset = round_up(kPreludeSize + text.size(), kPayloadAlignment);
  h.payload_size = payload_size;
  std::string out(h.payload_offset, '\0');
  auto* p = reinterpret_cast<std::byte*>(out.data());
  std::memcpy(p, kMagic.data(), kMagic.size());
  store_le<std::uint16_t>(p + 8, h.container_version);
  store_le<std::uint16_t>(p + 10, h.min_container_version);
  store_le<std::uint32_t>(p + 12, static_cast<std::uint32_t>(text.size()));
  store_le<std::uint64_t>(p + 16, h.payload_offset);
  store_le<std::uint64_t>(p + 24, payload_size);
  std::memcpy(p + kPreludeSize, text.data(), text.size());
  store_le<std::uint64_t>(p + kHeaderChecksumOffset,
                          header_checksum({p, kPreludeSize}, text));
  return out;
}

Value header_to_value(const Header& h) {
  Map types;
  for (const auto& [tag, version] : h.types) types.insert(tag, version);
  char checksum[17];
  std::snprintf(checksum, sizeof checksum, "%016llx",
                static_cast<unsigned long long>(h.payload_checksum));
  Map m;
  m.insert("container_version", h.container_version);
  m.insert("min_container_version", h.min_container_version);
  m.insert("backend", h.backend);
  m.insert("type", h.type_tag);
  m.insert("schema_version", h.schema_version);
  m.insert("framework_version", h.framework_version);
  m.insert("types", std::move(types));
  Map min_readers;
  for (const auto& [tag, version] : h.min_reader_versions) min_readers.insert(tag, version);
  m.insert("min_reader_versions", std::move(min_readers));
  m.insert("header_size", h.header_size);
  m.insert("payload_offset", h.payload_offset);
  m.insert("payload_size", h.payload_size);
  m.insert("payload_xxh3", std::string(checksum));
  m.insert("metadata", h.metadata);
  return m;
}

}  // namespace mlpersist
