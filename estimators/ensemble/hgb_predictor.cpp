#include "hgb_predictor.hpp"

#include <cmath>
#include <limits>
#include <string>

namespace mlpersist::ensemble::hgb {
namespace {

constexpr std::int64_t kU32Max = std::numeric_limits<std::uint32_t>::max();

template <class T, class F>
Tensor column(const std::vector<PredictorNode>& nodes, F field) {
  std::vector<T> v;
  v.reserve(nodes.size());
  for (const PredictorNode& n : nodes) v.push_back(static_cast<T>(field(n)));
  return Tensor::from_values(std::span<const T>(v));
}

Tensor bitsets_tensor(const std::vector<Bitset>& sets) {
  Tensor t = Tensor::allocate(DType::kInt64, {sets.size(), kBitsetWords});
  std::int64_t* out = t.mutable_data<std::int64_t>();
  for (const Bitset& b : sets)
    for (const std::uint32_t w : b) *out++ = w;
  return t;
}

std::vector<Bitset> load_bitsets(const Node& n) {
  const Tensor& t = n.as_tensor(DType::kInt64, 2);
  if (t.shape()[1] != kBitsetWords)
    n.fail("expected " + std::to_string(kBitsetWords) + " words of 32 bits per bitset, found " +
           std::to_string(t.shape()[1]));
  const auto words = t.values<std::int64_t>();
  std::vector<Bitset> sets(t.shape()[0]);
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] < 0 || words[i] > kU32Max) n.fail("bitset words must be 32-bit unsigned");
    sets[i / kBitsetWords][i % kBitsetWords] = static_cast<std::uint32_t>(words[i]);
  }
  return sets;
}

// An int64 column of exactly `size` entries within [lo, hi].
std::span<const std::int64_t> int_column(const Node& n, std::size_t size, std::int64_t lo,
                                         std::int64_t hi) {
  const auto v = n.as_shaped_tensor(DType::kInt64, {size}).values<std::int64_t>();
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i] < lo || v[i] > hi)
      n.fail("entry " + std::to_string(i) + " is " + std::to_string(v[i]) + ", outside [" +
             std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v;
}

std::span<const std::uint8_t> flag_column(const Node& n, std::size_t size) {
  const auto v = n.as_shaped_tensor(DType::kUInt8, {size}).values<std::uint8_t>();
  for (const std::uint8_t b : v)
    if (b > 1) n.fail("flags must be 0 or 1, found " + std::to_string(b));
  return v;
}

std::span<const double> double_column(const Node& n, std::size_t size, bool finite) {
  return n.as_shaped_tensor(DType::kFloat64, {size}, finite).values<double>();
}

// The structure: children after their parent (the depth-first order scikit-learn writes),
// which rules out cycles and keeps every walk finite; bitsets only on categorical features.
void check_node(const Node& at, const PredictorNode& p, std::size_t i, std::size_t n_nodes,
                const TreeLimits& limits, std::size_t n_bitsets) {
  const std::string where = "node " + std::to_string(i);
  if (p.is_leaf) {
    if (!std::isfinite(p.value)) at["value"].fail(where + ": a leaf value must be finite");
    return;
  }
  if (p.left <= i || p.right <= i || p.left >= n_nodes || p.right >= n_nodes)
    at["left"].fail(where + ": children must come after their parent and exist (tree of " +
                    std::to_string(n_nodes) + " nodes)");
  if (p.feature_idx >= limits.n_features)
    at["feature_idx"].fail(where + ": feature " + std::to_string(p.feature_idx) + " of " +
                           std::to_string(limits.n_features));
  const bool feature_categorical =
      (*limits.is_categorical)[static_cast<std::size_t>(p.feature_idx)] != 0;
  if (p.is_categorical != feature_categorical)
    at["is_categorical"].fail(where + ": disagrees with is_categorical_ of its feature");
  if (p.is_categorical && p.bitset_idx >= n_bitsets)
    at["bitset_idx"].fail(where + ": bitset " + std::to_string(p.bitset_idx) + " of " +
                          std::to_string(n_bitsets));
  if (std::isnan(p.num_threshold)) at["num_threshold"].fail(where + ": NaN threshold");
  if (p.bin_threshold >= limits.missing_values_bin_idx)
    at["bin_threshold"].fail(where + ": bin threshold in the missing-values bin");
}

}  // namespace

