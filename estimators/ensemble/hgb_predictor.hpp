#pragma once

// One fitted HistGradientBoosting tree, laid out as scikit-learn 1.2's TreePredictor: nodes in
// depth-first order (left child first) with scikit-learn's node record fields, and the left-child
// category bitsets of its categorical splits (over bin indices and over raw category values).

#include <cstdint>
#include <mlpersist/estimator.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/value.hpp>
#include <vector>

#include "hgb_binning.hpp"

namespace mlpersist::ensemble::hgb {

/// scikit-learn's PREDICTOR_RECORD_DTYPE, field for field.
struct PredictorNode {
  double value = 0;
  std::uint32_t count = 0;
  std::int64_t feature_idx = 0;
  double num_threshold = 0;
  bool missing_go_to_left = false;
  std::uint32_t left = 0;
  std::uint32_t right = 0;
  double gain = 0;
  std::uint32_t depth = 0;
  bool is_leaf = false;
  std::uint8_t bin_threshold = 0;
  bool is_categorical = false;
  std::uint32_t bitset_idx = 0;
};

/// What load checks a tree against: the model's features and bins.
struct TreeLimits {
  std::int64_t n_features = 0;
  std::uint32_t missing_values_bin_idx = 255;
  const std::vector<std::uint8_t>* is_categorical = nullptr;
};

/// What predict reads of a node, in half the bytes of PredictorNode (more trees stay in cache).
/// A leaf's children are the leaf itself, so that in a block of rows (add_block) a row that
/// reached its leaf stays there while the others step on.
struct WalkNode {
  enum Kind : std::uint8_t { kNumeric, kCategorical, kLeaf };
  double threshold;        // a leaf's value
  std::uint32_t child[2];  // left, right
  std::uint32_t feature;
  std::uint32_t bitset;
  Kind kind;
  bool missing_go_to_left;
};

struct TreePredictor {
  std::vector<PredictorNode> nodes;
  std::vector<Bitset> binned_left_cat_bitsets;
  std::vector<Bitset> raw_left_cat_bitsets;
  std::vector<WalkNode> walk;    // built from nodes by compile()
  bool has_categorical = false;  // set by compile()

  /// Rows add_block moves through a tree side by side.
  static constexpr Eigen::Index kBlockRows = 16;

  /// Builds `walk` (after the nodes were made or loaded and checked).
  void compile();

  /// The value of the leaf that a raw row (n_features values) reaches. `known` holds, per feature,
  /// the bitset of categories seen in fit (empty for numeric features): unknown categories go where
  /// missing values go, as in scikit-learn.
  [[nodiscard]] double predict_row(const double* row, const std::vector<Bitset>& known) const;
  /// Adds to sums[r] the leaf value of row first + r of X, for r < count <= kBlockRows. Trees
  /// without categorical splits step the rows down together, one level at a time without a
  /// branch per node, so that their reads overlap instead of waiting on mispredicted
  /// comparisons; the others go row by row (predict_row).
  void add_block(const MatrixView& X, Eigen::Index first, Eigen::Index count,
                 const std::vector<Bitset>& known, double* sums) const;
  /// The leaf value for binned sample i (validation data during fit).
  [[nodiscard]] double predict_binned(const BinnedData& data, std::size_t i,
                                      std::uint8_t missing_bin) const;

  void save(Map& out) const;
  /// Reads and validates a tree: children after their parent (no cycles), indices in range,
  /// features and bitsets consistent with `limits`. Throws SchemaError naming the field.
  static TreePredictor load(const Node& n, const TreeLimits& limits);
};

}  // namespace mlpersist::ensemble::hgb
