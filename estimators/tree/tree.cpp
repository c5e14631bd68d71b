#include "tree.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mlpersist/text.hpp>
#include <string>

namespace mlpersist::tree {
namespace {

template <class T>
Tensor array_tensor(const std::vector<T>& v) {
  return Tensor::from_values(std::span<const T>(v));
}

// A node array of state: rank 1, one element per node.
template <class T>
std::vector<T> node_array(const Node& state, std::string_view key, std::int64_t node_count) {
  const auto v =
      state[key]
          .as_shaped_tensor(dtype_of<T>(), Tensor::Shape{static_cast<std::uint64_t>(node_count)})
          .template values<T>();
  return {v.begin(), v.end()};
}

// Counts and impurities are never negative.
template <class T>
void expect_non_negative(const Node& state, std::string_view key, const std::vector<T>& v) {
  const auto bad = std::find_if(v.begin(), v.end(), [](T x) { return x < 0; });
  if (bad != v.end())
    state[key].fail("node " + std::to_string(bad - v.begin()) + " has a negative value");
}

[[noreturn]] void fail_at(const Node& state, std::string_view key, std::int64_t node,
                          const std::string& what) {
  state[key].fail("node " + std::to_string(node) + ": " + what);
}

// Each value row: fractions in [0, 1] summing to 1 up to rounding, or an empty node's zeros.
void check_fractions(const Node& state, const Tree& t) {
  const double tolerance = Tree::kFractionSumUlpsPerClass * static_cast<double>(t.n_classes()) *
                           std::numeric_limits<double>::epsilon();
  for (std::int64_t i = 0; i < t.node_count(); ++i) {
    double sum = 0.0;
    for (const double f : t.value(i)) {
      if (!(f >= 0.0 && f <= 1.0))
        fail_at(state, "value", i, "has a class fraction outside [0, 1]");
      sum += f;
    }
    if (sum != 0.0 && std::abs(sum - 1.0) > tolerance)
      fail_at(state, "value", i,
              "class fractions sum to " + format_double(sum) +
                  "; they must sum to 1, or all be 0 for an empty node");
  }
}

void check_leaf(const Node& state, const Tree& t, std::int64_t i) {
  const auto u = static_cast<std::size_t>(i);
  if (t.children_left()[u] != Tree::kLeaf || t.children_right()[u] != Tree::kLeaf)
    fail_at(state, t.children_left()[u] == Tree::kLeaf ? "children_right" : "children_left", i,
            "has only one child; a leaf has both children -1, a split node neither");
  if (t.feature()[u] != Tree::kUndefined) fail_at(state, "feature", i, "a leaf's feature is -2");
  if (t.threshold()[u] != static_cast<double>(Tree::kUndefined))
    fail_at(state, "threshold", i, "a leaf's threshold is -2.0");
}

// Checks the class invariant (children after their parent, one parent per non-root node) and
// that split features exist; returns the depth of the deepest node.
std::int64_t check_links(const Node& state, const Tree& t, std::int64_t n_features) {
  const std::int64_t n = t.node_count();
  std::vector<std::int64_t> depth(static_cast<std::size_t>(n), -1);
  depth[0] = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const auto u = static_cast<std::size_t>(i);
    if (t.children_left()[u] == Tree::kLeaf || t.children_right()[u] == Tree::kLeaf) {
      check_leaf(state, t, i);
      continue;
    }
    if (t.feature()[u] < 0 || t.feature()[u] >= n_features)
      fail_at(state, "feature", i,
              "feature " + std::to_string(t.feature()[u]) +
                  " is outside [0, n_features_in_=" + std::to_string(n_features) + ")");
    if (t.feature()[u] > std::numeric_limits<std::int32_t>::max())
      fail_at(state, "feature", i, "feature indices above 2^31 - 1 are not supported");
    for (const auto& [key, child] : {std::pair{"children_left", t.children_left()[u]},
                                     std::pair{"children_right", t.children_right()[u]}}) {
      if (child < 0 || child >= n)
        fail_at(state, key, i,
                "child " + std::to_string(child) +
                    " is outside [0, node_count=" + std::to_string(n) + ")");
      if (child <= i)
        fail_at(state, key, i,
                "child " + std::to_string(child) +
                    " does not come after its parent; nodes are stored parents first (depth-first "
                    "order), which keeps the tree free of cycles");
      auto& d = depth[static_cast<std::size_t>(child)];
      if (d >= 0) fail_at(state, key, i, "node " + std::to_string(child) + " has a second parent");
      d = depth[u] + 1;
    }
  }
  const auto orphan = std::find(depth.begin() + 1, depth.end(), -1);
  if (orphan != depth.end())
    fail_at(state, "children_left", orphan - depth.begin(), "is no node's child (unreachable)");
  return *std::max_element(depth.begin(), depth.end());
}

}  // namespace