void TreePredictor::compile() {
  walk.clear();
  walk.reserve(nodes.size());
  has_categorical = false;
  for (const PredictorNode& p : nodes) {
    const auto self = static_cast<std::uint32_t>(walk.size());
    if (p.is_leaf) {
      walk.push_back({p.value, {self, self}, 0, 0, WalkNode::kLeaf, false});
      continue;
    }
    has_categorical = has_categorical || p.is_categorical;
    walk.push_back({p.num_threshold,
                    {p.left, p.right},
                    static_cast<std::uint32_t>(p.feature_idx),
                    p.bitset_idx,
                    p.is_categorical ? WalkNode::kCategorical : WalkNode::kNumeric,
                    p.missing_go_to_left});
  }
}

void TreePredictor::add_block(const MatrixView& X, Eigen::Index first, Eigen::Index count,
                              const std::vector<Bitset>& known, double* sums) const {
  if (has_categorical) {
    for (Eigen::Index r = 0; r < count; ++r) sums[r] += predict_row(X.row(first + r).data(), known);
    return;
  }
  std::uint32_t at[kBlockRows];
  const double* rows[kBlockRows];
  for (Eigen::Index r = 0; r < count; ++r) {
    rows[r] = X.row(first + r).data();
    at[r] = 0;
  }
  // Ends within node-count steps: a step moves a row to a later node or leaves it on its leaf.
  for (bool moved = true; moved;) {
    moved = false;
    for (Eigen::Index r = 0; r < count; ++r) {
      const WalkNode& n = walk[at[r]];
      const double x = rows[r][n.feature];
      const bool left = (x <= n.threshold) | (std::isnan(x) & n.missing_go_to_left);
      // An index, not a branch: a ternary here compiles to a jump the data mispredicts.
      const std::uint32_t next = n.child[static_cast<int>(!left)];
      moved |= next != at[r];
      at[r] = next;
    }
  }
  for (Eigen::Index r = 0; r < count; ++r) sums[r] += walk[at[r]].threshold;
}

double TreePredictor::predict_row(const double* row, const std::vector<Bitset>& known) const {
  const WalkNode* node = walk.data();
  while (node->kind != WalkNode::kLeaf) {
    const double x = row[node->feature];
    bool left;
    if (node->kind == WalkNode::kNumeric) {
      // Without branches: which way a row goes is data, not a pattern a predictor learns.
      left = (x <= node->threshold) | (std::isnan(x) & node->missing_go_to_left);
    } else if (std::isnan(x)) {
      left = node->missing_go_to_left;
    } else {
      // scikit-learn casts the value to uint8; values outside 0..255 are unknown categories.
      const auto c = x >= 0 && x < 256 ? static_cast<unsigned>(x) : 256U;
      if (in_bitset(raw_left_cat_bitsets[node->bitset], c))
        left = true;
      else if (in_bitset(known[node->feature], c))
        left = false;
      else
        left = node->missing_go_to_left;
    }
    node = &walk[node->child[static_cast<int>(!left)]];
  }
  return node->threshold;
}

double TreePredictor::predict_binned(const BinnedData& data, std::size_t i,
                                     std::uint8_t missing_bin) const {
  const PredictorNode* node = nodes.data();
  while (!node->is_leaf) {
    const std::uint8_t b = data.columns[static_cast<std::size_t>(node->feature_idx)][i];
    bool left;
    if (b == missing_bin)
      left = node->missing_go_to_left;
    else if (node->is_categorical)
      left = in_bitset(binned_left_cat_bitsets[node->bitset_idx], b);
    else
      left = b <= node->bin_threshold;
    node = &nodes[left ? node->left : node->right];
  }
  return node->value;
}

