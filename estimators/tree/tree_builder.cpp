// Growing a tree: scikit-learn 1.2's BestSplitter, ClassificationCriterion and
// DepthFirstTreeBuilder, step for step, so that equal seeds give equal trees.
#include <algorithm>
#include <array>
#include <bit>
#include <cfloat>
#include <cmath>
#include <utility>

#include "random.hpp"
#include "tree.hpp"

namespace mlpersist::tree {
namespace {

// Values closer than this count as equal (scikit-learn's FEATURE_THRESHOLD).
constexpr double kFeatureThreshold = 1e-7;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

double log2_of(double x) {
  return std::log(x) / std::log(2.0);
}

// Impurity of a node with these weighted class counts, summed in class order as scikit-learn
// does (the order matters for ties between splits of equal counts).
double impurity_of(Criterion criterion, const double* counts, std::int64_t n_classes,
                   double weight) {
  if (criterion == Criterion::kGini) {
    double sq = 0.0;
    for (std::int64_t c = 0; c < n_classes; ++c) sq += counts[c] * counts[c];
    return 1.0 - sq / (weight * weight);
  }
  double entropy = 0.0;
  for (std::int64_t c = 0; c < n_classes; ++c) {
    if (counts[c] > 0.0) {
      const double p = counts[c] / weight;
      entropy -= p * log2_of(p);
    }
  }
  return entropy;
}

using Item = std::pair<float, std::int32_t>;  // a sample's value of one feature, and the sample

// An unsigned key that orders like the float (-0.0 just before +0.0, which compare equal).
std::uint32_t order_key(float f) {
  const auto u = std::bit_cast<std::uint32_t>(f);
  return (u & 0x80000000U) != 0 ? ~u : u | 0x80000000U;
}

// Sorts by value: LSD radix sort on the 4 key bytes for large nodes (linear time, most of a
// forest's fit is sorting), std::sort for small ones. Ties may end up in any order: the weights
// summed along the sorted samples are integers here (1 or bootstrap counts), exact in any order.
void sort_by_value(std::span<Item> items, std::vector<Item>& scratch) {
  constexpr std::size_t kRadixFrom = 128;
  if (items.size() < kRadixFrom) {
    std::sort(items.begin(), items.end(),
              [](const Item& a, const Item& b) { return a.first < b.first; });
    return;
  }
  std::array<std::array<std::uint32_t, 256>, 4> count{};
  for (const Item& item : items) {
    const std::uint32_t k = order_key(item.first);
    for (std::size_t d = 0; d < 4; ++d) ++count[d][(k >> (8 * d)) & 0xFF];
  }
  scratch.resize(items.size());
  Item* from = items.data();
  Item* to = scratch.data();
  for (std::size_t d = 0; d < 4; ++d) {
    const auto digit = [d](const Item& item) { return (order_key(item.first) >> (8 * d)) & 0xFF; };
    if (count[d][digit(from[0])] == items.size()) continue;  // every key shares this byte
    std::array<std::uint32_t, 256> next{};
    for (std::size_t b = 1; b < 256; ++b) next[b] = next[b - 1] + count[d][b - 1];
    for (std::size_t i = 0; i < items.size(); ++i) to[next[digit(from[i])]++] = from[i];
    std::swap(from, to);
  }
  if (from != items.data()) std::copy_n(from, items.size(), items.data());
}

struct Split {
  std::int64_t pos = 0;  // first sample of the right child
  std::int64_t feature = 0;
  double threshold = 0.0;
  double improvement = -kInfinity;
  double impurity_left = kInfinity;
  double impurity_right = kInfinity;
};

struct Pending {
  std::int64_t start, end, depth, parent;
  bool is_left;
  double impurity;
  std::int64_t n_constant_features;
};

}  // namespace

class TreeBuilder {
 public:
  TreeBuilder(const TrainingSet& data, std::span<const double> weight, const GrowthOptions& o,
              std::uint32_t seed);
  Tree build();

