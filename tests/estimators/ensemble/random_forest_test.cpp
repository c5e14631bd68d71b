// RandomForestClassifier as a plugin estimator: scikit-learn parity on iris (same seeds, same
// bootstrap samples, same trees), cross-validation, round trips, and validation of every member
// tree at load.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <mlpersist/error.hpp>
#include <mlpersist/model_selection.hpp>
#include <mlpersist/persist.hpp>
#include <numeric>

#include "random_forest.hpp"
#include "test_support.hpp"

namespace {

using namespace mlpersist;
namespace fs = std::filesystem;

std::shared_ptr<Estimator> unfitted_forest(const Map& params = {}) {
  auto est = test::registry().create("ensemble.RandomForestClassifier");
  Map p;
  p.insert("random_state", 0);
  est->set_params(p);
  est->set_params(params);
  return est;
}

std::shared_ptr<Estimator> fitted_forest(const Dataset& d, const Map& params = {}) {
  auto est = unfitted_forest(params);
  est->fit(d.X, d.y);
  return est;
}

const ensemble::RandomForestClassifier& forest_of(const Estimator& est) {
  return dynamic_cast<const ensemble::RandomForestClassifier&>(est);
}

TEST(RandomForest, GrowsTheSameTreesAsScikitLearnOnIris) {
  const Dataset d = test::load_dataset("iris");
  const auto ref = test::load_reference("iris__random_forest");
  const auto est = fitted_forest(d);
  const auto& fitted = ref["fitted"];
  const auto& trees = forest_of(*est).trees();
  ASSERT_EQ(trees.size(), fitted["estimators_.tree_.node_count"].Size());
  for (rapidjson::SizeType i = 0; i < trees.size(); ++i) {
    EXPECT_EQ(trees[i].node_count(), fitted["estimators_.tree_.node_count"][i].GetInt64()) << i;
    EXPECT_EQ(trees[i].max_depth(), fitted["estimators_.tree_.max_depth"][i].GetInt64()) << i;
    EXPECT_EQ(trees[i].n_leaves(), fitted["estimators_.tree_.n_leaves"][i].GetInt64()) << i;
  }
  EXPECT_EQ(est->score(d.X, d.y), ref["score_train"].GetDouble());
  EXPECT_TRUE(test::bit_identical(est->predict(d.X), test::json_vector(ref["predict_train"])));
  EXPECT_TRUE(
      test::bit_identical(est->predict_proba(d.X), test::json_matrix(ref["predict_proba_test"])));
  const Vector importances = forest_of(*est).feature_importances();
  EXPECT_LE((importances - test::json_vector(fitted["feature_importances_"])).cwiseAbs().maxCoeff(),
            1e-12);
}

TEST(RandomForest, CrossValidationMatchesScikitLearn) {
  const Dataset d = test::load_dataset("iris");
  const auto ref = test::load_reference("iris__random_forest");
  const CvResult cv = cross_validate(*unfitted_forest(), d.X, d.y, 5);
  const std::vector<double> ref_scores = [&] {
    std::vector<double> s;
    for (const auto& v : ref["cv_scores"].GetArray()) s.push_back(v.GetDouble());
    return s;
  }();
  const double ref_mean = std::accumulate(ref_scores.begin(), ref_scores.end(), 0.0) /
                          static_cast<double>(ref_scores.size());
  EXPECT_NEAR(cv.mean, ref_mean, 0.02);
  // Same folds and the same seeds grow the same forests, so every fold agrees exactly.
  EXPECT_EQ(cv.scores, ref_scores);
}

TEST(RandomForest, ProbabilitiesAreTheMeanOfTheTrees) {
  const Dataset d = test::load_dataset("iris");
  Map params;
  params.insert("n_estimators", 7).insert("max_depth", 2).insert("criterion", "entropy");
  const auto est = fitted_forest(d, params);
  const Matrix proba = est->predict_proba(d.X);
  EXPECT_LE((proba.rowwise().sum().array() - 1.0).abs().maxCoeff(), 1e-12);
  Matrix sum = Matrix::Zero(d.X.rows(), 3);
  for (const auto& t : forest_of(*est).trees()) {
    EXPECT_LE(t.max_depth(), 2);
    t.accumulate_proba(d.X, sum);
  }
  EXPECT_TRUE(test::bit_identical(proba, Matrix(sum / 7.0)));
}

TEST(RandomForest, WorkersDoNotChangeTheForest) {
  const Dataset d = test::load_dataset("iris");
  Map params;
  params.insert("n_estimators", 20);
  const auto serial = fitted_forest(d, params);
  params.insert("n_jobs", -1);
  const auto parallel = fitted_forest(d, params);
  SaveContext ctx;
  EXPECT_EQ(serial->save_state(ctx), parallel->save_state(ctx));
}

TEST(RandomForest, WithoutBootstrapEveryTreeSeesEverySample) {
  const Dataset d = test::load_dataset("iris");
  Map params;
  params.insert("n_estimators", 5).insert("bootstrap", false);
  const auto est = fitted_forest(d, params);
  for (const auto& t : forest_of(*est).trees()) {
    EXPECT_EQ(t.n_node_samples()[0], 150);
    EXPECT_EQ(t.weighted_n_node_samples()[0], 150.0);
  }
  EXPECT_EQ(est->score(d.X, d.y), 1.0);
}

TEST(RandomForest, RoundTripsBitIdenticalThroughEveryBackendAndMedium) {
  const Dataset d = test::load_dataset("iris");
  test::expect_round_trips_bit_identical(*fitted_forest(d), d.X);
  Map params;
  params.insert("n_estimators", 3).insert("max_features", 4).insert("min_samples_leaf", 3);
  test::expect_round_trips_bit_identical(*fitted_forest(d, params), d.X);
}

// Saves a small fitted forest, applies `edit` to its decoded state and expects instantiate()
// to refuse it with a SchemaError naming `path`.
void expect_rejected(const std::function<void(Map&)>& edit, const std::string& path) {
  const Dataset d = test::load_dataset("iris");
  Map params;
  params.insert("n_estimators", 5);
  const fs::path file = test::temp_dir() / "forest.bin";
  dump(test::registry(), *fitted_forest(d, params), file);
  Document doc = read_document(test::registry(), file);
  edit(doc.root.as_map().find("state")->as_map());
  try {
    (void)instantiate(test::registry(), doc);
    FAIL() << "accepted a broken forest; expected an error at " << path;
  } catch (const SchemaError& e) {
    EXPECT_NE(std::string(e.what()).find("'" + path + "'"), std::string::npos) << e.what();
  }
}

Map& member(Map& state, std::size_t i) {
  return state.find("estimators_")->as_array().at(i).as_map();
}

void set_int(Map& tree, const std::string& key, std::size_t i, std::int64_t v) {
  Value& slot = *tree.find(key);
  const auto values = slot.as_tensor().values<std::int64_t>();
  std::vector<std::int64_t> copy(values.begin(), values.end());
  copy.at(i) = v;
  slot = Tensor::from_values(std::span<const std::int64_t>(copy));
}

TEST(RandomForest, LoadRejectsABrokenMemberTree) {
  // Every member's root splits (iris is never pure in a bootstrap sample).
  expect_rejected([](Map& s) { set_int(member(s, 3), "children_left", 0, 0); },
                  "state.estimators_[3].children_left");
  expect_rejected([](Map& s) { set_int(member(s, 1), "children_right", 0, 1000); },
                  "state.estimators_[1].children_right");
  expect_rejected([](Map& s) { set_int(member(s, 4), "feature", 0, 4); },
                  "state.estimators_[4].feature");
  expect_rejected(
      [](Map& s) {
        Value& t = *member(s, 2).find("threshold");
        const auto v = t.as_tensor().values<double>();
        std::vector<double> copy(v.begin(), v.end());
        copy[0] = std::nan("");
        t = Tensor::from_values(std::span<const double>(copy));
      },
      "state.estimators_[2].threshold");
  expect_rejected(
      [](Map& s) { *member(s, 0).find("value") = Tensor::from_matrix(Matrix::Ones(1, 3)); },
      "state.estimators_[0].value");
  expect_rejected([](Map& s) { member(s, 0).erase("impurity"); }, "state.estimators_[0]");
  expect_rejected([](Map& s) { s.find("estimators_")->as_array().at(2) = 7; },
                  "state.estimators_[2]");
  expect_rejected([](Map& s) { *s.find("estimators_") = Array{}; }, "state.estimators_");
  expect_rejected([](Map& s) { *s.find("n_classes_") = 2; }, "state.n_classes_");
  expect_rejected([](Map& s) { *s.find("classes_") = Tensor::from_vector(Vector::Zero(3)); },
                  "state.classes_");
}

TEST(RandomForest, BadParametersAreRefused) {
  auto est = test::registry().create("ensemble.RandomForestClassifier");
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, Value>>{{"n_estimators", 0},
                                                  {"criterion", "mse"},
                                                  {"min_samples_split", 1},
                                                  {"min_samples_leaf", 0},
                                                  {"max_depth", -3},
                                                  {"max_features", "auto"},
                                                  {"max_features", 0.0},
                                                  {"bootstrap", "yes"},
                                                  {"n_jobs", 0},
                                                  {"random_state", -1},
                                                  {"oob_score", true}}) {
    Map m;
    m.insert(key, value);
    EXPECT_THROW(est->set_params(m), UsageError) << key;
  }
}

}  // namespace
