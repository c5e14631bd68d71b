#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <mlpersist/endian.hpp>
#include <mlpersist/envelope.hpp>
#include <mlpersist/error.hpp>
#include <string>
#include <thread>

#include "detail/chunk_hash.hpp"
#include "detail/header_json.hpp"

namespace mlpersist {
namespace {

std::string at(std::string_view source, std::uint64_t offset) {
  return std::string(source) + ": at byte " + std::to_string(offset) + ": ";
}

[[noreturn]] void format_error(ErrorCode code, std::string_view source, std::uint64_t offset,
                               const std::string& what) {
  throw FormatError(code, at(source, offset) + what);
}

std::uint64_t round_up(std::uint64_t n, std::uint64_t to) {
  return (n + to - 1) / to * to;
}

std::uint64_t header_checksum(std::span<const std::byte> prelude, std::string_view text) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  XXH3_64bits_update(state, prelude.data(), prelude_offset::kHeaderChecksum);
  XXH3_64bits_update(state, text.data(), text.size());
  const std::uint64_t h = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return h;
}

void check_magic(std::span<const std::byte> bytes, std::string_view source) {
  if (bytes.empty())
    throw FormatError(ErrorCode::kEmptyInput, std::string(source) +
                                                  ": empty input (0 bytes); expected an mlpersist "
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

std::uint64_t chunk_count(std::uint16_t container_version, std::uint64_t payload_size) noexcept {
  if (container_version < 2) return 1;
  return payload_size / kChunkSize + (payload_size % kChunkSize != 0 ? 1 : 0);
}

std::uint64_t trailer_size(std::uint16_t container_version, std::uint64_t payload_size) noexcept {
  // Version 2: the chunk table and its own checksum; version 1: one payload checksum.
  const std::uint64_t table =
      container_version < 2 ? 0 : 8 * chunk_count(container_version, payload_size);
  return table + 8;
}

std::uint64_t trailer_size(const Header& h) noexcept {
  return trailer_size(h.container_version, h.payload_size);
}

std::uint64_t artifact_size(const Header& h) noexcept {
  return h.payload_offset + h.payload_size + trailer_size(h);
}

std::uint64_t header_extent(std::span<const std::byte> prelude, std::string_view source,
                            const Limits& limits) {
  check_magic(prelude, source);
  const auto min_version =
      load_le<std::uint16_t>(prelude.data() + prelude_offset::kMinContainerVersion);
  if (min_version > kContainerVersion)
    throw CompatibilityError(ErrorCode::kContainerTooNew,
                             at(source, 10) + "written in container format " +
                                 std::to_string(load_le<std::uint16_t>(
                                     prelude.data() + prelude_offset::kContainerVersion)) +
                                 ", which needs a reader of "
                                 "container version " +
                                 std::to_string(min_version) +
                                 "; this mlpersist reads up to "
                                 "version " +
                                 std::to_string(kContainerVersion) + ". Upgrade mlpersist");
  const auto header_size = load_le<std::uint32_t>(prelude.data() + prelude_offset::kHeaderSize);
  if (header_size > limits.max_header_bytes)
    format_error(ErrorCode::kHeaderTooLarge, source, prelude_offset::kHeaderSize,
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
  if (header_checksum(bytes, text) !=
      load_le<std::uint64_t>(bytes.data() + prelude_offset::kHeaderChecksum))
    format_error(ErrorCode::kChecksumMismatch, source, prelude_offset::kHeaderChecksum,
                 "header checksum mismatch: the header was altered or corrupted after saving");
  Header h = detail::parse_header_json(text, source, limits);
  h.container_version = load_le<std::uint16_t>(bytes.data() + prelude_offset::kContainerVersion);
  h.min_container_version =
      load_le<std::uint16_t>(bytes.data() + prelude_offset::kMinContainerVersion);
  h.header_size = extent - kPreludeSize;
  h.payload_offset = load_le<std::uint64_t>(bytes.data() + prelude_offset::kPayloadOffset);
  h.payload_size = load_le<std::uint64_t>(bytes.data() + prelude_offset::kPayloadSize);
  if (h.payload_offset != round_up(extent, kPayloadAlignment))
    format_error(ErrorCode::kMalformed, source, prelude_offset::kPayloadOffset,
                 "payload offset " + std::to_string(h.payload_offset) + " is not the first " +
                     std::to_string(kPayloadAlignment) + "-byte boundary after the header");
  // 2^62 bytes bounds every size computed from it (trailer, artifact) far from overflow.
  if (h.payload_size > (std::uint64_t{1} << 62))
    format_error(ErrorCode::kMalformed, source, 24, "payload size overflows");
  for (std::uint64_t i = extent; i < h.payload_offset && i < bytes.size(); ++i)
    if (bytes[i] != std::byte{0})
      format_error(ErrorCode::kMalformed, source, i, "non-zero byte in the header padding");
  if (bytes.size() >= artifact_size(h))
    h.payload_checksum = load_le<std::uint64_t>(bytes.data() + artifact_size(h) - 8);
  return h;
}

namespace {

void check_artifact_size(std::span<const std::byte> bytes, const Header& h,
                         std::string_view source) {
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
}

}  // namespace

std::span<const std::byte> checked_payload(std::span<const std::byte> bytes, const Header& h,
                                           std::string_view source, bool verify_checksum) {
  if (!verify_checksum) {
    check_artifact_size(bytes, h, source);
    return bytes.subspan(h.payload_offset, h.payload_size);
  }
  const PayloadIntegrity integrity(bytes, h, std::string(source));
  integrity.verify_all();
  return integrity.payload();
}

PayloadIntegrity::PayloadIntegrity(std::span<const std::byte> bytes, const Header& h,
                                   std::string source, std::shared_ptr<const void> owner)
    : payload_offset_(h.payload_offset), source_(std::move(source)), owner_(std::move(owner)) {
  check_artifact_size(bytes, h, source_);
  const std::uint64_t expected = artifact_size(h);
  payload_ = bytes.subspan(h.payload_offset, h.payload_size);
  const std::uint64_t table_at = h.payload_offset + h.payload_size;
  if (h.container_version < 2) {
    // One "chunk", the whole payload, whose checksum is the trailer.
    table_ = bytes.subspan(table_at, 8);
    chunk_size_ = std::max<std::uint64_t>(h.payload_size, 1);
    seeded_ = false;
    passed_ = std::make_unique<std::atomic<bool>[]>(1);
    return;
  }
  table_ = bytes.subspan(table_at, trailer_size(h) - 8);
  if (checksum64(table_) != load_le<std::uint64_t>(bytes.data() + expected - 8)) {
    format_error(ErrorCode::kChecksumMismatch, source_, table_at,
                 "chunk table checksum mismatch: the file was altered or corrupted after saving");
  }
  passed_ = std::make_unique<std::atomic<bool>[]>(table_.size() / 8);
}

std::uint64_t PayloadIntegrity::hash_chunk(std::uint64_t index) const noexcept {
  const std::uint64_t begin = index * chunk_size_;
  const auto n = static_cast<std::size_t>(std::min(chunk_size_, payload_.size() - begin));
  return seeded_ ? XXH3_64bits_withSeed(payload_.data() + begin, n, index)
                 : XXH3_64bits(payload_.data() + begin, n);
}

void PayloadIntegrity::check_chunk(std::uint64_t index, std::uint64_t actual) const {
  if (actual == load_le<std::uint64_t>(table_.data() + 8 * index)) {
    passed_[index].store(true, std::memory_order_release);
    return;
  }
  const std::uint64_t begin = payload_offset_ + index * chunk_size_;
  const std::uint64_t end =
      begin + std::min<std::uint64_t>(chunk_size_, payload_.size() - index * chunk_size_);
  format_error(ErrorCode::kChecksumMismatch, source_, begin,
               "payload checksum mismatch (bytes " + std::to_string(begin) + " to " +
                   std::to_string(end) + "): the file was altered or corrupted after saving");
}

void PayloadIntegrity::verify_chunks(std::uint64_t first, std::uint64_t last) const {
  for (std::uint64_t i = first; i < last; ++i)
    if (!passed_[i].load(std::memory_order_acquire)) check_chunk(i, hash_chunk(i));
}

// Large ranges are split across the cores: the first touch of a mapped tensor (or a copy load
// verified up front) then runs at memory speed, not at one core's hashing speed. Each thread
// takes a contiguous share, so page faults of a mapping stay sequential within a thread.
void PayloadIntegrity::verify_chunks_parallel(std::uint64_t first, std::uint64_t last) const {
  const std::uint64_t bytes = (last - first) * chunk_size_;
  const std::uint64_t cores = std::clamp<std::uint64_t>(std::thread::hardware_concurrency(), 1, 8);
  const std::uint64_t parts =
      std::min({cores, last - first, bytes / (detail::kParallelHashThreshold / 2) + 1});
  if (parts < 2) return verify_chunks(first, last);
  std::vector<std::exception_ptr> failed(parts);
  std::vector<std::thread> helpers;
  const auto share = [&](std::uint64_t k) {
    try {
      verify_chunks(first + (last - first) * k / parts, first + (last - first) * (k + 1) / parts);
    } catch (...) {
      failed[k] = std::current_exception();
    }
  };
  for (std::uint64_t k = 1; k < parts; ++k) helpers.emplace_back(share, k);
  share(0);
  for (std::thread& t : helpers) t.join();
  for (const std::exception_ptr& e : failed)  // the first failing range, as a serial pass would
    if (e) std::rethrow_exception(e);
}

std::pair<std::uint64_t, std::uint64_t> PayloadIntegrity::chunk_range(std::uint64_t offset,
                                                                      std::uint64_t size) const {
  const std::uint64_t chunks = table_.size() / 8;
  const std::uint64_t first = std::min(offset / chunk_size_, chunks);
  const std::uint64_t end = size == 0 ? offset : offset + size - 1;
  return {first, std::min(end / chunk_size_ + 1, chunks)};
}

std::uint64_t PayloadIntegrity::verify(std::uint64_t offset, std::uint64_t size) const {
  const auto [first, last] = chunk_range(offset, size);
  verify_chunks_parallel(first, last);
  return std::min<std::uint64_t>(last * chunk_size_, payload_.size());
}

bool PayloadIntegrity::verified(std::uint64_t offset, std::uint64_t size) const noexcept {
  const auto [first, last] = chunk_range(offset, size);
  for (std::uint64_t i = first; i < last; ++i)
    if (!passed_[i].load(std::memory_order_acquire)) return false;
  return true;
}

void PayloadIntegrity::verify_all() const {
  verify_chunks_parallel(0, table_.size() / 8);
}

void PayloadIntegrity::verify_all(std::span<const std::uint64_t> computed) const {
  if (!seeded_ || computed.size() != table_.size() / 8) return verify_all();
  for (std::uint64_t i = 0; i < computed.size(); ++i) check_chunk(i, computed[i]);
}

namespace {

class RangeCheck final : public LazyCheck {
 public:
  RangeCheck(std::shared_ptr<const PayloadIntegrity> integrity, std::uint64_t offset,
             std::uint64_t size)
      : integrity_(std::move(integrity)), offset_(offset), size_(size) {}

 private:
  void run() const override { (void)integrity_->verify(offset_, size_); }

  std::shared_ptr<const PayloadIntegrity> integrity_;
  std::uint64_t offset_;
  std::uint64_t size_;
};

}  // namespace

std::shared_ptr<const LazyCheck> lazy_range_check(std::shared_ptr<const PayloadIntegrity> integrity,
                                                  std::uint64_t offset, std::uint64_t size) {
  if (integrity->verified(offset, size)) return nullptr;
  return std::make_shared<RangeCheck>(std::move(integrity), offset, size);
}

std::string write_trailer(std::span<const std::byte> payload) {
  detail::ChunkHasher hasher;
  hasher.update(payload.data(), payload.size());
  return detail::chunk_trailer(hasher.finish());
}

std::string write_header(Header& h, std::uint64_t payload_size) {
  const std::string text = detail::header_json(h);
  h.header_size = text.size();
  h.payload_offset = round_up(kPreludeSize + text.size(), kPayloadAlignment);
  h.payload_size = payload_size;
  std::string out(h.payload_offset, '\0');
  auto* p = reinterpret_cast<std::byte*>(out.data());
  std::memcpy(p, kMagic.data(), kMagic.size());
  store_le<std::uint16_t>(p + prelude_offset::kContainerVersion, h.container_version);
  store_le<std::uint16_t>(p + prelude_offset::kMinContainerVersion, h.min_container_version);
  store_le<std::uint32_t>(p + prelude_offset::kHeaderSize, static_cast<std::uint32_t>(text.size()));
  store_le<std::uint64_t>(p + prelude_offset::kPayloadOffset, h.payload_offset);
  store_le<std::uint64_t>(p + prelude_offset::kPayloadSize, payload_size);
  std::memcpy(p + kPreludeSize, text.data(), text.size());
  store_le<std::uint64_t>(p + prelude_offset::kHeaderChecksum,
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
  m.insert(h.container_version < 2 ? "payload_xxh3" : "chunk_table_xxh3", std::string(checksum));
  m.insert("checksummed_chunks", chunk_count(h.container_version, h.payload_size));
  m.insert("metadata", h.metadata);
  return m;
}

}  // namespace mlpersist