 private:
  double weight_of(std::int32_t sample) const {
    return weight_.empty() ? 1.0 : weight_[static_cast<std::size_t>(sample)];
  }
  double node_totals(std::int64_t start, std::int64_t end, std::vector<double>& counts) const;
  Split best_split(std::int64_t start, std::int64_t end, double impurity,
                   std::int64_t& n_constant_features);
  bool sort_is_constant(std::int64_t start, std::int64_t end, std::int64_t feature);
  void scan_feature(std::int64_t start, std::int64_t end, std::int64_t feature, Split& best,
                    double& best_proxy);
  void finish_split(std::int64_t start, std::int64_t end, double impurity, Split& split);
  std::int64_t add_node(const Pending& at, bool is_leaf, const Split& split);

  const TrainingSet& data_;
  std::span<const double> weight_;
  GrowthOptions options_;
  SplitterRandom random_;
  double weighted_n_samples_ = 0.0;
  std::vector<std::int32_t> samples_;
  std::vector<std::int64_t> features_;
  std::vector<std::int64_t> constant_features_;
  std::vector<Item> sorted_;                  // one node's (value, sample) pairs
  std::vector<Item> scratch_;                 // the radix sort's second buffer
  std::vector<double> total_, left_, right_;  // class counts: the node's, a split's children
  double node_weight_ = 0.0;                  // weighted samples of the node being split
  Tree tree_;
};

TreeBuilder::TreeBuilder(const TrainingSet& data, std::span<const double> weight,
                         const GrowthOptions& o, std::uint32_t seed)
    : data_(data), weight_(weight), options_(o), random_(seed) {
  // scikit-learn skips zero-weight samples (bootstrap draws that missed), so n_node_samples
  // counts distinct samples while the weighted counts count draws.
  for (std::int64_t i = 0; i < data.n_samples(); ++i) {
    const auto s = static_cast<std::int32_t>(i);
    if (weight_of(s) != 0.0) samples_.push_back(s);
    weighted_n_samples_ += weight_of(s);
  }
  features_.resize(static_cast<std::size_t>(data.n_features()));
  for (std::size_t f = 0; f < features_.size(); ++f) features_[f] = static_cast<std::int64_t>(f);
  constant_features_.resize(features_.size());
  sorted_.resize(samples_.size());
  const auto k = static_cast<std::size_t>(data.n_classes());
  total_.resize(k);
  left_.resize(k);
  right_.resize(k);
  // Limits above the sample count act like the sample count + 1; capping them keeps 2 * leaf
  // from overflowing.
  const std::int64_t cap = data.n_samples() + 1;
  options_.min_samples_leaf = std::min(options_.min_samples_leaf, cap);
  options_.min_samples_split =
      std::max(std::min(options_.min_samples_split, cap), 2 * options_.min_samples_leaf);
  tree_.n_classes_ = data.n_classes();
}

double TreeBuilder::node_totals(std::int64_t start, std::int64_t end,
                                std::vector<double>& counts) const {
  std::fill(counts.begin(), counts.end(), 0.0);
  double weighted = 0.0;
  for (std::int64_t p = start; p < end; ++p) {
    const std::int32_t s = samples_[static_cast<std::size_t>(p)];
    counts[static_cast<std::size_t>(data_.y(s))] += weight_of(s);
    weighted += weight_of(s);
  }
  return weighted;
}

// Fills sorted_[0, end - start) with the node's values of `feature`, sorted; true when they
// are all equal (within kFeatureThreshold), so that the feature cannot split the node.
bool TreeBuilder::sort_is_constant(std::int64_t start, std::int64_t end, std::int64_t feature) {
  const std::int64_t n = end - start;
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int32_t s = samples_[static_cast<std::size_t>(start + k)];
    sorted_[static_cast<std::size_t>(k)] = {data_.x(s, feature), s};
  }
  sort_by_value(std::span<Item>(sorted_.data(), static_cast<std::size_t>(n)), scratch_);
  return static_cast<double>(sorted_[static_cast<std::size_t>(n - 1)].first) <=
         static_cast<double>(sorted_[0].first) + kFeatureThreshold;
}

