// The splitters and the depth-first builder of scikit-learn 1.2 (see tree_builder.hpp).
#include "tree_builder.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <utility>

namespace mlpersist::tree {
namespace {

// Values closer than this count as equal (scikit-learn's FEATURE_THRESHOLD, a float32 added
// to float32 values in float32 arithmetic).
constexpr float kFeatureThreshold = 1e-7F;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

}  // namespace

TreeBuilder::TreeBuilder(const TrainingSet& data, std::span<const double> weight,
                         const GrowthOptions& o, std::uint32_t seed)
    : data_(data), weight_(weight), options_(o), random_(seed), regression_(data.is_regression()) {
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
  values_.resize(samples_.size());
  const auto k = static_cast<std::size_t>(data.n_classes());
  total_.resize(k);
  left_.resize(k);
  right_.resize(k);
  if (o.criterion == Criterion::kAbsoluteError) {
    left_median_ = WeightedMedian(samples_.size());
    right_median_ = WeightedMedian(samples_.size());
  }
  // Limits above the sample count act like the sample count + 1; capping them keeps 2 * leaf
  // from overflowing.
  const std::int64_t cap = data.n_samples() + 1;
  options_.min_samples_leaf = std::min(options_.min_samples_leaf, cap);
  options_.min_samples_split =
      std::max(std::min(options_.min_samples_split, cap), 2 * options_.min_samples_leaf);
  tree_.n_classes_ = data.n_classes();
}

// Sorts the node's samples by `feature` in place (values_ holds the sorted values); true when
// they are all equal (within kFeatureThreshold), so that the feature cannot split the node.
bool TreeBuilder::sort_is_constant(std::int64_t feature) {
  const auto n = static_cast<std::size_t>(end_ - start_);
  for (std::size_t k = 0; k < n; ++k) {
    const std::int32_t s = sample_at(start_ + static_cast<std::int64_t>(k));
    values_[k] = {data_.x(s, feature), s};
  }
  const std::span<Item> items(values_.data(), n);
  if (regression_)
    sort_like_scikit_learn(items, scratch_);
  else
    sort_by_value(items, scratch_);
  for (std::size_t k = 0; k < n; ++k)
    samples_[static_cast<std::size_t>(start_) + k] = values_[k].second;
  return values_[n - 1].first <= values_[0].first + kFeatureThreshold;
}

// Tries every threshold between distinct consecutive values of the sorted node, keeping the
// best by the criterion's proxy.
void TreeBuilder::scan_feature(std::int64_t feature, Split& best, double& best_proxy) {
  const std::int64_t n = end_ - start_, min_leaf = options_.min_samples_leaf;
  const auto at = [this](std::int64_t p) { return values_[static_cast<std::size_t>(p)].first; };
  reset_left();
  for (std::int64_t p = 0; p < n;) {
    while (p + 1 < n && at(p + 1) <= at(p) + kFeatureThreshold) ++p;
    if (++p >= n) break;
    if (p < min_leaf || n - p < min_leaf) continue;
    update_left(start_ + p);
    const double proxy = proxy_improvement();
    if (proxy > best_proxy) {
      best_proxy = proxy;
      best.pos = start_ + p;
      best.feature = feature;
      best.threshold = static_cast<double>(at(p - 1)) / 2.0 + static_cast<double>(at(p)) / 2.0;
      if (best.threshold == static_cast<double>(at(p)) || std::isinf(best.threshold))
        best.threshold = at(p - 1);
    }
  }
}

// ExtraTrees: one threshold uniform between the node's minimum and maximum of `feature`, the
// samples partitioned around it. False when the feature is constant in the node.
bool TreeBuilder::try_random_threshold(std::int64_t feature, Split& best, double& best_proxy) {
  const auto n = static_cast<std::size_t>(end_ - start_);
  float lo = data_.x(sample_at(start_), feature), hi = lo;
  for (std::size_t k = 0; k < n; ++k) {
    const std::int32_t s = sample_at(start_ + static_cast<std::int64_t>(k));
    values_[k] = {data_.x(s, feature), s};
    if (values_[k].first < lo)
      lo = values_[k].first;
    else if (values_[k].first > hi)
      hi = values_[k].first;
  }
  if (hi <= lo + kFeatureThreshold) return false;
  Split current;
  current.feature = feature;
  current.threshold = random_.uniform(lo, hi);
  if (current.threshold == static_cast<double>(hi)) current.threshold = lo;
  std::size_t p = 0, partition_end = n;
  while (p < partition_end) {
    if (values_[p].first <= current.threshold)
      ++p;
    else
      std::swap(values_[p], values_[--partition_end]);
  }
  for (std::size_t k = 0; k < n; ++k)
    samples_[static_cast<std::size_t>(start_) + k] = values_[k].second;
  current.pos = start_ + static_cast<std::int64_t>(partition_end);
  const std::int64_t min_leaf = options_.min_samples_leaf;
  if (current.pos - start_ < min_leaf || end_ - current.pos < min_leaf) return true;
  reset_left();
  update_left(current.pos);
  const double proxy = proxy_improvement();
  if (proxy > best_proxy) {
    best_proxy = proxy;
    best = current;
  }
  return true;
}

// Features are drawn without replacement (a Fisher-Yates shuffle in place in features_) until
// max_features non-constant ones were examined. Features found constant in a node stay at the
// front of features_ for its descendants, which skip them without looking at their values.
Split TreeBuilder::node_split(double impurity, std::int64_t& n_constant_features) {
  Split best;
  best.pos = end_;
  double best_proxy = -kInfinity;
  const std::int64_t n_known = n_constant_features;
  std::int64_t f_i = data_.n_features(), n_visited = 0, n_found = 0, n_drawn = 0;
  std::int64_t n_total = n_known, last_feature = -1;
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
    const std::int64_t feature = last_feature = features_[static_cast<std::size_t>(f_j)];
    const bool varies = options_.random_splits ? try_random_threshold(feature, best, best_proxy)
                                               : !sort_is_constant(feature);
    if (!varies) {
      swap_features(f_j, n_total++);
      ++n_found;
      continue;
    }
    swap_features(--f_i, f_j);
    if (!options_.random_splits) scan_feature(feature, best, best_proxy);
  }
  if (best.pos < end_) {
    // The random splitter left the samples partitioned by the last feature it tried.
    if (!options_.random_splits || last_feature != best.feature) partition(best);
    reset_left();
    update_left(best.pos);
    children_impurity(best);
    best.improvement = improvement(impurity, best);
  }
  std::copy_n(constant_features_.begin(), n_known, features_.begin());
  std::copy_n(features_.begin() + n_known, n_found, constant_features_.begin() + n_known);
  n_constant_features = n_total;
  return best;
}

