#include "colliding_keys.hpp"

#include <cstdint>
#include <cstring>

namespace mlpersist::test {
namespace {

// libstdc++ (hash_bytes.cc, 64-bit size_t): h = seed ^ (len * kMul); for each 8-byte block k,
// h = (h ^ mix(k)) * kMul, with mix(k) = shift_mix(k * kMul) * kMul; then a final mix that does
// not depend on the input. Each block's mix is a bijection, so for two-block keys any first
// block can be paired with a second block that brings h back to one chosen value.
constexpr std::uint64_t kMul = 0xc6a4a7935bd1e995ull;
constexpr std::uint64_t kSeed = 0xc70f6907ull;
constexpr std::uint64_t kTarget = 0x5eed5eed5eed5eedull;

constexpr std::uint64_t shift_mix(std::uint64_t v) {
  return v ^ (v >> 47);
}

// kMul is odd, so it has an inverse modulo 2^64 (Newton's iteration doubles the correct bits).
constexpr std::uint64_t inverse(std::uint64_t a) {
  std::uint64_t x = a;
  for (int i = 0; i < 6; ++i) x *= 2 - a * x;
  return x;
}
constexpr std::uint64_t kMulInverse = inverse(kMul);
static_assert(kMul * kMulInverse == 1);

constexpr std::uint64_t mix(std::uint64_t k) {
  return shift_mix(k * kMul) * kMul;
}
// shift_mix with a shift of 47 > 32 is its own inverse.
constexpr std::uint64_t unmix(std::uint64_t d) {
  return shift_mix(d * kMulInverse) * kMulInverse;
}
static_assert(unmix(mix(0x0123456789abcdefull)) == 0x0123456789abcdefull);

// Every byte in 1..127: ASCII, so the key is valid UTF-8 (one block in 270 qualifies; printable
// bytes only would take ten times as many tries).
bool ascii(std::uint64_t block) {
  return (block & 0x8080808080808080ull) == 0 &&
         ((block - 0x0101010101010101ull) & ~block & 0x8080808080808080ull) == 0;
}

// Little-endian bytes of a block, as the hash loads them on x86-64 and the other hosts CI uses.
void append_block(std::string& out, std::uint64_t block) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>(block >> (8 * i));
}

std::uint64_t first_block(std::uint64_t counter) {
  std::uint64_t block = 0;
  for (int i = 0; i < 8; ++i) {
    block |= std::uint64_t{static_cast<unsigned char>('A' + counter % 26)} << (8 * i);
    counter /= 26;
  }
  return block;
}

}  // namespace

std::vector<std::string> std_hash_colliding_keys(std::size_t n) {
  std::vector<std::string> keys;
  const std::uint64_t start = kSeed ^ (16 * kMul);
  for (std::uint64_t counter = 0; keys.size() < n; ++counter) {
    const std::uint64_t k1 = first_block(counter);
    const std::uint64_t after_first = (start ^ mix(k1)) * kMul;
    const std::uint64_t k2 = unmix(kTarget ^ after_first);
    if (!ascii(k2)) continue;
    std::string key;
    append_block(key, k1);
    append_block(key, k2);
    keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace mlpersist::test