// Tries every threshold between distinct consecutive values of the sorted node, keeping the
// best by scikit-learn's proxy: -(w_left * impurity_left + w_right * impurity_right).
void TreeBuilder::scan_feature(std::int64_t start, std::int64_t end, std::int64_t feature,
                               Split& best, double& best_proxy) {
  const std::int64_t n = end - start, min_leaf = options_.min_samples_leaf, k = data_.n_classes();
  std::fill(left_.begin(), left_.end(), 0.0);
  double w_left = 0.0;
  std::int64_t added = 0;
  const auto at = [this](std::int64_t p) {
    return static_cast<double>(sorted_[static_cast<std::size_t>(p)].first);
  };
  for (std::int64_t p = 0; p < n;) {
    while (p + 1 < n && at(p + 1) <= at(p) + kFeatureThreshold) ++p;
    if (++p >= n) break;
    if (p < min_leaf || n - p < min_leaf) continue;
    for (; added < p; ++added) {
      const std::int32_t s = sorted_[static_cast<std::size_t>(added)].second;
      left_[static_cast<std::size_t>(data_.y(s))] += weight_of(s);
      w_left += weight_of(s);
    }
    for (std::size_t c = 0; c < right_.size(); ++c) right_[c] = total_[c] - left_[c];
    const double w_right = node_weight_ - w_left;
    const double proxy = -w_right * impurity_of(options_.criterion, right_.data(), k, w_right) -
                         w_left * impurity_of(options_.criterion, left_.data(), k, w_left);
    if (proxy > best_proxy) {
      best_proxy = proxy;
      best.pos = start + p;
      best.feature = feature;
      best.threshold = at(p - 1) / 2.0 + at(p) / 2.0;
      if (best.threshold == at(p) || std::isinf(best.threshold)) best.threshold = at(p - 1);
    }
  }
}

// Features are drawn without replacement (a Fisher-Yates shuffle in place in features_) until
// max_features non-constant ones were examined. Features found constant in a node stay at the
// front of features_ for its descendants, which skip them without sorting.
Split TreeBuilder::best_split(std::int64_t start, std::int64_t end, double impurity,
                              std::int64_t& n_constant_features) {
  Split best;
  best.pos = end;
  double best_proxy = -kInfinity;
  const std::int64_t n_known = n_constant_features;
  std::int64_t f_i = data_.n_features(), n_visited = 0, n_found = 0, n_drawn = 0;
  std::int64_t n_total = n_known;
  const auto swap_features = [this](std::int64_t a, std::int64_t b) {
    std::swap(features_[static_cast<std::size_t>(a)], features_[static_cast<std::size_t>(b)]);
  };
  while (f_i > n_total && (n_visited < options_.max_features || n_visited <= n_found + n_drawn)) {
    ++n_visited;
    std::int64_t f_j = random_.rand_int(n_drawn, f_i - n_found);
    if (f_j < n_known) {
      swap_features(n_drawn++, f_j);
      continue;
    }
    f_j += n_found;
    const std::int64_t feature = features_[static_cast<std::size_t>(f_j)];
    if (sort_is_constant(start, end, feature)) {
      swap_features(f_j, n_total++);
      ++n_found;
      continue;
    }
    swap_features(--f_i, f_j);
    scan_feature(start, end, feature, best, best_proxy);
  }
  if (best.pos < end) finish_split(start, end, impurity, best);
  std::copy_n(constant_features_.begin(), n_known, features_.begin());
  std::copy_n(features_.begin() + n_known, n_found, constant_features_.begin() + n_known);
  n_constant_features = n_total;
  return best;
}

