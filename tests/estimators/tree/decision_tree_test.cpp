// DecisionTreeClassifier as a plugin estimator: scikit-learn parity on iris (same random stream,
// so the same tree), round trips, and complete validation of hand-edited trees at load.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <numeric>

#include "decision_tree.hpp"
#include "test_support.hpp"

namespace {

using namespace mlpersist;
namespace fs = std::filesystem;

std::shared_ptr<Estimator> fitted_tree(const Dataset& d, const Map& params = {}) {
  auto est = test::registry().create("tree.DecisionTreeClassifier");
  Map p;
  p.insert("random_state", 0);
  est->set_params(p);
  est->set_params(params);
  est->fit(d.X, d.y);
  return est;
}

const tree::Tree& tree_of(const Estimator& est) {
  return dynamic_cast<const tree::DecisionTreeClassifier&>(est).tree();
}

template <class T>
std::vector<T> json_array(const rapidjson::Value& v) {
  std::vector<T> out;
  for (const auto& e : v.GetArray()) out.push_back(e.template Get<T>());
  return out;
}

TEST(DecisionTree, FitsIrisExactlyLikeScikitLearn) {
  const Dataset d = test::load_dataset("iris");
  const auto ref = test::load_reference("iris__decision_tree");
  const auto est = fitted_tree(d);
  const tree::Tree& t = tree_of(*est);
  const auto& fitted = ref["fitted"];
  EXPECT_EQ(est->score(d.X, d.y), ref["score_train"].GetDouble());
  EXPECT_EQ(t.node_count(), fitted["tree_.node_count"].GetInt64());
  EXPECT_EQ(t.max_depth(), fitted["tree_.max_depth"].GetInt64());
  EXPECT_EQ(t.n_leaves(), fitted["tree_.n_leaves"].GetInt64());
  EXPECT_EQ(t.children_left(), json_array<std::int64_t>(fitted["tree_.children_left"]));
  EXPECT_EQ(t.children_right(), json_array<std::int64_t>(fitted["tree_.children_right"]));
  EXPECT_EQ(t.feature(), json_array<std::int64_t>(fitted["tree_.feature"]));
  EXPECT_EQ(t.threshold(), json_array<double>(fitted["tree_.threshold"]));
  EXPECT_EQ(t.impurity(), json_array<double>(fitted["tree_.impurity"]));
  EXPECT_EQ(t.n_node_samples(), json_array<std::int64_t>(fitted["tree_.n_node_samples"]));
  for (std::int64_t i = 0; i < t.node_count(); ++i) {
    // scikit-learn 1.2 gives counts; 1.4 and schema 2 save count / (the row's total).
    const auto counts =
        json_array<double>(fitted["tree_.value"][static_cast<rapidjson::SizeType>(i)][0]);
    const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
    std::vector<double> fractions;
    for (const double c : counts) fractions.push_back(c / total);
    EXPECT_EQ(std::vector<double>(t.value(i).begin(), t.value(i).end()), fractions);
  }
  EXPECT_TRUE(test::bit_identical(est->predict(d.X), test::json_vector(ref["predict_train"])));
  EXPECT_TRUE(
      test::bit_identical(est->predict_proba(d.X), test::json_matrix(ref["predict_proba_test"])));
  const Vector importances =
      dynamic_cast<const tree::DecisionTreeClassifier&>(*est).feature_importances();
  EXPECT_LE((importances - test::json_vector(fitted["feature_importances_"])).cwiseAbs().maxCoeff(),
            1e-12);
}

TEST(DecisionTree, ProbabilitiesSumToOneAndLimitsAreRespected) {
  const Dataset d = test::load_dataset("iris");
  Map params;
  params.insert("criterion", "entropy").insert("max_depth", 3).insert("min_samples_leaf", 5);
  params.insert("max_features", "sqrt");
  const auto est = fitted_tree(d, params);
  const Matrix proba = est->predict_proba(d.X);
  EXPECT_LE((proba.rowwise().sum().array() - 1.0).abs().maxCoeff(), 1e-12);
  const tree::Tree& t = tree_of(*est);
  EXPECT_LE(t.max_depth(), 3);
  for (std::size_t i = 0; i < t.children_left().size(); ++i) {
    if (t.children_left()[i] == tree::Tree::kLeaf) {
      EXPECT_GE(t.n_node_samples()[i], 5);
    }
  }
  EXPECT_GT(est->score(d.X, d.y), 0.9);
}

TEST(DecisionTree, SameRandomStateGrowsTheSameTree) {
  const Dataset d = test::load_dataset("iris");
  Map params;
  params.insert("max_features", 2).insert("random_state", 7);
  const auto a = fitted_tree(d, params);
  const auto b = fitted_tree(d, params);
  EXPECT_EQ(dumps(test::registry(), *a), dumps(test::registry(), *b));
}

TEST(DecisionTree, RoundTripsBitIdenticalThroughEveryBackendAndMedium) {
  const Dataset d = test::load_dataset("iris");
  test::expect_round_trips_bit_identical(*fitted_tree(d), d.X);
  Map params;
  params.insert("criterion", "entropy").insert("max_features", "log2").insert("max_depth", 4);
  test::expect_round_trips_bit_identical(*fitted_tree(d, params), d.X);
}

TEST(DecisionTree, SingleClassGrowsOneLeaf) {
  const Dataset d = test::load_dataset("iris");
  const Vector y = Vector::Constant(d.X.rows(), 2.0);
  auto est = test::registry().create("tree.DecisionTreeClassifier");
  est->fit(d.X, y);
  EXPECT_EQ(tree_of(*est).node_count(), 1);
  EXPECT_TRUE(test::bit_identical(est->predict(d.X), y));
  test::expect_round_trips_bit_identical(*est, d.X);
}

// Saves a fitted tree, applies `edit` to its decoded state and expects instantiate() to refuse
// it with a SchemaError that names `path` (e.g. "state.children_left").
void expect_rejected(const std::function<void(Map&)>& edit, const std::string& path) {
  const Dataset d = test::load_dataset("iris");
  const fs::path file = test::temp_dir() / "tree.bin";
  dump(test::registry(), *fitted_tree(d), file);
  Document doc = read_document(test::registry(), file);
  edit(doc.root.as_map().find("state")->as_map());
  try {
    (void)instantiate(test::registry(), doc);
    FAIL() << "accepted a broken tree; expected an error at " << path;
  } catch (const SchemaError& e) {
    EXPECT_NE(std::string(e.what()).find("'" + path + "'"), std::string::npos) << e.what();
  }
}

// Sets element i of the node array `key` (int64 or float64).
template <class T>
void set_element(Map& state, const std::string& key, std::size_t i, T v) {
  Value& slot = *state.find(key);
  auto values = slot.as_tensor().values<T>();
  std::vector<T> copy(values.begin(), values.end());
  copy.at(i) = v;
  slot = Tensor::from_values(std::span<const T>(copy));
}

// Sets the fraction of class c at node i in `value` (keeping its node_count x n_classes shape).
void set_fraction(Map& state, std::int64_t i, std::int64_t c, double v) {
  Value& slot = *state.find("value");
  Matrix m = slot.as_tensor().matrix<double>();
  m(i, c) = v;
  slot = Tensor::from_matrix(m);
}

template <class T>
void drop_last(Map& state, const std::string& key) {
  Value& slot = *state.find(key);
  auto values = slot.as_tensor().values<T>();
  slot = Tensor::from_values(values.first(values.size() - 1));
}

TEST(DecisionTree, LoadRejectsEveryBrokenTree) {
  using I = std::int64_t;
  // iris tree: node 0 splits into 1 (a leaf) and 2; node 2 into 3 and 12.
  expect_rejected([](Map& s) { set_element<I>(s, "children_left", 2, 0); }, "state.children_left");
  expect_rejected([](Map& s) { set_element<I>(s, "children_right", 2, 2); },
                  "state.children_right");
  expect_rejected([](Map& s) { set_element<I>(s, "children_right", 0, 17); },
                  "state.children_right");
  expect_rejected([](Map& s) { set_element<I>(s, "children_right", 0, -7); },
                  "state.children_right");
  expect_rejected([](Map& s) { set_element<I>(s, "children_right", 2, 3); },
                  "state.children_right");  // node 3 would have two parents
  expect_rejected([](Map& s) { set_element<I>(s, "children_left", 1, 5); },
                  "state.children_left");  // a leaf with one child
  expect_rejected([](Map& s) { set_element<I>(s, "feature", 0, 4); }, "state.feature");
  expect_rejected([](Map& s) { set_element<I>(s, "feature", 0, -1); }, "state.feature");
  expect_rejected([](Map& s) { set_element<I>(s, "feature", 1, 0); }, "state.feature");
  expect_rejected([](Map& s) { set_element<double>(s, "threshold", 0, std::nan("")); },
                  "state.threshold");
  expect_rejected([](Map& s) { set_element<double>(s, "threshold", 2, INFINITY); },
                  "state.threshold");
  expect_rejected([](Map& s) { drop_last<I>(s, "children_left"); }, "state.children_left");
  expect_rejected([](Map& s) { drop_last<double>(s, "impurity"); }, "state.impurity");
  expect_rejected([](Map& s) { *s.find("node_count") = 0; }, "state.node_count");
  expect_rejected([](Map& s) { *s.find("node_count") = 16; }, "state.children_left");
  expect_rejected([](Map& s) { *s.find("max_depth") = 2; }, "state.max_depth");
  expect_rejected([](Map& s) { *s.find("value") = Tensor::from_matrix(Matrix::Ones(17, 2)); },
                  "state.value");
  expect_rejected([](Map& s) { *s.find("value") = Tensor::from_vector(Vector::Ones(17)); },
                  "state.value");
  expect_rejected([](Map& s) { *s.find("value") = Tensor::from_matrix(-Matrix::Ones(17, 3)); },
                  "state.value");
  // Class fractions: in [0, 1], each row summing to 1 up to rounding (or all zero).
  expect_rejected([](Map& s) { *s.find("value") = Tensor::from_matrix(Matrix::Ones(17, 3)); },
                  "state.value");
  expect_rejected(
      [](Map& s) { *s.find("value") = Tensor::from_matrix(Matrix::Constant(17, 3, 0.5)); },
      "state.value");
  expect_rejected([](Map& s) { set_fraction(s, 1, 1, 1.5); }, "state.value");
  expect_rejected([](Map& s) { set_fraction(s, 1, 0, 1.0 - 1e-9); }, "state.value");
  expect_rejected([](Map& s) { set_fraction(s, 1, 0, -1e-300); }, "state.value");
  expect_rejected([](Map& s) { set_element<double>(s, "impurity", 4, -0.5); }, "state.impurity");
  expect_rejected([](Map& s) { *s.find("n_classes_") = 4; }, "state.n_classes_");
  expect_rejected([](Map& s) { *s.find("max_features_") = 5; }, "state.max_features_");
  expect_rejected([](Map& s) { s.erase("feature"); }, "state");
}

TEST(DecisionTree, ValidEditsLoadAndPredictSafely) {
  // Any tree that passes validation predicts without looping or leaving the arrays.
  const Dataset d = test::load_dataset("iris");
  const fs::path file = test::temp_dir() / "tree_ok.bin";
  dump(test::registry(), *fitted_tree(d), file);
  Document doc = read_document(test::registry(), file);
  Map& state = doc.root.as_map().find("state")->as_map();
  set_element<std::int64_t>(state, "feature", 0, 0);
  set_element<double>(state, "threshold", 0, 1e300);
  for (std::int64_t c = 0; c < 3; ++c) set_fraction(state, 1, c, 0.0);  // node 1: empty
  const auto est = instantiate(test::registry(), doc);
  EXPECT_TRUE((est->predict(d.X).array() == 0.0).all());  // everything goes to leaf 1
  EXPECT_TRUE((est->predict_proba(d.X).array() == 0.0).all());
  EXPECT_TRUE(est->predict(Matrix::Constant(1, 4, 1e308)).allFinite());
}

TEST(DecisionTree, BadParametersAreRefused) {
  auto est = test::registry().create("tree.DecisionTreeClassifier");
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, Value>>{{"criterion", "mse"},
                                                  {"min_samples_split", 1},
                                                  {"min_samples_leaf", 0},
                                                  {"max_depth", 0},
                                                  {"max_features", "auto"},
                                                  {"max_features", 0},
                                                  {"max_features", 1.5},
                                                  {"random_state", -1},
                                                  {"splitter", "random"}}) {
    Map m;
    m.insert(key, value);
    EXPECT_THROW(est->set_params(m), UsageError) << key;
  }
  Map too_many;
  too_many.insert("max_features", 5);
  est->set_params(too_many);  // only the data says it is too many
  const Dataset d = test::load_dataset("iris");
  EXPECT_THROW(est->fit(d.X, d.y), UsageError);
}

}  // namespace
