// Tree's traversal: a float32 row compared with a float threshold (packed nodes) goes exactly
// where scikit-learn's comparison with the float64 threshold sends it, at every edge of the
// rounding, and a block of rows lands on the same leaves as the rows one at a time.
#include "tree.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <mlpersist/node.hpp>
#include <random>

namespace {

using namespace mlpersist;
using tree::Tree;

Tensor ints(std::vector<std::int64_t> v) {
  return Tensor::from_values(std::span<const std::int64_t>(v));
}

Tensor doubles(std::vector<double> v) {
  return Tensor::from_values(std::span<const double>(v));
}

// One split on feature 0 at `threshold`: leaf 1 (value 1) on the left, leaf 2 (value 2) right.
Tree stump(double threshold) {
  Map state;
  state.insert("node_count", std::int64_t{3});
  state.insert("max_depth", std::int64_t{1});
  state.insert("children_left", ints({1, -1, -1}));
  state.insert("children_right", ints({2, -1, -1}));
  state.insert("feature", ints({0, -2, -2}));
  state.insert("threshold", doubles({threshold, -2.0, -2.0}));
  state.insert("impurity", doubles({1.0, 0.0, 0.0}));
  state.insert("n_node_samples", ints({2, 1, 1}));
  state.insert("weighted_n_node_samples", doubles({2.0, 1.0, 1.0}));
  state.insert("value", Tensor::from_matrix(Matrix(Eigen::Vector3d(1.5, 1.0, 2.0))));
  const Value doc(std::move(state));
  return Tree::load_regression(Node(doc, "tree"), 1);
}

// The leaf the float64 comparison of scikit-learn picks for x.
std::uint32_t expected_leaf(float x, double threshold) {
  return static_cast<double>(x) <= threshold ? 1 : 2;
}

std::uint32_t leaf_of(const Tree& t, float x) {
  const tree::Float32Rows rows(Matrix(Matrix::Constant(1, 1, static_cast<double>(x))));
  std::uint32_t leaf = 0;
  t.leaves(rows, 0, 1, &leaf);
  return leaf;
}

TEST(Tree, FloatRowsGoWhereTheFloat64ThresholdSendsThem) {
  constexpr float kMax = std::numeric_limits<float>::max();
  constexpr float kInf = std::numeric_limits<float>::infinity();
  const double between =
      (static_cast<double>(1.0F) + static_cast<double>(std::nextafter(1.0F, 2.0F))) /
      2;  // halfway between two floats: rounds up to nearest
  for (const double t : {0.0, -0.0, 1.0, between, -between, 0.1, -0.1, 1e-45, 1e-300, -1e-300,
                         static_cast<double>(kMax), 3.5e38, 1e300, -3.5e38, -1e300}) {
    const Tree tree = stump(t);
    const float near = static_cast<float>(t);
    for (const float x : {near, std::nextafter(near, kInf), std::nextafter(near, -kInf), 0.0F,
                          -0.0F, kMax, -kMax, kInf, -kInf, std::numeric_limits<float>::quiet_NaN()})
      EXPECT_EQ(leaf_of(tree, x), expected_leaf(x, t)) << "threshold " << t << ", x " << x;
  }
}

TEST(Tree, BlocksOfRowsReachTheLeavesOfSingleRows) {
  // A tree of depth 2 over two features, rows of every length modulo the block size.
  Map state;
  state.insert("node_count", std::int64_t{7});
  state.insert("max_depth", std::int64_t{2});
  state.insert("children_left", ints({1, 2, -1, -1, 5, -1, -1}));
  state.insert("children_right", ints({4, 3, -1, -1, 6, -1, -1}));
  state.insert("feature", ints({0, 1, -2, -2, 1, -2, -2}));
  state.insert("threshold", doubles({0.0, -0.5, -2.0, -2.0, 0.5, -2.0, -2.0}));
  state.insert("impurity", doubles({1, 1, 0, 0, 1, 0, 0}));
  state.insert("n_node_samples", ints({4, 2, 1, 1, 2, 1, 1}));
  state.insert("weighted_n_node_samples", doubles({4, 2, 1, 1, 2, 1, 1}));
  state.insert("value", Tensor::from_matrix(Matrix::Zero(7, 1)));
  const Value doc(std::move(state));
  const Tree tree = Tree::load_regression(Node(doc, "tree"), 2);
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  for (const Eigen::Index n :
       {Eigen::Index{1}, Tree::kBlockRows - 1, Tree::kBlockRows, 3 * Tree::kBlockRows + 5}) {
    Matrix X(n, 2);
    for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = normal(rng);
    const tree::Float32Rows rows(X);
    std::vector<std::int64_t> one_by_one;
    for (Eigen::Index i = 0; i < n; ++i) {
      std::uint32_t leaf = 0;
      tree.leaves(rows, i, 1, &leaf);
      const bool left = static_cast<double>(rows.row(i)[0]) <= 0.0;
      const bool second = static_cast<double>(rows.row(i)[1]) <= (left ? -0.5 : 0.5);
      EXPECT_EQ(leaf, left ? (second ? 2U : 3U) : (second ? 5U : 6U));
      one_by_one.push_back(leaf);
    }
    EXPECT_EQ(tree.apply(X), one_by_one) << n << " rows";
  }
}

}  // namespace
