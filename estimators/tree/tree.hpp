#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <mlpersist/estimator.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/value.hpp>
#include <span>
#include <vector>

namespace mlpersist::tree {

/// Impurity measure: gini and entropy ('log_loss' is scikit-learn's alias) grow classification
/// trees; squared_error, friedman_mse, absolute_error (leaves hold weighted medians) and poisson
/// (half Poisson deviance; targets >= 0) regression trees.
enum class Criterion : std::uint8_t {
  kGini,
  kEntropy,
  kSquaredError,
  kFriedmanMse,
  kAbsoluteError,
  kPoisson
};

/// True for the criteria of regression trees.
[[nodiscard]] constexpr bool is_regression(Criterion c) noexcept {
  return c != Criterion::kGini && c != Criterion::kEntropy;
}

/// How one tree grows: scikit-learn's parameters, already resolved against the data.
struct GrowthOptions {
  Criterion criterion = Criterion::kGini;
  std::int64_t max_depth = std::numeric_limits<std::int32_t>::max();  ///< scikit-learn's "None"
  std::int64_t min_samples_split = 2;
  std::int64_t min_samples_leaf = 1;
  std::int64_t max_features = 1;  ///< features examined per split, in [1, n_features]
  /// ExtraTrees' splitter: one threshold drawn uniformly between each feature's node minimum
  /// and maximum instead of the best of all thresholds.
  bool random_splits = false;
};

/// scikit-learn fits and predicts on float32 features; thresholds stay float64. Rounding like
/// NumPy's astype (overflow to ±inf) reproduces its splits and its predictions exactly.
[[nodiscard]] float to_float32(double x) noexcept;

/// Rows to predict, rounded to float32 once (as scikit-learn's trees see them), row-major.
/// A Matrix converts implicitly; ensembles convert once for all their trees.
class Float32Rows {
 public:
  Float32Rows(const MatrixView& X);  // NOLINT(google-explicit-constructor)
  // A Matrix reaches the view through a conversion of its own, so it needs its own door.
  Float32Rows(const Matrix& X) : Float32Rows(MatrixView(X)) {}  // NOLINT
  [[nodiscard]] Eigen::Index rows() const noexcept { return rows_; }
  [[nodiscard]] const float* row(Eigen::Index i) const noexcept {
    return values_.data() + i * cols_;
  }

 private:
  Eigen::Index rows_, cols_;
  std::vector<float> values_;
};

/// scikit-learn 1.4's `value` row of a node: each weighted class count divided by their total,
/// summed in class order (as predict_proba normalised counts before schema 2), so that
/// probabilities are bit-identical to those of schema 1 trees; all zero when the total is zero.
/// `fractions` has as many elements as `counts`.
void class_fractions(std::span<const double> counts, std::span<double> fractions) noexcept;

/// Training data in the splitter's layout: float32 columns, and either class indices
/// 0..n_classes-1 (classification) or float64 targets (regression, n_classes() == 1).
class TrainingSet {
 public:
  /// `y` holds class indices in [0, n_classes), one per row of X.
  TrainingSet(const MatrixView& X, std::vector<std::int32_t> y, std::int32_t n_classes);
  /// Regression targets, one per row of X.
  TrainingSet(const MatrixView& X, const Vector& targets);

  [[nodiscard]] std::int64_t n_samples() const noexcept { return n_samples_; }
  [[nodiscard]] std::int64_t n_features() const noexcept { return n_features_; }
  [[nodiscard]] std::int32_t n_classes() const noexcept { return n_classes_; }
  [[nodiscard]] float x(std::int64_t sample, std::int64_t feature) const noexcept {
    return columns_[static_cast<std::size_t>(feature * n_samples_ + sample)];
  }
  [[nodiscard]] std::int32_t y(std::int64_t sample) const noexcept {
    return y_[static_cast<std::size_t>(sample)];
  }
  [[nodiscard]] bool is_regression() const noexcept { return !targets_.empty(); }
  [[nodiscard]] double target(std::int64_t sample) const noexcept {
    return targets_[static_cast<std::size_t>(sample)];
  }
  /// The same features with other regression targets (gradient boosting's residuals).
  void set_targets(const Vector& targets);

