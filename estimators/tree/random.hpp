#pragma once

// The two random streams scikit-learn's trees and forests draw from, reproduced exactly so that
// a given random_state grows the same trees as scikit-learn 1.2 does.

#include <cstdint>
#include <random>

#include "common/numpy_random.hpp"

namespace mlpersist::tree {

/// NumPy's legacy RandomState, shared with the other estimators that reproduce scikit-learn's
/// random choices.
using NumpyRandomState = common::NumpyRandomState;

/// The largest value scikit-learn draws seeds below (`np.iinfo(np.int32).max`, its RAND_R_MAX).
inline constexpr std::uint32_t kRandRMax = 0x7FFFFFFF;

/// A seed for a tree's splitter or a forest's member, as scikit-learn draws it from a
/// RandomState: `randint(0, RAND_R_MAX)`.
[[nodiscard]] inline std::uint32_t draw_seed(NumpyRandomState& random_state) {
  return static_cast<std::uint32_t>(random_state.randint(kRandRMax));
}

/// The splitter's generator: scikit-learn's `our_rand_r` (a 32-bit xorshift) and `rand_int`.
class SplitterRandom {
 public:
  explicit SplitterRandom(std::uint32_t seed) : state_(seed) {}

  /// Uniform-ish in [low, high) exactly as scikit-learn computes it (modulo, not rejection).
  [[nodiscard]] std::int64_t rand_int(std::int64_t low, std::int64_t high) {
    return low + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(high - low));
  }

  /// In [low, high) as scikit-learn's rand_uniform computes it (ExtraTrees' thresholds).
  [[nodiscard]] double uniform(double low, double high) {
    return (high - low) * static_cast<double>(next()) / static_cast<double>(kRandRMax) + low;
  }

 private:
  std::uint32_t next() {
    if (state_ == 0) state_ = 1;  // xorshift is stuck at zero; scikit-learn's DEFAULT_SEED
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return state_ % (kRandRMax + 1U);
  }

  std::uint32_t state_;
};

}  // namespace mlpersist::tree
