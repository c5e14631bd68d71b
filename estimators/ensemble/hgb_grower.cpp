#include "hgb_grower.hpp"

#include <limits>
#include <numeric>

#include "hgb_parallel.hpp"

namespace mlpersist::ensemble::hgb {

struct TreeGrower::GrowerNode {
  std::uint32_t depth = 0;
  std::size_t start = 0, stop = 0;  // its samples: partition_[start, stop)
  double sum_gradients = 0, sum_hessians = 0;
  double value = 0;
  std::optional<SplitInfo> split;
  std::size_t left = 0, right = 0;
  bool is_leaf = false;
  std::vector<HistBin> histograms;
  [[nodiscard]] std::uint32_t n_samples() const { return static_cast<std::uint32_t>(stop - start); }
};

TreeGrower::TreeGrower(const BinnedData& X, const std::vector<float>& gradients,
                       const std::vector<float>& hessians, const FeatureInfo& features,
                       const GrowerOptions& options)
    : X_(X),
      gradients_(gradients),
      hessians_(hessians),
      features_(features),
      options_(options),
      hessians_are_constant_(hessians.size() == 1),
      ctx_{&features.n_bins_non_missing,
           &features.has_missing_values,
           &features.is_categorical,
           features.missing_values_bin_idx,
           features.missing_values_bin_idx + 1,
           hessians.size() == 1,
           options.min_samples_leaf,
           options.min_hessian_to_split,
           options.l2_regularization} {}

TreeGrower::~TreeGrower() = default;

void TreeGrower::grow() {
  initialize_root();
  while (!heap_.empty()) split_next();
  for (const std::size_t leaf : leaves_) nodes_[leaf].value *= options_.shrinkage;
}

void TreeGrower::initialize_root() {
  const auto n = static_cast<std::size_t>(X_.n_samples);
  partition_.resize(n);
  std::iota(partition_.begin(), partition_.end(), 0U);
  GrowerNode root;
  root.stop = n;
  // sum_parallel on one thread: a plain double sum in sample order.
  for (const float g : gradients_) root.sum_gradients += g;
  if (hessians_are_constant_) {
    root.sum_hessians = static_cast<double>(hessians_[0]) * static_cast<double>(n);
  } else {
    for (const float h : hessians_) root.sum_hessians += h;
  }
  nodes_.push_back(std::move(root));  // value 0: scikit-learn gives the root no value
  if (n < 2 * static_cast<std::uint64_t>(options_.min_samples_leaf) ||
      nodes_[0].sum_hessians < options_.min_hessian_to_split) {
    finalize_leaf(0);
    return;
  }
  build_histogram(nodes_[0]);
  compute_best_split_and_push(0);
}

void TreeGrower::build_histogram(GrowerNode& node) const {
  node.histograms.assign(X_.columns.size() * ctx_.n_bins, HistBin{});
  const auto n_features = static_cast<std::int64_t>(X_.columns.size());
  [[maybe_unused]] const bool parallel =
      static_cast<double>(node.stop - node.start) * static_cast<double>(n_features) >=
      kParallelWork;
  MLPERSIST_HGB_PARALLEL_FOR
  for (std::int64_t f = 0; f < n_features; ++f) {
    HistBin* hist = node.histograms.data() + static_cast<std::size_t>(f) * ctx_.n_bins;
    const std::uint8_t* column = X_.columns[static_cast<std::size_t>(f)].data();
    for (std::size_t i = node.start; i < node.stop; ++i) {
      const std::uint32_t s = partition_[i];
      HistBin& bin = hist[column[s]];
      bin.sum_gradients += gradients_[s];
      if (!hessians_are_constant_) bin.sum_hessians += hessians_[s];
      ++bin.count;
    }
  }
}

void TreeGrower::compute_best_split_and_push(std::size_t i) {
  GrowerNode& node = nodes_[i];
  node.split = find_node_split(ctx_, node.histograms, node.n_samples(), node.sum_gradients,
                               node.sum_hessians, node.value);
  if (node.split->gain <= 0)
    finalize_leaf(i);
  else
    heap_push(i);
}

void TreeGrower::finalize_leaf(std::size_t i) {
  nodes_[i].is_leaf = true;
  nodes_[i].histograms = {};
  leaves_.push_back(i);
}

// Python's heapq on nodes ordered by `a < b` meaning a.gain > b.gain: the same sift-down and
// sift-up, so that nodes of equal gain are split in scikit-learn's order.
void TreeGrower::heap_push(std::size_t node) {
  heap_.push_back(node);
  std::size_t pos = heap_.size() - 1;
  const double gain = nodes_[node].split->gain;
  while (pos > 0) {
    const std::size_t parent = (pos - 1) >> 1;
    if (!(gain > nodes_[heap_[parent]].split->gain)) break;
    heap_[pos] = heap_[parent];
    pos = parent;
  }
  heap_[pos] = node;
}

std::size_t TreeGrower::heap_pop() {
  const std::size_t last = heap_.back();
  heap_.pop_back();
  if (heap_.empty()) return last;
  const std::size_t top = heap_[0];
  const auto less = [this](std::size_t a, std::size_t b) {
    return nodes_[a].split->gain > nodes_[b].split->gain;
  };
  // _siftup: the smaller child moves up until a leaf is reached, then _siftdown from there.
  std::size_t pos = 0;
  const std::size_t end = heap_.size();
  std::size_t child = 1;
  while (child < end) {
    if (child + 1 < end && !less(heap_[child], heap_[child + 1])) ++child;
    heap_[pos] = heap_[child];
    pos = child;
    child = 2 * pos + 1;
  }
  while (pos > 0) {
    const std::size_t parent = (pos - 1) >> 1;
    if (!less(last, heap_[parent])) break;
    heap_[pos] = heap_[parent];
    pos = parent;
  }
  heap_[pos] = last;
  return top;
}

std::size_t TreeGrower::split_indices(const GrowerNode& node) {
  // A stable partition: left samples then right samples, each in their previous order.
  std::vector<std::uint32_t> right;
  std::size_t out = node.start;
  const std::uint8_t* column = X_.columns[static_cast<std::size_t>(node.split->feature_idx)].data();
  for (std::size_t i = node.start; i < node.stop; ++i) {
    const std::uint32_t s = partition_[i];
    if (sample_goes_left(*node.split, column[s], features_.missing_values_bin_idx))
      partition_[out++] = s;
    else
      right.push_back(s);
  }
  std::copy(right.begin(), right.end(), partition_.begin() + static_cast<std::ptrdiff_t>(out));
  return out;
}

void TreeGrower::split_next() {
  const std::size_t i = heap_pop();
  const std::size_t middle = split_indices(nodes_[i]);
  const SplitInfo split = *nodes_[i].split;
  const std::uint32_t depth = nodes_[i].depth + 1;
  const std::size_t n_leaf_nodes = leaves_.size() + heap_.size() + 2;
  const auto child = [depth](std::size_t start, std::size_t stop, double g, double h, double v) {
    GrowerNode c;
    c.depth = depth;
    c.start = start;
    c.stop = stop;
    c.sum_gradients = g;
    c.sum_hessians = h;
    c.value = v;
    return c;
  };
  GrowerNode left = child(nodes_[i].start, middle, split.sum_gradient_left, split.sum_hessian_left,
                          split.value_left);
  GrowerNode right = child(middle, nodes_[i].stop, split.sum_gradient_right,
                           split.sum_hessian_right, split.value_right);
  const std::size_t l = nodes_.size(), r = l + 1;
  nodes_[i].left = l;
  nodes_[i].right = r;
  if (!features_.has_missing_values[static_cast<std::size_t>(split.feature_idx)])
    nodes_[i].split->missing_go_to_left = left.n_samples() > right.n_samples();
  nodes_.push_back(std::move(left));
  nodes_.push_back(std::move(right));

  if (options_.max_leaf_nodes &&
      n_leaf_nodes == static_cast<std::size_t>(*options_.max_leaf_nodes)) {
    finalize_leaf(l);
    finalize_leaf(r);
    // _finalize_splittable_nodes pops from the end of the heap's list.
    while (!heap_.empty()) {
      finalize_leaf(heap_.back());
      heap_.pop_back();
    }
    nodes_[i].histograms = {};
    return;
  }
  if (options_.max_depth && depth == static_cast<std::uint64_t>(*options_.max_depth)) {
    finalize_leaf(l);
    finalize_leaf(r);
    nodes_[i].histograms = {};
    return;
  }
  const auto min_split = 2 * static_cast<std::uint64_t>(options_.min_samples_leaf);
  if (nodes_[l].n_samples() < min_split) finalize_leaf(l);
  if (nodes_[r].n_samples() < min_split) finalize_leaf(r);
  if (!nodes_[l].is_leaf || !nodes_[r].is_leaf) {
    const bool left_smaller = nodes_[l].n_samples() < nodes_[r].n_samples();
    GrowerNode& smallest = nodes_[left_smaller ? l : r];
    GrowerNode& largest = nodes_[left_smaller ? r : l];
    build_histogram(smallest);
    largest.histograms = nodes_[i].histograms;
    for (std::size_t k = 0; k < largest.histograms.size(); ++k) {
      largest.histograms[k].sum_gradients -= smallest.histograms[k].sum_gradients;
      largest.histograms[k].sum_hessians -= smallest.histograms[k].sum_hessians;
      largest.histograms[k].count -= smallest.histograms[k].count;
    }
    if (!nodes_[l].is_leaf) compute_best_split_and_push(l);
    if (!nodes_[r].is_leaf) compute_best_split_and_push(r);
    for (const std::size_t c : {l, r})
      if (nodes_[c].is_leaf) nodes_[c].histograms = {};
  }
  nodes_[i].histograms = {};
}

std::span<const std::uint32_t> TreeGrower::leaf_samples(std::size_t leaf) const {
  const GrowerNode& n = nodes_[leaves_[leaf]];
  return {partition_.data() + n.start, n.stop - n.start};
}

double TreeGrower::leaf_value(std::size_t leaf) const {
  return nodes_[leaves_[leaf]].value;
}

void TreeGrower::set_leaf_value(std::size_t leaf, double value) {
  nodes_[leaves_[leaf]].value = value;
}

TreePredictor TreeGrower::make_predictor(const BinMapper& mapper) const {
  TreePredictor out;
  out.nodes.reserve(nodes_.size());
  // One bitset row per categorical split, as scikit-learn allocates them.
  std::size_t n_categorical_splits = 0;
  for (const GrowerNode& g : nodes_)
    if (!g.is_leaf && g.split && g.split->is_categorical) ++n_categorical_splits;
  out.binned_left_cat_bitsets.assign(n_categorical_splits, Bitset{});
  out.raw_left_cat_bitsets.assign(n_categorical_splits, Bitset{});
  std::uint32_t next_bitset = 0;
  fill_predictor(out, mapper, 0, next_bitset);
  out.compile();
  return out;
}

void TreeGrower::fill_predictor(TreePredictor& out, const BinMapper& mapper, std::size_t i,
                                std::uint32_t& next_bitset) const {
  const GrowerNode& g = nodes_[i];
  const std::size_t at = out.nodes.size();
  out.nodes.emplace_back();
  {
    PredictorNode& p = out.nodes[at];
    p.count = g.n_samples();
    p.depth = g.depth;
    p.gain = g.split ? g.split->gain : -1;
    p.value = g.value;
    p.is_leaf = g.is_leaf;
    if (g.is_leaf) return;
    const SplitInfo& s = *g.split;
    const auto f = static_cast<std::size_t>(s.feature_idx);
    p.feature_idx = s.feature_idx;
    p.bin_threshold = static_cast<std::uint8_t>(s.bin_idx);
    p.missing_go_to_left = s.missing_go_to_left;
    p.is_categorical = s.is_categorical;
    // scikit-learn tests the last-bin case first, even for a categorical split.
    if (s.bin_idx == mapper.n_bins_non_missing(f) - 1) {
      p.num_threshold = std::numeric_limits<double>::infinity();
    } else if (s.is_categorical) {
      p.bitset_idx = next_bitset++;
      out.binned_left_cat_bitsets[p.bitset_idx] = s.left_cat_bitset;
      Bitset& raw = out.raw_left_cat_bitsets[p.bitset_idx];
      const std::vector<double>& categories = mapper.thresholds[f];
      for (std::size_t b = 0; b < categories.size(); ++b)
        if (in_bitset(s.left_cat_bitset, static_cast<unsigned>(b)))
          set_bitset(raw, static_cast<unsigned>(categories[b]));
    } else {
      p.num_threshold = mapper.thresholds[f][s.bin_idx];
    }
    p.left = static_cast<std::uint32_t>(out.nodes.size());
  }
  fill_predictor(out, mapper, g.left, next_bitset);
  out.nodes[at].right = static_cast<std::uint32_t>(out.nodes.size());
  fill_predictor(out, mapper, g.right, next_bitset);
}

}  // namespace mlpersist::ensemble::hgb
