#pragma once

// HistGradientBoosting's binning, as scikit-learn 1.2's _BinMapper: each feature's values are
// mapped to small bin indices (uint8) from thresholds found once in fit; NaN gets the last bin.

#include <cstdint>
#include <mlpersist/estimator.hpp>
#include <vector>

#include "common/numpy_random.hpp"

namespace mlpersist::ensemble::hgb {

/// scikit-learn's ALMOST_INF: thresholds are clipped to it, so +inf lands in the last bin.
inline constexpr double kAlmostInf = 1e300;
/// Bitsets over bin indices or category values: 8 words of 32 bits (values 0..255).
inline constexpr std::size_t kBitsetWords = 8;
using Bitset = std::array<std::uint32_t, kBitsetWords>;

[[nodiscard]] inline bool in_bitset(const Bitset& b, unsigned v) noexcept {
  return v < 256 && ((b[v / 32] >> (v % 32)) & 1U) != 0;
}
inline void set_bitset(Bitset& b, unsigned v) noexcept {
  b[v / 32] |= 1U << (v % 32);
}

/// Binned data, column by column (a split reads one feature of many samples).
struct BinnedData {
  std::int64_t n_samples = 0;
  std::vector<std::vector<std::uint8_t>> columns;
};

/// The fitted bin mapper: per feature, the increasing thresholds (numeric features) or the
/// known categories (categorical ones); a value x falls in bin i when
/// thresholds[i-1] < x <= thresholds[i].
struct BinMapper {
  std::vector<std::vector<double>> thresholds;
  std::vector<std::uint8_t> is_categorical;
  /// max_bins: the index of the missing-values bin.
  std::uint32_t missing_values_bin_idx = 255;

  /// Finds the thresholds on X's rows (all of them, or the `subsample` that scikit-learn draws
  /// with RandomState(seed).choice when there are more). Categories are given for categorical
  /// features (already checked by the caller).
  static BinMapper fit(const MatrixView& X, std::uint32_t max_bins,
                       const std::vector<std::uint8_t>& is_categorical,
                       std::vector<std::vector<double>> categories, std::uint32_t seed);
  [[nodiscard]] BinnedData transform(const MatrixView& X) const;
  [[nodiscard]] std::uint32_t n_bins_non_missing(std::size_t feature) const {
    return static_cast<std::uint32_t>(thresholds[feature].size() +
                                      (is_categorical[feature] ? 0 : 1));
  }
};

/// Thresholds of one numeric column (NaN ignored): midpoints between distinct values when there
/// are at most max_bins of them, else NumPy's 'midpoint' percentiles.
[[nodiscard]] std::vector<double> find_thresholds(std::vector<double> column,
                                                  std::uint32_t max_bins);

/// NumPy's legacy `RandomState.permutation(n)` (a Fisher-Yates shuffle of 0..n-1).
[[nodiscard]] std::vector<std::int64_t> numpy_permutation(common::NumpyRandomState& rng,
                                                          std::int64_t n);
/// Shuffles `v` in place as `RandomState.shuffle` does.
void numpy_shuffle(common::NumpyRandomState& rng, std::vector<std::int64_t>& v);

}  // namespace mlpersist::ensemble::hgb
