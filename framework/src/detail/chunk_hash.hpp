#pragma once

#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace mlpersist::detail {

/// Hashes a payload that arrives in pieces into container 2's chunk table: XXH3-64 of each
/// kChunkSize chunk, seeded with the chunk's index. Feeding is sequential; a caller may feed a
/// large block on another thread while it writes or reads the same bytes (see HashingSink).
class ChunkHasher {
 public:
  ChunkHasher() = default;
  ChunkHasher(ChunkHasher&&) noexcept = default;
  ChunkHasher& operator=(ChunkHasher&&) noexcept = default;
  ~ChunkHasher();

  void update(const std::byte* data, std::size_t size);
  /// Feeds `last`, then returns the hashes of every chunk, the last (partial) one included.
  /// Call once. A payload that arrives whole this way is hashed without a streaming state.
  [[nodiscard]] std::vector<std::uint64_t> finish(std::span<const std::byte> last = {});

 private:
  struct StateDeleter {
    void operator()(XXH3_state_t* s) const noexcept { XXH3_freeState(s); }
  };
  void start_chunk();

  std::unique_ptr<XXH3_state_t, StateDeleter> state_;
  std::uint64_t in_chunk_ = 0;  // bytes fed into the current, unfinished chunk
  std::vector<std::uint64_t> hashes_;
};

/// The trailer for a finished chunk table: the hashes, little-endian, then their checksum.
[[nodiscard]] std::string chunk_trailer(const std::vector<std::uint64_t>& hashes);

/// Blocks at least this large are hashed on a second thread while they are written or read:
/// XXH3 runs at ~10 GB/s, a write to the page cache at ~3, so overlapping them hides the hash.
inline constexpr std::size_t kParallelHashThreshold = std::size_t{8} << 20;

}  // namespace mlpersist::detail
