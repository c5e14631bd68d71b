#include "detail/chunk_hash.hpp"

#include <algorithm>
#include <mlpersist/endian.hpp>
#include <mlpersist/envelope.hpp>
#include <new>

namespace mlpersist::detail {

ChunkHasher::~ChunkHasher() = default;

void ChunkHasher::start_chunk() {
  // Created on first need: small payloads, fed whole to finish(), never stream.
  if (!state_) state_.reset(XXH3_createState());
  if (!state_) throw std::bad_alloc();
  XXH3_64bits_reset_withSeed(state_.get(), hashes_.size());
  in_chunk_ = 0;
}

void ChunkHasher::update(const std::byte* data, std::size_t size) {
  while (size > 0) {
    // Whole chunks hash in one call, without the streaming state's copying.
    if (in_chunk_ == 0 && size >= kChunkSize) {
      hashes_.push_back(XXH3_64bits_withSeed(data, kChunkSize, hashes_.size()));
      data += kChunkSize;
      size -= kChunkSize;
      continue;
    }
    if (in_chunk_ == 0) start_chunk();
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(size, kChunkSize - in_chunk_));
    XXH3_64bits_update(state_.get(), data, n);
    in_chunk_ += n;
    data += n;
    size -= n;
    if (in_chunk_ == kChunkSize) {
      hashes_.push_back(XXH3_64bits_digest(state_.get()));
      in_chunk_ = 0;
    }
  }
}

std::vector<std::uint64_t> ChunkHasher::finish(std::span<const std::byte> last) {
  if (in_chunk_ == 0 && last.size() < kChunkSize) {
    if (!last.empty())
      hashes_.push_back(XXH3_64bits_withSeed(last.data(), last.size(), hashes_.size()));
    return std::move(hashes_);
  }
  update(last.data(), last.size());
  if (in_chunk_ > 0) hashes_.push_back(XXH3_64bits_digest(state_.get()));
  in_chunk_ = 0;
  return std::move(hashes_);
}

std::string chunk_trailer(const std::vector<std::uint64_t>& hashes) {
  std::string out((hashes.size() + 1) * 8, '\0');
  auto* p = reinterpret_cast<std::byte*>(out.data());
  for (std::size_t i = 0; i < hashes.size(); ++i) store_le<std::uint64_t>(p + 8 * i, hashes[i]);
  store_le<std::uint64_t>(p + 8 * hashes.size(), XXH3_64bits(p, 8 * hashes.size()));
  return out;
}

}  // namespace mlpersist::detail
