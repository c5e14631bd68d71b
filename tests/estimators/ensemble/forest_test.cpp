// RandomForestRegressor, ExtraTreesRegressor and ExtraTreesClassifier: the same trees as
// scikit-learn 1.2.1 to the last bit (seeds, bootstrap samples, ExtraTrees' random thresholds,
// every regression criterion),
// the same predictions, round trips, and hostile member trees refused at load.
#include <gtest/gtest.h>

#include <cmath>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>

#include "extra_trees.hpp"
#include "parity.hpp"
#include "random_forest.hpp"
#include "tree_parity.hpp"

namespace {

using namespace mlpersist;

std::vector<const tree::Tree*> members(const Estimator& est) {
  const auto* a = dynamic_cast<const ensemble::RandomForestRegressor*>(&est);
  const auto* b = dynamic_cast<const ensemble::ExtraTreesRegressor*>(&est);
  const auto* c = dynamic_cast<const ensemble::ExtraTreesClassifier*>(&est);
  const auto& trees = a ? a->trees() : b ? b->trees() : c->trees();
  std::vector<const tree::Tree*> out;
  for (const auto& t : trees) out.push_back(&t);
  return out;
}

void expect_parity(const std::string& name) {
  const auto ref = test::load_reference(name);
  const auto est = test::fit_like_reference(ref);
  test::expect_same_trees(members(*est), ref);
  const Dataset d = test::load_dataset(ref["dataset"].GetString());
  EXPECT_TRUE(test::bit_identical(est->predict(d.X), test::json_vector(ref["predict"]))) << name;
  if (ref.HasMember("predict_proba")) {
    EXPECT_TRUE(
        test::bit_identical(est->predict_proba(d.X), test::json_matrix(ref["predict_proba"])))
        << name;
  }
}

TEST(ForestRegression, RandomForestRegressorGrowsScikitLearnsTrees) {
  expect_parity("trees__diabetes__rfr");
  expect_parity("trees__friedman__rfr_sqrt");
}

TEST(ForestRegression, ExtraTreesGrowScikitLearnsTrees) {
  expect_parity("trees__friedman__etr");
  expect_parity("trees__diabetes__etr_bootstrap");
  expect_parity("trees__iris__etc");
  expect_parity("trees__binary__etc_entropy");
}

// Bootstrap counts weigh the running medians (integer weights other than one).
TEST(ForestRegression, AbsoluteErrorForestsGrowScikitLearnsTrees) {
  expect_parity("trees__counts__rfr_absolute");
  expect_parity("trees__diabetes__rfr_absolute");
  expect_parity("trees__counts__etr_absolute");
}

TEST(ForestRegression, PoissonForestsGrowScikitLearnsTrees) {
  expect_parity("trees__counts__rfr_poisson");
  expect_parity("trees__counts__etr_poisson");
}

TEST(ForestRegression, FeatureImportancesMatchScikitLearn) {
  const auto ref = test::load_reference("trees__diabetes__rfr");
  const auto est = test::fit_like_reference(ref);
  const auto& forest = dynamic_cast<const ensemble::RandomForestRegressor&>(*est);
  EXPECT_TRUE(test::near_rel(forest.feature_importances(),
                             test::json_vector(ref["fitted"]["feature_importances_"]), 1e-12));
}

TEST(ForestRegression, WorkersDoNotChangeTheForest) {
  const Dataset d = test::load_dataset("friedman");
  auto one = test::registry().create("ensemble.ExtraTreesRegressor");
  Map p;
  p.insert("n_estimators", 6).insert("random_state", 3).insert("max_depth", 4);
  one->set_params(p);
  auto two = one->clone();
  Map jobs;
  jobs.insert("n_jobs", 2);
  two->set_params(jobs);
  one->fit(d.X, d.y);
  two->fit(d.X, d.y);
  EXPECT_TRUE(test::bit_identical(one->predict(d.X), two->predict(d.X)));
}

TEST(ForestRegression, RoundTripsBitIdentical) {
  const Dataset d = test::load_dataset("friedman");
  test::expect_round_trips_bit_identical(
      *test::fit_like_reference(test::load_reference("trees__friedman__rfr_sqrt")), d.X);
  test::expect_round_trips_bit_identical(
      *test::fit_like_reference(test::load_reference("trees__friedman__etr")), d.X);
  const Dataset iris = test::load_dataset("iris");
  test::expect_round_trips_bit_identical(
      *test::fit_like_reference(test::load_reference("trees__iris__etc")), iris.X);
}

// A member tree broken by `edit` (on its decoded map) is refused with its path.
void expect_member_rejected(const Estimator& fitted, const std::function<void(Map&)>& edit,
                            const std::string& path) {
  const auto file = test::temp_dir() / "forest.bin";
  dump(test::registry(), fitted, file);
  Document doc = read_document(test::registry(), file);
  Map& state = doc.root.as_map().find("state")->as_map();
  edit(state);
  try {
    (void)instantiate(test::registry(), doc);
    ADD_FAILURE() << "accepted a broken forest; expected an error at " << path;
  } catch (const SchemaError& e) {
    EXPECT_NE(std::string(e.what()).find("'" + path + "'"), std::string::npos) << e.what();
  }
}

Map& member(Map& state, std::size_t i) {
  return state.find("estimators_")->as_array().at(i).as_map();
}

TEST(ForestRegression, HostileMembersAreRefusedWithTheirPath) {
  const auto est = test::fit_like_reference(test::load_reference("trees__friedman__rfr_sqrt"));
  const auto set_int = [](Map& tree, const std::string& key, std::size_t i, std::int64_t v) {
    Value& slot = *tree.find(key);
    auto values = slot.as_tensor().values<std::int64_t>();
    std::vector<std::int64_t> copy(values.begin(), values.end());
    copy.at(i) = v;
    slot = test::int_tensor(copy);
  };
  expect_member_rejected(
      *est, [&](Map& s) { set_int(member(s, 2), "children_left", 1, 1); },
      "state.estimators_[2].children_left");
  expect_member_rejected(
      *est, [&](Map& s) { set_int(member(s, 4), "feature", 0, 99); },
      "state.estimators_[4].feature");
  expect_member_rejected(
      *est, [&](Map& s) { set_int(member(s, 0), "children_right", 0, -5); },
      "state.estimators_[0].children_right");
  expect_member_rejected(
      *est, [](Map& s) { *s.find("estimators_") = Array(); }, "state.estimators_");
  expect_member_rejected(
      *est, [](Map& s) { member(s, 1).erase("value"); }, "state.estimators_[1]");
}

TEST(ForestRegression, BadParametersAreRefused) {
  for (const std::string type : {"ensemble.RandomForestRegressor", "ensemble.ExtraTreesRegressor"})
    test::expect_params_refused(type, {{"criterion", "gini"},
                                       {"n_estimators", 0},
                                       {"n_jobs", 0},
                                       {"max_features", "auto"},
                                       {"min_samples_split", 1}});
  test::expect_params_refused("ensemble.ExtraTreesClassifier",
                              {{"criterion", "squared_error"}, {"n_estimators", -1}});
}

}  // namespace