// Moves the samples going left to the front (scikit-learn's swaps, which fix the order the
// children's sums are taken in).
void TreeBuilder::partition(const Split& split) {
  std::int64_t p = start_, partition_end = end_;
  while (p < partition_end) {
    auto& s = samples_[static_cast<std::size_t>(p)];
    if (data_.x(s, split.feature) <= split.threshold)
      ++p;
    else
      std::swap(s, samples_[static_cast<std::size_t>(--partition_end)]);
  }
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
  if (regression_) {
    t.value_.push_back(node_value());
  } else {
    t.value_.resize(t.value_.size() + total_.size());
    class_fractions(total_, std::span(t.value_).last(total_.size()));
  }
  t.max_depth_ = std::max(t.max_depth_, at.depth);
  return id;
}

Tree TreeBuilder::build() {
  std::vector<Pending> stack{
      {0, static_cast<std::int64_t>(samples_.size()), 0, -1, false, kInfinity, 0}};
  bool first = true;  // children inherit their impurity from the parent's split
  while (!stack.empty()) {
    Pending at = stack.back();
    stack.pop_back();
    const std::int64_t n_node = at.end - at.start;
    init_node(at.start, at.end);
    bool is_leaf = at.depth >= options_.max_depth || n_node < options_.min_samples_split ||
                   n_node < 2 * options_.min_samples_leaf;
    if (first) at.impurity = node_impurity();
    first = false;
    is_leaf = is_leaf || at.impurity <= DBL_EPSILON;
    Split split;
    std::int64_t n_constant = at.n_constant_features;
    if (!is_leaf) {
      split = node_split(at.impurity, n_constant);
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
  Tree t = TreeBuilder(data, sample_weight, options, seed).build();
  t.pack();
  return t;
}

}  // namespace mlpersist::tree