 private:
  std::int64_t n_samples_;
  std::int64_t n_features_;
  std::int32_t n_classes_;
  std::vector<float> columns_;  // feature-major: one column's values are contiguous
  std::vector<std::int32_t> y_;
  std::vector<double> targets_;
};

/// A fitted binary tree in scikit-learn's array layout (`tree_`): node i has children_left[i],
/// children_right[i] (kLeaf for leaves), a split on feature[i] at threshold[i] (x <= threshold
/// goes left), and value[i]: for a classification tree the class fractions of the node's
/// weighted samples (scikit-learn >= 1.4; schema 1 saved weighted class counts, see
/// tree_migrations.hpp), which sum to 1 up to rounding, or are all zero for an empty node; for a
/// regression tree one number, the node's prediction (the weighted mean of its targets, their
/// weighted median for absolute_error, or what gradient boosting put in its leaves).
///
/// Invariant, relied on by apply(): every child has a larger index than its parent and every
/// node but the root has exactly one parent. The tree is therefore acyclic and every path from
/// the root reaches a leaf within node_count steps. scikit-learn's depth-first builder numbers
/// nodes in pre-order, so its trees satisfy this; load() refuses trees that do not.
class Tree {
 public:
  static constexpr std::int64_t kLeaf = -1;       ///< children of a leaf
  static constexpr std::int64_t kUndefined = -2;  ///< feature and threshold of a leaf
  /// How far a loaded value row may sum from 1, in DBL_EPSILONs per class. The n rounded
  /// fractions are off by at most epsilon / 2 in all, and each of the n - 1 additions (partial
  /// sums below 2) by at most epsilon / 2: under n / 2 epsilons; this allows four times that.
  static constexpr double kFractionSumUlpsPerClass = 2.0;

  /// Grows a tree, like scikit-learn's best splitter and depth-first builder, on the samples
  /// with non-zero weight (`sample_weight` empty: every sample once). `seed` starts the
  /// splitter's feature sampling.
  [[nodiscard]] static Tree fit(const TrainingSet& data, std::span<const double> sample_weight,
                                const GrowthOptions& options, std::uint32_t seed);

  /// Restores and validates the node arrays of `state` (see the class invariant; every value
  /// row holds fractions in [0, 1] that sum to 1 within kFractionSumUlpsPerClass epsilons per
  /// class, or only zeros): throws SchemaError naming the offending array.
  [[nodiscard]] static Tree load(const Node& state, std::int64_t n_features,
                                 std::int64_t n_classes);
  /// Restores a regression tree: as load(), with one finite value per node.
  [[nodiscard]] static Tree load_regression(const Node& state, std::int64_t n_features);
  /// Adds node_count, max_depth and the node arrays to `out`.
  void save(Map& out) const;

  [[nodiscard]] std::int64_t node_count() const noexcept {
    return static_cast<std::int64_t>(children_left_.size());
  }
  [[nodiscard]] std::int64_t max_depth() const noexcept { return max_depth_; }
  [[nodiscard]] std::int64_t n_leaves() const noexcept;
  [[nodiscard]] std::int64_t n_classes() const noexcept { return n_classes_; }
  [[nodiscard]] const std::vector<std::int64_t>& children_left() const { return children_left_; }
  [[nodiscard]] const std::vector<std::int64_t>& children_right() const { return children_right_; }
  [[nodiscard]] const std::vector<std::int64_t>& feature() const { return feature_; }
  [[nodiscard]] const std::vector<double>& threshold() const { return threshold_; }
  [[nodiscard]] const std::vector<double>& impurity() const { return impurity_; }
  [[nodiscard]] const std::vector<std::int64_t>& n_node_samples() const { return n_node_samples_; }
  [[nodiscard]] const std::vector<double>& weighted_n_node_samples() const {
    return weighted_n_node_samples_;
  }
  /// Class fractions of `node` (n_classes values), or its one regression value.
  [[nodiscard]] std::span<const double> value(std::int64_t node) const noexcept {
    return {value_.data() + node * n_classes_, static_cast<std::size_t>(n_classes_)};
  }
  /// Replaces a regression node's value (gradient boosting's leaf updates).
  void set_value(std::int64_t node, double v) noexcept {
    value_[static_cast<std::size_t>(node)] = v;
  }