void TreePredictor::save(Map& m) const {
  using P = const PredictorNode&;
  m.insert("value", column<double>(nodes, [](P p) { return p.value; }));
  m.insert("count", column<std::int64_t>(nodes, [](P p) { return p.count; }));
  m.insert("feature_idx", column<std::int64_t>(nodes, [](P p) { return p.feature_idx; }));
  m.insert("num_threshold", column<double>(nodes, [](P p) { return p.num_threshold; }));
  m.insert("missing_go_to_left",
           column<std::uint8_t>(nodes, [](P p) { return p.missing_go_to_left; }));
  m.insert("left", column<std::int64_t>(nodes, [](P p) { return p.left; }));
  m.insert("right", column<std::int64_t>(nodes, [](P p) { return p.right; }));
  m.insert("gain", column<double>(nodes, [](P p) { return p.gain; }));
  m.insert("depth", column<std::int64_t>(nodes, [](P p) { return p.depth; }));
  m.insert("is_leaf", column<std::uint8_t>(nodes, [](P p) { return p.is_leaf; }));
  m.insert("bin_threshold", column<std::int64_t>(nodes, [](P p) { return p.bin_threshold; }));
  m.insert("is_categorical", column<std::uint8_t>(nodes, [](P p) { return p.is_categorical; }));
  m.insert("bitset_idx", column<std::int64_t>(nodes, [](P p) { return p.bitset_idx; }));
  m.insert("binned_left_cat_bitsets", bitsets_tensor(binned_left_cat_bitsets));
  m.insert("raw_left_cat_bitsets", bitsets_tensor(raw_left_cat_bitsets));
}

TreePredictor TreePredictor::load(const Node& n, const TreeLimits& limits) {
  const Node values = n["value"];
  const std::size_t size = values.as_tensor(DType::kFloat64, 1, false).shape()[0];
  if (size == 0) values.fail("a tree has at least one node");
  const auto value = double_column(values, size, false);
  const auto count = int_column(n["count"], size, 0, kU32Max);
  const auto feature = int_column(n["feature_idx"], size, 0, limits.n_features - 1);
  const auto threshold = double_column(n["num_threshold"], size, false);
  const auto missing = flag_column(n["missing_go_to_left"], size);
  const auto left = int_column(n["left"], size, 0, kU32Max);
  const auto right = int_column(n["right"], size, 0, kU32Max);
  const auto gain = double_column(n["gain"], size, false);
  const auto depth = int_column(n["depth"], size, 0, kU32Max);
  const auto leaf = flag_column(n["is_leaf"], size);
  const auto bin = int_column(n["bin_threshold"], size, 0, 255);
  const auto categorical = flag_column(n["is_categorical"], size);
  const auto bitset = int_column(n["bitset_idx"], size, 0, kU32Max);
  TreePredictor t;
  t.binned_left_cat_bitsets = load_bitsets(n["binned_left_cat_bitsets"]);
  t.raw_left_cat_bitsets = load_bitsets(n["raw_left_cat_bitsets"]);
  if (t.raw_left_cat_bitsets.size() != t.binned_left_cat_bitsets.size())
    n["raw_left_cat_bitsets"].fail("expected as many bitsets as binned_left_cat_bitsets");
  t.nodes.resize(size);
  for (std::size_t i = 0; i < size; ++i) {
    PredictorNode& p = t.nodes[i];
    p = {value[i],
         static_cast<std::uint32_t>(count[i]),
         feature[i],
         threshold[i],
         missing[i] != 0,
         static_cast<std::uint32_t>(left[i]),
         static_cast<std::uint32_t>(right[i]),
         gain[i],
         static_cast<std::uint32_t>(depth[i]),
         leaf[i] != 0,
         static_cast<std::uint8_t>(bin[i]),
         categorical[i] != 0,
         static_cast<std::uint32_t>(bitset[i])};
    check_node(n, p, i, size, limits, t.raw_left_cat_bitsets.size());
  }
  t.compile();
  return t;
}

}  // namespace mlpersist::ensemble::hgb
