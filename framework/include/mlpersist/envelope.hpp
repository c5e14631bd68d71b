#pragma once

#include <mlpersist/export.hpp>
#include <mlpersist/limits.hpp>
#include <mlpersist/value.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

namespace mlpersist {

// Container format, version 1. All integers little-endian.
//
//   offset size
//        0    8  magic: 89 'M' 'L' 'P' 0D 0A 1A 0A  (PNG's trick: not text, catches newline
//                mangling and truncation by text tools)
//        8    2  container version
//       10    2  oldest container version that can read this file
//       12    4  header size H (bytes of UTF-8 JSON)
//       16    8  payload offset P (a multiple of 64, so tensors in the payload can be mapped
//                aligned)
//       24    8  payload size N
//       32    8  XXH3-64 of bytes [0, 32) and of the header text
//       40    H  header: a JSON object (backend, type tag, schema versions, metadata)
//     40+H       zero padding up to P
//        P    N  payload, encoded by the named backend
//      P+N    8  XXH3-64 of the payload
//
// The header can be read and checked without touching the payload, and without running any
// plugin code (`mlpersist inspect`).

inline constexpr std::array<unsigned char, 8> kMagic{0x89, 'M', 'L', 'P', 0x0D, 0x0A, 0x1A, 0x0A};
inline constexpr std::uint16_t kContainerVersion = 1;
inline constexpr std::size_t kPreludeSize = 40;
inline constexpr std::size_t kTrailerSize = 8;
inline constexpr std::size_t kPayloadAlignment = 64;

/// The envelope's header, as parsed (and checked) from an artifact.
struct Header {
  std::uint16_t container_version = kContainerVersion;
  std::uint16_t min_container_version = kContainerVersion;
  std::string backend;
  std::string type_tag;              ///< the root estimator's type
  std::uint32_t schema_version = 0;  ///< the root estimator's schema version
  std::string framework_version;     ///< the framework that wrote the file
  /// Every type tag in the document (nested ones too) with its schema version.
  std::map<std::string, std::uint32_t> types;
  /// For types whose saved version older readers can still read (only optional fields were
  /// added since): the oldest reader version. Absent: readers need the saved version itself.
  std::map<std::string, std::uint32_t> min_reader_versions;
  Value metadata = Map{};  ///< provenance and user key/values (JSON-compatible values only)

  std::uint64_t header_size = 0;
  std::uint64_t payload_offset = 0;
  std::uint64_t payload_size = 0;
  std::uint64_t payload_checksum = 0;  ///< read from the trailer
};

/// Total artifact size for a given header layout.
[[nodiscard]] MLPERSIST_API std::uint64_t artifact_size(const Header& h) noexcept;

/// Parses and checks the prelude and the header JSON from the first bytes of an artifact.
/// `bytes` must hold at least the prelude and header; the payload is not touched (the trailer is
/// read when present). `source` names the file in messages. Throws FormatError with the byte
/// offset and CompatibilityError(kContainerTooNew).
[[nodiscard]] MLPERSIST_API Header read_header(std::span<const std::byte> bytes,
                                               std::string_view source, const Limits& limits);

/// The payload of a whole artifact whose header `read_header` parsed from `bytes`: checks that
/// `bytes` is exactly as long as the header declares and, with `verify_checksum`, that the
/// payload matches its trailer checksum. Throws FormatError (kTruncated, kMalformed,
/// kChecksumMismatch) naming `source` and the byte range.
[[nodiscard]] MLPERSIST_API std::span<const std::byte> checked_payload(
    std::span<const std::byte> bytes, const Header& h, std::string_view source,
    bool verify_checksum = true);

/// Length of the prelude plus header text that `read_header` needs, taken from a 40-byte
/// prelude (after checking magic, version and the header-size limit).
[[nodiscard]] MLPERSIST_API std::uint64_t header_extent(std::span<const std::byte> prelude,
                                                        std::string_view source,
                                                        const Limits& limits);

/// Serialises prelude + header JSON + padding for a payload of `payload_size` bytes; fills
/// `h.header_size` and `h.payload_offset`.
[[nodiscard]] MLPERSIST_API std::string write_header(Header& h, std::uint64_t payload_size);

/// XXH3-64, the checksum used by the container.
[[nodiscard]] MLPERSIST_API std::uint64_t checksum64(std::span<const std::byte> bytes) noexcept;

/// Header fields as a Value map (what `mlpersist inspect --json` prints).
[[nodiscard]] MLPERSIST_API Value header_to_value(const Header& h);

}  // namespace mlpersist
