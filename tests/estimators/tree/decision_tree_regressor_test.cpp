// DecisionTreeRegressor: the same trees as scikit-learn 1.2.1 to the last bit (best and random
// splitters; squared_error, friedman_mse, absolute_error and poisson), round trips, and hostile
// trees refused at load.
#include "decision_tree_regressor.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>

#include "parity.hpp"
#include "tree_parity.hpp"

namespace {

using namespace mlpersist;

const tree::DecisionTreeRegressor& regressor_of(const Estimator& est) {
  return dynamic_cast<const tree::DecisionTreeRegressor&>(est);
}

void expect_parity(const std::string& name) {
  const auto ref = test::load_reference(name);
  const auto est = test::fit_like_reference(ref);
  const auto& r = regressor_of(*est);
  test::expect_same_trees({&r.tree()}, ref);
  const Dataset d = test::load_dataset(ref["dataset"].GetString());
  EXPECT_TRUE(test::bit_identical(est->predict(d.X), test::json_vector(ref["predict"]))) << name;
  EXPECT_EQ(r.max_features(), ref["fitted"]["max_features_"].GetInt64());
  EXPECT_TRUE(test::near_rel(r.feature_importances(),
                             test::json_vector(ref["fitted"]["feature_importances_"]), 1e-12));
}

TEST(DecisionTreeRegressor, GrowsScikitLearnsTreesBitForBit) {
  expect_parity("trees__diabetes__dtr");
  expect_parity("trees__diabetes__dtr_friedman");
  expect_parity("trees__friedman__dtr_random");
}

// Weighted medians with ties in both the features and the targets (counts.csv).
TEST(DecisionTreeRegressor, AbsoluteErrorGrowsScikitLearnsTreesBitForBit) {
  expect_parity("trees__diabetes__dtr_absolute");
  expect_parity("trees__counts__dtr_absolute");
  expect_parity("trees__counts__dtr_absolute_random");
}

TEST(DecisionTreeRegressor, PoissonGrowsScikitLearnsTreesBitForBit) {
  expect_parity("trees__counts__dtr_poisson");
}

TEST(DecisionTreeRegressor, PoissonRefusesNegativeOrAllZeroTargets) {
  const Dataset d = test::load_dataset("counts");
  auto est = test::registry().create("tree.DecisionTreeRegressor");
  Map p;
  p.insert("criterion", "poisson");
  est->set_params(p);
  Vector y = d.y;
  y(3) = -1.0;
  EXPECT_THROW(est->fit(d.X, y), UsageError);
  EXPECT_THROW(est->fit(d.X, Vector::Zero(d.X.rows())), UsageError);
  est->fit(d.X, d.y);  // zeros among positive counts are fine
  EXPECT_GT(regressor_of(*est).tree().node_count(), 1);
}

// The leaf of a constant target holds it, whatever the criterion (medians of equal values).
TEST(DecisionTreeRegressor, AbsoluteErrorLeafIsTheWeightedMedian) {
  Matrix X(5, 1);
  X << 0, 0, 0, 0, 1;
  Vector y(5);
  y << 1, 2, 2, 10, 7;
  auto est = test::registry().create("tree.DecisionTreeRegressor");
  Map p;
  p.insert("criterion", "absolute_error").insert("max_depth", 1);
  est->set_params(p);
  est->fit(X, y);
  const auto& t = regressor_of(*est).tree();
  ASSERT_EQ(t.node_count(), 3);
  EXPECT_EQ(t.value(0)[0], 2.0);  // the median of 1 2 2 7 10
  EXPECT_EQ(t.value(1)[0], 2.0);  // of 1 2 2 10: half the weight below 2, half above
  EXPECT_EQ(t.value(2)[0], 7.0);
  EXPECT_DOUBLE_EQ(t.impurity()[0], (1.0 + 0 + 0 + 8 + 5) / 5);
}

// Re-fit cost (Limits::max_refit_cost): absolute_error walks the node at every candidate split.
TEST(DecisionTreeRegressor, AbsoluteErrorFitCostIsQuadratic) {
  auto est = test::registry().create("tree.DecisionTreeRegressor");
  const double n_log_n = est->fit_cost(1000, 10);
  Map p;
  p.insert("criterion", "absolute_error");
  est->set_params(p);
  EXPECT_EQ(est->fit_cost(1000, 10), 1000.0 * n_log_n);
}

TEST(DecisionTreeRegressor, RoundTripsBitIdentical) {
  const auto est = test::fit_like_reference(test::load_reference("trees__friedman__dtr_random"));
  test::expect_round_trips_bit_identical(*est, test::load_dataset("friedman").X);
}

TEST(DecisionTreeRegressor, ConstantTargetGrowsOneLeaf) {
  const Dataset d = test::load_dataset("diabetes");
  auto est = test::registry().create("tree.DecisionTreeRegressor");
  est->fit(d.X, Vector::Constant(d.X.rows(), 3.5));
  EXPECT_EQ(regressor_of(*est).tree().node_count(), 1);
  EXPECT_TRUE((est->predict(d.X).array() == 3.5).all());
}

TEST(DecisionTreeRegressor, HostileTreesAreRefusedWithTheirPath) {
  const auto est = test::fit_like_reference(test::load_reference("trees__friedman__dtr_random"));
  const auto ints = [](std::vector<std::int64_t> v) { return test::int_tensor(std::move(v)); };
  const auto& t = regressor_of(*est).tree();
  auto left = t.children_left();
  left[0] = 0;  // a cycle: the root is its own child
  test::expect_rejected_edit(*est, "children_left", ints(left));
  auto right = t.children_right();
  right[0] = t.node_count();  // past the last node
  test::expect_rejected_edit(*est, "children_right", ints(right));
  auto feature = t.feature();
  feature[0] = 6;  // friedman has 6 features
  test::expect_rejected_edit(*est, "feature", ints(feature));
  std::vector<double> value(t.node_count(), 1.0);
  value[1] = std::nan("");
  test::expect_rejected_edit(*est, "value", Tensor::from_values(std::span<const double>(value)));
  test::expect_rejected_edit(*est, "value", Tensor::from_matrix(Matrix::Ones(t.node_count(), 2)));
  test::expect_rejected_edit(*est, "node_count", Value(t.node_count() + 1), "children_left");
  test::expect_rejected_edit(*est, "max_features_", Value(7));
}

TEST(DecisionTreeRegressor, BadParametersAreRefused) {
  test::expect_params_refused("tree.DecisionTreeRegressor", {{"criterion", "gini"},
                                                             {"criterion", "mae"},
                                                             {"splitter", "worst"},
                                                             {"min_samples_leaf", 0},
                                                             {"max_depth", 0},
                                                             {"max_features", 1.5}});
}

}  // namespace
