#pragma once

// NumPy's legacy `RandomState(seed)`, reproduced draw for draw, so that an estimator given
// scikit-learn's random_state makes scikit-learn's random choices (k-means++ seeding).

#include <cstdint>
#include <random>

namespace mlpersist::common {

/// MT19937 seeded with one 32-bit integer (NumPy's init_genrand is std::mt19937's constructor)
/// with RandomState's `randint` (masked rejection) and `random_sample` (53-bit) on top.
class NumpyRandomState {
 public:
  explicit NumpyRandomState(std::uint32_t seed) : mt_(seed) {}

  /// `randint(high)`: uniform in [0, high), high >= 1. NumPy draws nothing when high is 1.
  [[nodiscard]] std::uint64_t randint(std::uint64_t high) {
    const std::uint64_t range = high - 1;
    if (range == 0) return 0;
    std::uint64_t mask = range;
    for (int shift = 1; shift < 64; shift *= 2) mask |= mask >> shift;
    for (;;) {
      // Ranges that fit 32 bits take one 32-bit draw per try, wider ones two (high word first).
      std::uint64_t v = next32();
      if (range > 0xFFFFFFFFU) v = (v << 32) | next32();
      if ((v & mask) <= range) return v & mask;
    }
  }

  /// `random_sample()`: uniform in [0, 1) from two draws (27 + 26 bits).
  [[nodiscard]] double random_sample() {
    const std::uint64_t a = next32() >> 5, b = next32() >> 6;
    return (static_cast<double>(a) * 67108864.0 + static_cast<double>(b)) / 9007199254740992.0;
  }

 private:
  std::uint64_t next32() { return static_cast<std::uint64_t>(mt_()); }

  std::mt19937 mt_;
};

}  // namespace mlpersist::common
