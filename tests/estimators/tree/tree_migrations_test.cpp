// The tree family's schema 1 -> 2 change (`value`: weighted class counts -> class fractions, as
// scikit-learn 1.4) against the golden schema 1 artifacts, for tree.DecisionTreeClassifier and,
// through its registered hooks, every member of ensemble.RandomForestClassifier.
#include "tree_migrations.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <stdexcept>

#include "schema_v1_fixtures.hpp"
#include "test_support.hpp"

namespace {

using namespace mlpersist;
using test::member;

const char* const kBackends[] = {"binary", "json", "msgpack"};
constexpr std::string_view kTree = "tree.DecisionTreeClassifier";
constexpr std::string_view kForest = "ensemble.RandomForestClassifier";

// Each row divided by its total summed in class order: what the schema 1 code's predict_proba
// computed from the counts (an all-zero row stays zero).
Tensor expected_fractions(const Value& counts) {
  Matrix m = counts.as_tensor().matrix<double>();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    double total = 0.0;
    for (Eigen::Index c = 0; c < m.cols(); ++c) total += m(i, c);
    if (total != 0.0) m.row(i) /= total;
  }
  return Tensor::from_matrix(m);
}

// The registered hook of `type` (the forest's lives in the ensemble plugin).
MigrationFunction hook(std::string_view type, std::uint32_t from, MigrationDirection d) {
  const Migration* m = test::registry().find_migration(type, from, d);
  if (m == nullptr) throw std::logic_error("no hook registered");
  return m->apply;
}

std::shared_ptr<Estimator> refitted(std::string_view type, const Map& params) {
  const Dataset d = test::load_dataset("iris");
  auto est = test::registry().create(type);
  est->set_params(params);
  est->set_feature_names(d.feature_names);
  est->fit(d.X, d.y);
  return est;
}

// As the golden tree_iris and forest_iris were fitted (see tests/fixtures/schema-v1/README.md).
std::shared_ptr<Estimator> golden_tree_refitted() {
  return refitted(kTree, Map{}.insert("max_depth", 4).insert("random_state", 0));
}
std::shared_ptr<Estimator> golden_forest_refitted() {
  return refitted(kForest,
                  Map{}.insert("n_estimators", 5).insert("max_depth", 3).insert("random_state", 0));
}

struct Refit {
  std::string model;
  std::string_view type;
  std::shared_ptr<Estimator> fitted;
};

// The golden tree and forest, fitted again by today's code.
std::vector<Refit> golden_refits() {
  return {{"tree_iris", kTree, golden_tree_refitted()},
          {"forest_iris", kForest, golden_forest_refitted()}};
}

TEST(TreeMigration, UpgradeDividesEachRowOfCountsByItsTotal) {
  const Document golden = test::read_schema_v1("tree_iris");
  const std::string before = test::encode_payload("binary", golden.root);  // a deep copy
  const Value up = tree::upgrade_decision_tree_1_to_2(Node(golden.root, ""));
  EXPECT_TRUE(test::encode_payload("binary", golden.root) == before)
      << "the hook modified its input";
  Value expected = golden.root;
  member(expected, {"state", "value"}) = expected_fractions(member(expected, {"state", "value"}));
  EXPECT_TRUE(up == expected);  // nothing else changed, nor moved
}

TEST(TreeMigration, ForestUpgradeConvertsEveryMember) {
  const Document golden = test::read_schema_v1("forest_iris");
  const Value up = hook(kForest, 1, MigrationDirection::kUpgrade)(Node(golden.root, ""));
  Value expected = golden.root;
  Array& members = member(expected, {"state", "estimators_"}).as_array();
  ASSERT_EQ(members.size(), 5u);
  for (Value& tree : members) member(tree, {"value"}) = expected_fractions(member(tree, {"value"}));
  EXPECT_TRUE(up == expected);
}

TEST(TreeMigration, UpgradedGoldenDocumentsAreWhatTodaysCodeSavesForTheSameFit) {
  for (const auto& [model, type, fitted] : golden_refits()) {
    SCOPED_TRACE(model);
    Document golden = test::read_schema_v1(model);
    upgrade_document(test::registry(), golden);
    EXPECT_TRUE(golden.root == test::saved_document(*fitted).root);
  }
}

TEST(TreeMigration, DowngradeGivesBackTheGoldenDocumentsValueForValue) {
  for (const char* backend : kBackends) {
    SCOPED_TRACE(backend);
    test::expect_downgrade_restores(test::read_schema_v1("tree_iris", backend), kTree);
    test::expect_downgrade_restores(test::read_schema_v1("forest_iris", backend), kForest);
  }
}