// Moves the samples going left to the front and computes the children's impurities.
void TreeBuilder::finish_split(std::int64_t start, std::int64_t end, double impurity,
                               Split& split) {
  std::int64_t p = start, partition_end = end;
  while (p < partition_end) {
    auto& s = samples_[static_cast<std::size_t>(p)];
    if (data_.x(s, split.feature) <= split.threshold)
      ++p;
    else
      std::swap(s, samples_[static_cast<std::size_t>(--partition_end)]);
  }
  const std::int64_t k = data_.n_classes();
  const double w_node = node_weight_;
  const double w_left = node_totals(start, split.pos, left_);
  const double w_right = w_node - w_left;
  for (std::size_t c = 0; c < right_.size(); ++c) right_[c] = total_[c] - left_[c];
  split.impurity_left = impurity_of(options_.criterion, left_.data(), k, w_left);
  split.impurity_right = impurity_of(options_.criterion, right_.data(), k, w_right);
  split.improvement =
      (w_node / weighted_n_samples_) *
      (impurity - w_right / w_node * split.impurity_right - w_left / w_node * split.impurity_left);
}

std::int64_t TreeBuilder::add_node(const Pending& at, bool is_leaf, const Split& split) {
  Tree& t = tree_;
  const std::int64_t id = t.node_count();
  if (at.parent >= 0)
    (at.is_left ? t.children_left_ : t.children_right_)[static_cast<std::size_t>(at.parent)] = id;
  t.children_left_.push_back(Tree::kLeaf);
  t.children_right_.push_back(Tree::kLeaf);
  t.feature_.push_back(is_leaf ? Tree::kUndefined : split.feature);
  t.threshold_.push_back(is_leaf ? static_cast<double>(Tree::kUndefined) : split.threshold);
  t.impurity_.push_back(at.impurity);
  t.n_node_samples_.push_back(at.end - at.start);
  t.weighted_n_node_samples_.push_back(node_weight_);
  t.value_.resize(t.value_.size() + total_.size());
  class_fractions(total_, std::span(t.value_).last(total_.size()));
  t.max_depth_ = std::max(t.max_depth_, at.depth);
  return id;
}

Tree TreeBuilder::build() {
  std::vector<Pending> stack{
      {0, static_cast<std::int64_t>(samples_.size()), 0, -1, false, kInfinity, 0}};
  const std::int64_t k = data_.n_classes();
  bool first = true;  // children inherit their impurity from the parent's split
  while (!stack.empty()) {
    Pending at = stack.back();
    stack.pop_back();
    const std::int64_t n_node = at.end - at.start;
    node_weight_ = node_totals(at.start, at.end, total_);
    bool is_leaf = at.depth >= options_.max_depth || n_node < options_.min_samples_split ||
                   n_node < 2 * options_.min_samples_leaf;
    if (first) at.impurity = impurity_of(options_.criterion, total_.data(), k, node_weight_);
    first = false;
    is_leaf = is_leaf || at.impurity <= DBL_EPSILON;
    Split split;
    std::int64_t n_constant = at.n_constant_features;
    if (!is_leaf) {
      split = best_split(at.start, at.end, at.impurity, n_constant);
      is_leaf = split.pos >= at.end || split.improvement + DBL_EPSILON < 0.0;
    }
    const std::int64_t id = add_node(at, is_leaf, split);
    if (is_leaf) continue;
    stack.push_back({split.pos, at.end, at.depth + 1, id, false, split.impurity_right, n_constant});
    stack.push_back({at.start, split.pos, at.depth + 1, id, true, split.impurity_left, n_constant});
  }
  return std::move(tree_);
}

Tree Tree::fit(const TrainingSet& data, std::span<const double> sample_weight,
               const GrowthOptions& options, std::uint32_t seed) {
  return TreeBuilder(data, sample_weight, options, seed).build();
}

}  // namespace mlpersist::tree