  /// The leaf each row of X ends in. X must have the fitted number of columns.
  [[nodiscard]] std::vector<std::int64_t> apply(const MatrixView& X) const;
  /// Rows a traversal moves through a tree side by side (see leaves()).
  static constexpr Eigen::Index kBlockRows = 16;
  /// The leaf each of the rows [first, first + count) of X ends in, count <= kBlockRows, into
  /// `out`. The rows step down the tree together, one level at a time without a branch per
  /// node, so that their memory reads overlap instead of waiting on each other and on
  /// mispredicted comparisons.
  void leaves(const Float32Rows& X, Eigen::Index first, Eigen::Index count,
              std::uint32_t* out) const noexcept;
  /// Calls f(row, leaf) for every row of X, in row order, kBlockRows rows at a time.
  template <class F>
  void for_each_leaf(const Float32Rows& X, F&& f) const {
    std::uint32_t block[kBlockRows];
    for (Eigen::Index first = 0; first < X.rows(); first += kBlockRows) {
      const Eigen::Index count = std::min(kBlockRows, X.rows() - first);
      leaves(X, first, count, block);
      for (Eigen::Index r = 0; r < count; ++r) f(first + r, block[r]);
    }
  }
  /// Class fractions of each row's leaf (scikit-learn's `tree_.predict`).
  [[nodiscard]] Matrix leaf_values(const MatrixView& X) const;
  /// Adds each row's leaf class fractions to `proba`.
  void accumulate_proba(const Float32Rows& X, Matrix& proba) const;
  /// Adds scale * (each row's leaf value) to out(row, column) (a regression tree).
  void accumulate_values(const Float32Rows& X, double scale, Matrix& out,
                         Eigen::Index column) const;
  /// Mean decrease in impurity per feature, normalised to sum to 1 (all zero for a stump) unless
  /// `normalize` is false.
  [[nodiscard]] Vector feature_importances(std::int64_t n_features, bool normalize = true) const;

 private:
  friend class TreeBuilder;
  // The node arrays but value, checked (load's shared part).
  [[nodiscard]] static Tree load_nodes(const Node& state, std::int64_t n_features,
                                       std::int64_t n_values);

  // What a traversal reads of a node, in 16 bytes, where the saved arrays spread a node over
  // four cache lines: the feature, the children, and the threshold as the largest float not
  // above the float64 one, which sends every float32 x the same way. A leaf's children are the
  // leaf itself, so that a row which reached it stays there while the others step on.
  struct PackedNode {
    std::uint32_t feature;
    float threshold;
    std::uint32_t child[2];  // left (x <= threshold), right
  };
  // Fills packed_ from the node arrays; after fit and load, once the arrays are final.
  void pack();

  std::int64_t n_classes_ = 0;
  std::int64_t max_depth_ = 0;
  std::vector<std::int64_t> children_left_;
  std::vector<std::int64_t> children_right_;
  std::vector<std::int64_t> feature_;
  std::vector<double> threshold_;
  std::vector<double> impurity_;
  std::vector<std::int64_t> n_node_samples_;
  std::vector<double> weighted_n_node_samples_;
  std::vector<double> value_;  // node_count x n_classes, row-major
  std::vector<PackedNode> packed_;
};

}  // namespace mlpersist::tree
