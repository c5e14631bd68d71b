#pragma once

// Grows one HistGradientBoosting tree from binned data and float32 gradients, as scikit-learn
// 1.2's TreeGrower and Splitter do, in the same arithmetic and the same order (histograms summed
// in double in partition order, the larger child's histogram by subtraction, splittable leaves
// in a binary heap ordered by gain exactly as Python's heapq orders them), so that the trees are
// scikit-learn's to the bit.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "hgb_binning.hpp"
#include "hgb_predictor.hpp"
#include "hgb_splitter.hpp"

namespace mlpersist::ensemble::hgb {

struct GrowerOptions {
  std::optional<std::int64_t> max_leaf_nodes;
  std::optional<std::int64_t> max_depth;
  std::int64_t min_samples_leaf = 20;
  double l2_regularization = 0;
  double shrinkage = 1;
  double min_hessian_to_split = 1e-3;
};

/// What the grower reads about the features (fixed for a whole fit).
struct FeatureInfo {
  std::vector<std::uint32_t> n_bins_non_missing;
  std::vector<std::uint8_t> has_missing_values;
  std::vector<std::uint8_t> is_categorical;
  std::uint32_t missing_values_bin_idx = 255;
};

class TreeGrower {
 public:
  /// `hessians` holds one value per sample, or a single value when hessians are constant.
  TreeGrower(const BinnedData& X, const std::vector<float>& gradients,
             const std::vector<float>& hessians, const FeatureInfo& features,
             const GrowerOptions& options);
  ~TreeGrower();
  TreeGrower(const TreeGrower&) = delete;
  TreeGrower& operator=(const TreeGrower&) = delete;

  /// Grows the tree and applies the shrinkage to the leaves.
  void grow();
  /// Number of leaves, and each leaf's samples (indices into X) and value.
  [[nodiscard]] std::size_t n_leaves() const noexcept { return leaves_.size(); }
  [[nodiscard]] std::span<const std::uint32_t> leaf_samples(std::size_t leaf) const;
  [[nodiscard]] double leaf_value(std::size_t leaf) const;
  /// Replaces a leaf's value (losses whose leaves are re-fitted: absolute_error).
  void set_leaf_value(std::size_t leaf, double value);
  /// The predictor, with numeric thresholds and raw category bitsets taken from `mapper`.
  [[nodiscard]] TreePredictor make_predictor(const BinMapper& mapper) const;

  struct GrowerNode;

 private:
  void initialize_root();
  void compute_best_split_and_push(std::size_t node);
  void split_next();
  void finalize_leaf(std::size_t node);
  void heap_push(std::size_t node);
  std::size_t heap_pop();
  void build_histogram(GrowerNode& node) const;
  std::size_t split_indices(const GrowerNode& node);
  void fill_predictor(TreePredictor& out, const BinMapper& mapper, std::size_t node,
                      std::uint32_t& next_bitset) const;

  const BinnedData& X_;
  const std::vector<float>& gradients_;
  const std::vector<float>& hessians_;
  const FeatureInfo& features_;
  GrowerOptions options_;
  bool hessians_are_constant_;
  SplitterContext ctx_;
  std::vector<std::uint32_t> partition_;
  std::vector<GrowerNode> nodes_;
  std::vector<std::size_t> heap_;
  std::vector<std::size_t> leaves_;
};

}  // namespace mlpersist::ensemble::hgb
