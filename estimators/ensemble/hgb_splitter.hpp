#pragma once

// The best split of one node from its histograms, as scikit-learn 1.2's Splitter finds it:
// numeric features scanned left to right (missing values to the right) and, when the feature
// had missing values in fit, right to left (missing values to the left); categorical features
// by sorting their categories on gradient / (hessian + 10).

#include <cstdint>
#include <vector>

#include "hgb_binning.hpp"

namespace mlpersist::ensemble::hgb {

/// One histogram bin: sums in double of the float32 gradients and hessians, and the count.
struct HistBin {
  double sum_gradients = 0;
  double sum_hessians = 0;
  std::uint32_t count = 0;
};

struct SplitInfo {
  double gain = -1;
  std::int64_t feature_idx = 0;
  std::uint32_t bin_idx = 0;
  bool missing_go_to_left = false;
  double sum_gradient_left = 0, sum_hessian_left = 0;
  double sum_gradient_right = 0, sum_hessian_right = 0;
  std::uint32_t n_samples_left = 0, n_samples_right = 0;
  double value_left = 0, value_right = 0;
  bool is_categorical = false;
  Bitset left_cat_bitset{};
};

struct SplitterContext {
  const std::vector<std::uint32_t>* n_bins_non_missing;
  const std::vector<std::uint8_t>* has_missing_values;
  const std::vector<std::uint8_t>* is_categorical;
  std::uint32_t missing_values_bin_idx;
  std::uint32_t n_bins;  // histogram stride: max_bins + 1
  bool hessians_are_constant;
  std::int64_t min_samples_leaf;
  double min_hessian_to_split;
  double l2_regularization;
};

/// -G / (H + l2 + 1e-15): a node's value before shrinkage.
[[nodiscard]] inline double compute_node_value(double sum_gradient, double sum_hessian, double l2) {
  return -sum_gradient / (sum_hessian + l2 + 1e-15);
}

/// The best split over all features of a node with `n_samples` samples, its gradient and
/// hessian sums and its value; gain -1 when no split satisfies the constraints.
[[nodiscard]] SplitInfo find_node_split(const SplitterContext& ctx,
                                        const std::vector<HistBin>& histograms,
                                        std::uint32_t n_samples, double sum_gradients,
                                        double sum_hessians, double value);

/// Whether a sample in bin `bin` goes to the left child of `split`.
[[nodiscard]] inline bool sample_goes_left(const SplitInfo& split, std::uint8_t bin,
                                           std::uint32_t missing_bin) {
  if (split.is_categorical) return in_bitset(split.left_cat_bitset, bin);
  return (split.missing_go_to_left && bin == missing_bin) || bin <= split.bin_idx;
}

}  // namespace mlpersist::ensemble::hgb