void class_fractions(std::span<const double> counts, std::span<double> fractions) noexcept {
  double total = 0.0;
  for (const double count : counts) total += count;
  for (std::size_t c = 0; c < counts.size(); ++c)
    fractions[c] = total == 0.0 ? 0.0 : counts[c] / total;
}

float to_float32(double x) noexcept {
  constexpr double kMax = std::numeric_limits<float>::max();
  // Halfway between FLT_MAX and 2^128: from there on, round-to-nearest gives infinity.
  constexpr double kOverflow = 0x1.ffffffp127;
  if (std::abs(x) <= kMax) return static_cast<float>(x);
  const float big = std::abs(x) < kOverflow ? std::numeric_limits<float>::max()
                                            : std::numeric_limits<float>::infinity();
  return std::signbit(x) ? -big : big;
}

TrainingSet::TrainingSet(const MatrixView& X, std::vector<std::int32_t> y, std::int32_t n_classes)
    : n_samples_(X.rows()), n_features_(X.cols()), n_classes_(n_classes), y_(std::move(y)) {
  columns_.resize(static_cast<std::size_t>(n_samples_ * n_features_));
  for (std::int64_t f = 0; f < n_features_; ++f)
    for (std::int64_t i = 0; i < n_samples_; ++i)
      columns_[static_cast<std::size_t>(f * n_samples_ + i)] = to_float32(X(i, f));
}

TrainingSet::TrainingSet(const MatrixView& X, const Vector& targets) : TrainingSet(X, {}, 1) {
  set_targets(targets);
}

void TrainingSet::set_targets(const Vector& targets) {
  targets_.assign(targets.begin(), targets.end());
}

std::int64_t Tree::n_leaves() const noexcept {
  return std::count(children_left_.begin(), children_left_.end(), kLeaf);
}

Float32Rows::Float32Rows(const MatrixView& X)
    : rows_(X.rows()), cols_(X.cols()), values_(static_cast<std::size_t>(X.size())) {
  float* out = values_.data();
  for (Eigen::Index i = 0; i < rows_; ++i) {
    const double* row = X.data() + i * X.outerStride();
    for (Eigen::Index j = 0; j < cols_; ++j) *out++ = to_float32(row[j]);
  }
}

void Tree::leaves(const Float32Rows& X, Eigen::Index first, Eigen::Index count,
                  std::uint32_t* out) const noexcept {
  const PackedNode* nodes = packed_.data();
  const float* rows[kBlockRows];
  for (Eigen::Index r = 0; r < count; ++r) {
    rows[r] = X.row(first + r);
    out[r] = 0;
  }
  // Every leaf is at most max_depth_ steps from the root (load checks it), and a leaf is its own
  // child; the block stops early once all its rows stand on leaves.
  for (std::int64_t level = 0; level < max_depth_; ++level) {
    bool moved = false;
    for (Eigen::Index r = 0; r < count; ++r) {
      const PackedNode& n = nodes[out[r]];
      // An index, not a branch: the comparison's outcome is the data's, which no predictor
      // knows (a ternary here compiles to a jump).
      const std::uint32_t next = n.child[static_cast<int>(!(rows[r][n.feature] <= n.threshold))];
      moved |= next != out[r];
      out[r] = next;
    }
    if (!moved) break;
  }
}

std::vector<std::int64_t> Tree::apply(const MatrixView& X) const {
  const Float32Rows rows(X);
  std::vector<std::int64_t> leaves_of(static_cast<std::size_t>(X.rows()));
  for_each_leaf(rows, [&](Eigen::Index i, std::uint32_t leaf) {
    leaves_of[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(leaf);
  });
  return leaves_of;
}

Matrix Tree::leaf_values(const MatrixView& X) const {
  const auto leaves_of = apply(X);
  Matrix out(X.rows(), n_classes_);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const auto v = value(leaves_of[static_cast<std::size_t>(i)]);
    for (std::int64_t c = 0; c < n_classes_; ++c) out(i, c) = v[static_cast<std::size_t>(c)];
  }
  return out;
}

void Tree::accumulate_proba(const Float32Rows& X, Matrix& proba) const {
  for_each_leaf(X, [&](Eigen::Index i, std::uint32_t leaf) {
    const double* v = value_.data() + leaf * static_cast<std::size_t>(n_classes_);
    for (Eigen::Index c = 0; c < n_classes_; ++c) proba(i, c) += v[c];
  });
}

void Tree::accumulate_values(const Float32Rows& X, double scale, Matrix& out,
                             Eigen::Index column) const {
  for_each_leaf(
      X, [&](Eigen::Index i, std::uint32_t leaf) { out(i, column) += scale * value_[leaf]; });
}

