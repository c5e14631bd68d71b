#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mlpersist/export.hpp>
#include <mlpersist/limits.hpp>
#include <mlpersist/value.hpp>
#include <span>
#include <string>
#include <string_view>

namespace mlpersist {

// Container format, version 2. All integers little-endian.
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
//      P+N  8×C  chunk table: for each of the C = ceil(N / 256 KiB) chunks of the payload, the
//                XXH3-64 of its bytes seeded with its index (0, 1, ...)
//  P+N+8×C    8  XXH3-64 of the chunk table
//
// The header can be read and checked without touching the payload, and without running any
// plugin code (`mlpersist inspect`). Per-chunk checksums let a mapped load verify each tensor
// when it is first read rather than the whole payload up front (PayloadIntegrity).
//
// Version 1 (still read) ends with one XXH3-64 of the whole payload instead of the chunk table.

inline constexpr std::array<unsigned char, 8> kMagic{0x89, 'M', 'L', 'P', 0x0D, 0x0A, 0x1A, 0x0A};
inline constexpr std::uint16_t kContainerVersion = 2;
inline constexpr std::size_t kPreludeSize = 40;
/// Where each field of the prelude lies (docs/format.md, "Prelude"); every reader and writer of
/// the prelude uses these names.
namespace prelude_offset {
inline constexpr std::size_t kMagic = 0;                 ///< 8 bytes
inline constexpr std::size_t kContainerVersion = 8;      ///< u16 LE
inline constexpr std::size_t kMinContainerVersion = 10;  ///< u16 LE
inline constexpr std::size_t kHeaderSize = 12;           ///< u32 LE
inline constexpr std::size_t kPayloadOffset = 16;        ///< u64 LE
inline constexpr std::size_t kPayloadSize = 24;          ///< u64 LE
inline constexpr std::size_t kHeaderChecksum = 32;       ///< u64 LE, XXH3-64 of [0, 32) + header
}  // namespace prelude_offset
inline constexpr std::size_t kPayloadAlignment = 64;
/// Container 2 checksums the payload in chunks of this many bytes: small enough that a mapped
/// load hashes little beyond the structure it decodes (the chunks it shares with tensors),
/// large enough that the table stays 1/32768 of the payload and each hash runs at full speed.
inline constexpr std::uint64_t kChunkSize = std::uint64_t{256} << 10;

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
  /// The trailer's last 8 bytes: the chunk table's checksum (container 2) or the payload's (1).
  std::uint64_t payload_checksum = 0;
};

/// Checksummed chunks of a payload of `payload_size` bytes in a container of `version`.
[[nodiscard]] MLPERSIST_API std::uint64_t chunk_count(std::uint16_t container_version,
                                                      std::uint64_t payload_size) noexcept;
/// Bytes after the payload: the chunk table and its checksum (container 2) or one checksum (1).
[[nodiscard]] MLPERSIST_API std::uint64_t trailer_size(const Header& h) noexcept;
/// The same, from the container version and payload size alone (what a writer knows).
[[nodiscard]] MLPERSIST_API std::uint64_t trailer_size(std::uint16_t container_version,
                                                       std::uint64_t payload_size) noexcept;
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
/// payload matches its checksums. Throws FormatError (kTruncated, kMalformed,
/// kChecksumMismatch) naming `source` and the byte range.
[[nodiscard]] MLPERSIST_API std::span<const std::byte> checked_payload(
    std::span<const std::byte> bytes, const Header& h, std::string_view source,
    bool verify_checksum = true);

/// The checksums of one artifact's payload, verified as a whole or range by range: a mapped
/// load checks the structure it decodes at once and each tensor when it is first read.
/// Thread-safe; each chunk is hashed at most once after it passed.
class MLPERSIST_API PayloadIntegrity {
 public:
  /// Checks that `bytes` is exactly the artifact `h` declares and that the chunk table matches
  /// its own checksum; hashes no payload byte yet. `owner` keeps `bytes` alive. Throws
  /// FormatError (kTruncated, kMalformed, kChecksumMismatch) naming `source`.
  PayloadIntegrity(std::span<const std::byte> bytes, const Header& h, std::string source,
                   std::shared_ptr<const void> owner = nullptr);

  [[nodiscard]] std::span<const std::byte> payload() const noexcept { return payload_; }
  /// Verifies every chunk overlapping payload bytes [offset, offset + size) that has not passed
  /// yet (a large range on every core) and returns where the last of them ends. Throws
  /// FormatError(kChecksumMismatch) naming the source and the chunk's absolute byte range.
  std::uint64_t verify(std::uint64_t offset, std::uint64_t size) const;
  /// True when every chunk overlapping the range has passed already.
  [[nodiscard]] bool verified(std::uint64_t offset, std::uint64_t size) const noexcept;
  /// Verifies the whole payload, on every core when it is large.
  void verify_all() const;
  /// Compares the chunk hashes computed while the payload was read (detail::ChunkHasher)
  /// instead of hashing it again (container 2 only; falls back to verify_all otherwise).
  void verify_all(std::span<const std::uint64_t> computed) const;

 private:
  [[nodiscard]] std::uint64_t hash_chunk(std::uint64_t index) const noexcept;
  void check_chunk(std::uint64_t index, std::uint64_t actual) const;
  void verify_chunks(std::uint64_t first, std::uint64_t last) const;
  void verify_chunks_parallel(std::uint64_t first, std::uint64_t last) const;
  [[nodiscard]] std::pair<std::uint64_t, std::uint64_t> chunk_range(std::uint64_t offset,
                                                                    std::uint64_t size) const;

  std::span<const std::byte> payload_;
  std::span<const std::byte> table_;  // container 2: one u64 per chunk; 1: the one checksum
  std::uint64_t payload_offset_ = 0;
  std::uint64_t chunk_size_ = kChunkSize;
  bool seeded_ = true;  // container 2 seeds each chunk's hash with its index
  std::string source_;
  std::shared_ptr<const void> owner_;
  std::unique_ptr<std::atomic<bool>[]> passed_;
};

/// A check for a borrowed tensor whose bytes are payload [offset, offset + size): verifies them on
/// first access (Tensor::borrow). Null when they have been verified already.
[[nodiscard]] MLPERSIST_API std::shared_ptr<const LazyCheck> lazy_range_check(
    std::shared_ptr<const PayloadIntegrity> integrity, std::uint64_t offset, std::uint64_t size);

/// The trailer (chunk table and its checksum) for `payload`, for tools and tests that assemble
/// artifacts from parts; `dump` computes it while it writes.
[[nodiscard]] MLPERSIST_API std::string write_trailer(std::span<const std::byte> payload);

/// Length of the prelude plus header text that `read_header` needs, taken from a 40-byte
/// prelude (after checking magic, version and the header-size limit).
[[nodiscard]] MLPERSIST_API std::uint64_t header_extent(std::span<const std::byte> prelude,
                                                        std::string_view source,
                                                        const Limits& limits);

/// Serialises prelude + header JSON + padding for a payload of `payload_size` bytes; fills
/// `h.header_size` and `h.payload_offset`.
[[nodiscard]] MLPERSIST_API std::string write_header(Header& h, std::uint64_t payload_size);

/// XXH3-64, the checksum used by the container (unseeded: header, chunk table, container 1).
[[nodiscard]] MLPERSIST_API std::uint64_t checksum64(std::span<const std::byte> bytes) noexcept;

/// Header fields as a Value map (what `mlpersist inspect --json` prints).
[[nodiscard]] MLPERSIST_API Value header_to_value(const Header& h);

}  // namespace mlpersist
