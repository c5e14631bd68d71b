#pragma once

// Growing a tree: scikit-learn 1.2's BestSplitter and RandomSplitter, its Classification and
// Regression criteria and its DepthFirstTreeBuilder, step for step, so that equal seeds give
// equal trees. Private to the tree library (tree.hpp's Tree::fit is the entry point).

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "random.hpp"
#include "splitter_sort.hpp"
#include "tree.hpp"
#include "weighted_median.hpp"

namespace mlpersist::tree {

struct Split {
  std::int64_t pos = 0;  // first sample of the right child
  std::int64_t feature = 0;
  double threshold = 0.0;
  double improvement = -std::numeric_limits<double>::infinity();
  double impurity_left = std::numeric_limits<double>::infinity();
  double impurity_right = std::numeric_limits<double>::infinity();
};

class TreeBuilder {
 public:
  TreeBuilder(const TrainingSet& data, std::span<const double> weight, const GrowthOptions& o,
              std::uint32_t seed);
  Tree build();

 private:
  struct Pending {
    std::int64_t start, end, depth, parent;
    bool is_left;
    double impurity;
    std::int64_t n_constant_features;
  };

  double weight_of(std::int32_t sample) const {
    return weight_.empty() ? 1.0 : weight_[static_cast<std::size_t>(sample)];
  }
  std::int32_t sample_at(std::int64_t p) const { return samples_[static_cast<std::size_t>(p)]; }

  // The criterion (split_criterion.cpp), on the samples of node [start_, end_) in their
  // current order, as scikit-learn's Criterion objects.
  void init_node(std::int64_t start, std::int64_t end);
  [[nodiscard]] double node_impurity() const;
  void reset_left();
  void update_left(std::int64_t new_pos);
  [[nodiscard]] double proxy_improvement() const;
  void children_impurity(Split& split) const;
  [[nodiscard]] double improvement(double parent_impurity, const Split& split) const;
  [[nodiscard]] double node_value() const;
  // absolute_error's and poisson's sums over samples [from, to) of the node.
  [[nodiscard]] double absolute_deviation(std::int64_t from, std::int64_t to, double median,
                                          double weight) const;
  [[nodiscard]] double poisson_loss(std::int64_t from, std::int64_t to, double y_sum,
                                    double weight) const;

  // The splitters (tree_builder.cpp).
  Split node_split(double impurity, std::int64_t& n_constant_features);
  bool sort_is_constant(std::int64_t feature);
  void scan_feature(std::int64_t feature, Split& best, double& best_proxy);
  bool try_random_threshold(std::int64_t feature, Split& best, double& best_proxy);
  void partition(const Split& split);
  std::int64_t add_node(const Pending& at, bool is_leaf, const Split& split);

  const TrainingSet& data_;
  std::span<const double> weight_;
  GrowthOptions options_;
  SplitterRandom random_;
  bool regression_;
  double weighted_n_samples_ = 0.0;
  std::vector<std::int32_t> samples_;
  std::vector<std::int64_t> features_;
  std::vector<std::int64_t> constant_features_;
  std::vector<Item> values_;   // one node's (value, sample) pairs
  std::vector<Item> scratch_;  // the radix sort's second buffer
  // The criterion's state. Classification: class counts; regression: one weighted target sum.
  std::int64_t start_ = 0, end_ = 0, pos_ = 0;
  std::vector<double> total_, left_, right_;
  double sq_total_ = 0.0;     // regression: sum of w * y * y over the node
  double node_weight_ = 0.0;  // weighted samples of the node being split
  double w_left_ = 0.0, w_right_ = 0.0;
  // absolute_error: the children's running medians and the node's median, as scikit-learn's
  // MAE criterion keeps them (samples [start_, pos_) on the left).
  WeightedMedian left_median_, right_median_;
  double node_median_ = 0.0;
  Tree tree_;
};

}  // namespace mlpersist::tree