Vector Tree::feature_importances(std::int64_t n_features, bool normalize) const {
  Vector importances = Vector::Zero(n_features);
  const auto weighted_impurity = [this](std::int64_t node) {
    const auto u = static_cast<std::size_t>(node);
    return weighted_n_node_samples_[u] * impurity_[u];
  };
  for (std::int64_t i = 0; i < node_count(); ++i) {
    const auto u = static_cast<std::size_t>(i);
    if (children_left_[u] == kLeaf) continue;
    importances(feature_[u]) += weighted_impurity(i) - weighted_impurity(children_left_[u]) -
                                weighted_impurity(children_right_[u]);
  }
  if (weighted_n_node_samples_[0] > 0) importances /= weighted_n_node_samples_[0];
  const double total = importances.sum();
  if (normalize && total > 0) importances /= total;
  return importances;
}

void Tree::save(Map& out) const {
  out.insert("node_count", node_count());
  out.insert("max_depth", max_depth_);
  out.insert("children_left", array_tensor(children_left_));
  out.insert("children_right", array_tensor(children_right_));
  out.insert("feature", array_tensor(feature_));
  out.insert("threshold", array_tensor(threshold_));
  out.insert("impurity", array_tensor(impurity_));
  out.insert("n_node_samples", array_tensor(n_node_samples_));
  out.insert("weighted_n_node_samples", array_tensor(weighted_n_node_samples_));
  out.insert("value", Tensor::from_matrix(
                          Eigen::Map<const Matrix>(value_.data(), node_count(), n_classes_)));
}

Tree Tree::load_nodes(const Node& state, std::int64_t n_features, std::int64_t n_values) {
  Tree t;
  t.n_classes_ = n_values;
  // leaf_of's packed nodes index children with 32 bits (a tree that size would take 100 GB).
  const std::int64_t n = state["node_count"].as_int(1, std::numeric_limits<std::int32_t>::max());
  t.children_left_ = node_array<std::int64_t>(state, "children_left", n);
  t.children_right_ = node_array<std::int64_t>(state, "children_right", n);
  t.feature_ = node_array<std::int64_t>(state, "feature", n);
  t.threshold_ = node_array<double>(state, "threshold", n);
  t.impurity_ = node_array<double>(state, "impurity", n);
  t.n_node_samples_ = node_array<std::int64_t>(state, "n_node_samples", n);
  t.weighted_n_node_samples_ = node_array<double>(state, "weighted_n_node_samples", n);
  expect_non_negative(state, "n_node_samples", t.n_node_samples_);
  expect_non_negative(state, "weighted_n_node_samples", t.weighted_n_node_samples_);
  const auto values =
      state["value"]
          .as_shaped_tensor(DType::kFloat64, Tensor::Shape{static_cast<std::uint64_t>(n),
                                                           static_cast<std::uint64_t>(n_values)})
          .values<double>();
  t.value_.assign(values.begin(), values.end());
  const std::int64_t deepest = check_links(state, t, n_features);
  const Node max_depth = state["max_depth"];
  t.max_depth_ = max_depth.as_int(0);
  if (t.max_depth_ != deepest)
    max_depth.fail("expected " + std::to_string(deepest) + ", the depth of the deepest node");
  t.pack();
  return t;
}

void Tree::pack() {
  packed_.resize(children_left_.size());
  for (std::size_t i = 0; i < packed_.size(); ++i) {
    const auto self = static_cast<std::uint32_t>(i);
    if (children_left_[i] == kLeaf) {
      packed_[i] = {0, 0.0F, {self, self}};
      continue;
    }
    // x <= t holds for a float x exactly when x <= the largest float not above t (and never
    // when t is NaN, which load refuses and fit does not make).
    float below = std::isnan(threshold_[i]) ? std::numeric_limits<float>::quiet_NaN()
                                            : to_float32(threshold_[i]);
    if (static_cast<double>(below) > threshold_[i])
      below = std::nextafter(below, -std::numeric_limits<float>::infinity());
    packed_[i] = {static_cast<std::uint32_t>(feature_[i]),
                  below,
                  {static_cast<std::uint32_t>(children_left_[i]),
                   static_cast<std::uint32_t>(children_right_[i])}};
  }
}

Tree Tree::load(const Node& state, std::int64_t n_features, std::int64_t n_classes) {
  Tree t = load_nodes(state, n_features, n_classes);
  // A variance computed as mean(y^2) - mean(y)^2 can round below zero; gini and entropy cannot.
  expect_non_negative(state, "impurity", t.impurity_);
  check_fractions(state, t);
  return t;
}

Tree Tree::load_regression(const Node& state, std::int64_t n_features) {
  return load_nodes(state, n_features, 1);  // values are finite (as_shaped_tensor's default)
}

}  // namespace mlpersist::tree