TEST(TreeMigration, DowngradeOfFreshModelsIsWhatTheOldCodeWrote) {
  for (const auto& [model, type, fitted] : golden_refits()) {
    SCOPED_TRACE(model);
    Document fresh = test::saved_document(*fitted);
    downgrade_document(test::registry(), fresh, type, 1);
    EXPECT_TRUE(fresh.root == test::read_schema_v1(model).root);
  }
}

TEST(TreeMigration, DowngradeRoundsOnlyIntegralWeights) {
  Value doc = test::saved_document(*golden_tree_refitted()).root;
  Value& weights = member(doc, {"state", "weighted_n_node_samples"});
  Vector w = weights.as_tensor().vector<double>();
  w(0) = 150.5;  // not what a tree grown here has; the counts then stay unrounded
  weights = Tensor::from_vector(w);
  const Value down = tree::downgrade_decision_tree_2_to_1(Node(doc, ""));
  const auto fractions = member(doc, {"state", "value"}).as_tensor().matrix<double>();
  const auto counts =
      Node(down, "")["state"]["value"].as_tensor(DType::kFloat64, 2).matrix<double>();
  for (Eigen::Index c = 0; c < 3; ++c) {
    EXPECT_EQ(counts(0, c), fractions(0, c) * 150.5);
    EXPECT_EQ(counts(1, c), std::round(fractions(1, c) * w(1)));
  }
}

TEST(TreeMigration, UnfittedDocumentsAreLeftAlone) {
  for (const std::string_view type : {kTree, kForest}) {
    const Value unfitted = test::saved_document(*test::registry().create(type)).root;
    for (const auto d : {MigrationDirection::kUpgrade, MigrationDirection::kDowngrade}) {
      const std::uint32_t from = d == MigrationDirection::kUpgrade ? 1 : 2;
      EXPECT_TRUE(hook(type, from, d)(Node(unfitted, "")) == unfitted) << type;
    }
  }
}

TEST(TreeMigration, UpgradeRefusesABrokenTreeNamingThePath) {
  const Value golden = test::read_schema_v1("tree_iris").root;
  const auto upgrade = tree::upgrade_decision_tree_1_to_2;
  const auto with = [&](std::string_view key, Value v) {
    Value doc = golden;
    member(doc, {"state", key}) = std::move(v);
    return doc;
  };
  const Matrix counts = Node(golden, "")["state"]["value"].as_tensor(DType::kFloat64, 2).matrix();
  const Eigen::Index n = counts.rows();
  test::expect_hook_fails_at(upgrade, with("value", Tensor::from_matrix(counts.topRows(n - 1))),
                             "state.value");
  test::expect_hook_fails_at(upgrade, with("value", Tensor::from_matrix(counts.leftCols(2))),
                             "state.value");
  test::expect_hook_fails_at(upgrade, with("value", Tensor::from_vector(Vector::Ones(n))),
                             "state.value");
  test::expect_hook_fails_at(upgrade, with("node_count", "many"), "state.node_count");
  test::expect_hook_fails_at(upgrade, with("n_classes_", 4), "state.n_classes_");
  Value no_value = golden;
  member(no_value, {"state"}).as_map().erase("value");
  test::expect_hook_fails_at(upgrade, no_value, "state");
  test::expect_hook_fails_at(upgrade, no_value, "state.steps[0].estimator.state",
                             "state.steps[0].estimator");
}

TEST(TreeMigration, ForestHooksNameTheBrokenMember) {
  const Value golden = test::read_schema_v1("forest_iris").root;
  Value doc = golden;
  Value& tree = member(doc, {"state", "estimators_"}).as_array().at(3);
  member(tree, {"value"}) = Tensor::from_vector(Vector::Ones(3));
  test::expect_hook_fails_at(hook(kForest, 1, MigrationDirection::kUpgrade), doc,
                             "state.estimators_[3].value");
  Value not_trees = golden;
  member(not_trees, {"state", "estimators_"}) = 5;
  test::expect_hook_fails_at(hook(kForest, 1, MigrationDirection::kUpgrade), not_trees,
                             "state.estimators_");
  Value fresh = test::saved_document(*golden_forest_refitted()).root;
  member(fresh, {"state", "estimators_"})
      .as_array()
      .at(1)
      .as_map()
      .erase("weighted_n_node_samples");
  test::expect_hook_fails_at(hook(kForest, 2, MigrationDirection::kDowngrade), fresh,
                             "state.estimators_[1]");
}

TEST(TreeMigration, FreshModelsAreSavedAtSchemaTwoForSchemaTwoReaders) {
  for (const std::string_view type : {kTree, kForest}) {
    const TypeInfo* info = test::registry().find_type(type);
    ASSERT_NE(info, nullptr) << type;
    EXPECT_EQ(info->schema_version, 2u) << type;
    EXPECT_EQ(info->min_reader_version, 2u) << type;
  }
}

}  // namespace
