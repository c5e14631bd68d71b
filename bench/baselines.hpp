#pragma once

// The rows mlpersist is measured against: the machine's limits (memcpy, raw write(), read(),
// mmap) each given the best this machine offers, and the peers used as their documentation
// recommends (cereal and Boost.Serialization binary archives, msgpack-c with a bin blob and
// zero-copy references, RapidJSON at full precision).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "harness.hpp"

namespace bench {

/// What every large row moves: a KNeighborsClassifier's state (a float64 training matrix and
/// int64 class indices); the limits move the bytes of its binary artifact, the same bytes the
/// library writes and reads, and the peers serialise the two arrays.
struct Subject {
  std::filesystem::path dir;  ///< scratch directory (tmpfs when there is one)
  std::span<const double> x;
  std::span<const std::int64_t> y;
  std::span<const std::byte> artifact;
  [[nodiscard]] std::size_t state_bytes() const { return x.size_bytes() + y.size_bytes(); }
};

/// Reads every element (as 64-bit words, summed): the "touch" of a mapped load.
std::uint64_t touch_words(const std::byte* data, std::size_t bytes);
/// Throws std::runtime_error naming `what` unless `got` holds `want` exactly.
void expect_bytes(std::span<const std::byte> want, const void* got, std::size_t size,
                  const std::string& what);
/// Writes `bytes` to `file` with plain write() calls.
void write_file(const std::filesystem::path& file, std::span<const std::byte> bytes);

namespace row {
inline const std::string kMemcpyMalloc = "limit: memcpy into malloc";
inline const std::string kMemcpyHuge = "limit: memcpy into huge pages";
inline const std::string kWrite = "limit: raw write()";
inline const std::string kReadMalloc = "limit: raw read() into malloc";
inline const std::string kReadHuge = "limit: raw read() into huge pages";
inline const std::string kMmapTouch = "limit: raw mmap + touch";
inline const std::string kCerealSave = "cereal save, file";
inline const std::string kCerealLoad = "cereal load, file";
inline const std::string kBoostSave = "Boost save, file";
inline const std::string kBoostLoad = "Boost load, file";
inline const std::string kMsgpackSaveFile = "msgpack-c save, file";
inline const std::string kMsgpackLoadFile = "msgpack-c load, file (zero-copy bin)";
inline const std::string kMsgpackSaveBytes = "msgpack-c save, bytes";
inline const std::string kMsgpackLoadBytes = "msgpack-c load, bytes (copy of the bin)";
inline const std::string kMsgpackLoadShared = "msgpack-c load, bytes (zero-copy bin)";
inline const std::string kRapidJsonSave = "RapidJSON save, file";
inline const std::string kRapidJsonLoad = "RapidJSON load, file";
}  // namespace row

void add_limits(Harness& h, const Subject& s);
/// XXH3-64 on one core: over the subject in 256 KiB chunks (from memory) and over one chunk
/// that stays in cache (the hash's own speed).
void add_hash_speed(Harness& h, const Subject& s);
void add_archive_peers(Harness& h, const Subject& s);
void add_msgpack_peer(Harness& h, const Subject& s);
/// RapidJSON over `s` (a smaller subject: text formats are 20× slower), rows named with `size`.
void add_rapidjson_peer(Harness& h, const Subject& s);

}  // namespace bench
