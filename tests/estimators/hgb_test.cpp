// HistGradientBoostingClassifier and -Regressor: scikit-learn 1.2.1 parity (bin thresholds,
// every tree node, baseline, early stopping's iterations and scores, predictions), scikit-learn's
// own trees loaded and traversed, round trips, and hostile states refused with their path.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <mlpersist/document.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>

#include "hist_gradient_boosting.hpp"
#include "parity.hpp"
#include "test_support.hpp"

namespace {

using namespace mlpersist;
using ensemble::hgb::BoostingModel;
using ensemble::hgb::TreePredictor;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double number(const rapidjson::Value& v) {
  if (v.IsNull()) return kNaN;
  if (v.IsString()) return v.GetString()[0] == '-' ? -INFINITY : INFINITY;
  return v.GetDouble();
}

std::vector<double> numbers(const rapidjson::Value& v) {
  std::vector<double> out;
  for (const auto& x : v.GetArray()) out.push_back(number(x));
  return out;
}

// gen_hgb_references.py's formula_set, rebuilt with the same integer arithmetic.
Dataset formula_set(std::int64_t n) {
  Dataset d;
  d.X.resize(n, 4);
  d.y.resize(n);
  for (std::int64_t i = 0; i < n; ++i) {
    d.X(i, 0) = static_cast<double>((i * 7919) % 1009) / 8.0;
    d.X(i, 1) = static_cast<double>((i * 104729) % 997) / 16.0;
    d.X(i, 2) = static_cast<double>((i * 31) % 17);
    d.X(i, 3) = i % 13 == 0 ? kNaN : static_cast<double>((i * 613) % 101) / 4.0;
    d.y(i) =
        d.X(i, 0) - 2.0 * d.X(i, 1) + static_cast<double>(i % 7) + (i % 13 == 0 ? 30.0 : d.X(i, 3));
  }
  return d;
}

Dataset reference_data(const rapidjson::Value& ref) {
  if (ref["dataset"].IsString() && std::string(ref["dataset"].GetString()) == "formula")
    return formula_set(ref["n_samples"].GetInt64());
  if (ref["dataset"].IsString()) return test::load_dataset(ref["dataset"].GetString());
  Dataset d;
  const auto& rows = ref["X"];
  d.X.resize(rows.Size(), rows[0].Size());
  for (rapidjson::SizeType i = 0; i < rows.Size(); ++i)
    for (rapidjson::SizeType j = 0; j < rows[i].Size(); ++j) d.X(i, j) = number(rows[i][j]);
  const std::vector<double> y = numbers(ref["y"]);
  d.y = Eigen::Map<const Vector>(y.data(), std::ssize(y));
  return d;
}

Value json_value(const rapidjson::Value& v) {
  if (v.IsNull()) return Value();
  if (v.IsBool()) return v.GetBool();
  if (v.IsString()) return std::string(v.GetString());
  if (v.IsInt64()) return v.GetInt64();
  if (v.IsNumber()) return v.GetDouble();
  Array a;
  for (const auto& x : v.GetArray()) a.push_back(json_value(x));
  return a;
}

std::shared_ptr<Estimator> fitted_like(const rapidjson::Value& ref, const Dataset& d) {
  auto est = test::registry().create(ref["estimator"].GetString());
  const Map defaults = est->get_params().as_map();
  Map params;
  for (const auto& [key, value] : defaults)
    params.insert(key, json_value(ref["params"][key.c_str()]));
  est->set_params(params);
  est->fit(d.X, d.y);
  return est;
}

const BoostingModel& model_of(const Estimator& est) {
  if (const auto* c = dynamic_cast<const ensemble::HistGradientBoostingClassifier*>(&est))
    return c->model();
  return dynamic_cast<const ensemble::HistGradientBoostingRegressor&>(est).model();
}

// Every node of every tree: the structure exactly, the doubles to the last bit.
void expect_same_trees(const BoostingModel& m, const rapidjson::Value& fitted,
                       const std::string& config) {
  const auto& iterations = fitted["_predictors"];
  ASSERT_EQ(m.n_iter(), iterations.Size()) << config;
  double worst = 0;
  std::size_t t = 0;
  for (const auto& iteration : iterations.GetArray())
    for (const auto& tree : iteration.GetArray()) {
      const TreePredictor& p = m.predictors[t++];
      ASSERT_EQ(p.nodes.size(), tree["value"].Size()) << config << " tree " << t - 1;
      for (rapidjson::SizeType i = 0; i < tree["value"].Size(); ++i) {
        const auto& n = p.nodes[i];
        const std::string where =
            config + " tree " + std::to_string(t - 1) + " node " + std::to_string(i);
        EXPECT_EQ(n.is_leaf, tree["is_leaf"][i].GetInt() != 0) << where;
        EXPECT_EQ(n.count, tree["count"][i].GetUint()) << where;
        worst = std::max(worst, std::abs(n.value - number(tree["value"][i])) /
                                    std::max(1.0, std::abs(number(tree["value"][i]))));
        if (n.is_leaf) continue;
        EXPECT_EQ(n.feature_idx, tree["feature_idx"][i].GetInt64()) << where;
        EXPECT_EQ(n.bin_threshold, tree["bin_threshold"][i].GetUint()) << where;
        EXPECT_EQ(n.num_threshold, number(tree["num_threshold"][i])) << where;
        EXPECT_EQ(n.missing_go_to_left, tree["missing_go_to_left"][i].GetInt() != 0) << where;
        EXPECT_EQ(n.left, tree["left"][i].GetUint()) << where;
        EXPECT_EQ(n.right, tree["right"][i].GetUint()) << where;
        EXPECT_EQ(n.is_categorical, tree["is_categorical"][i].GetInt() != 0) << where;
      }
    }
  test::report(config + " node values max rel error", worst);
  EXPECT_EQ(worst, 0.0) << config;
}

class HgbParity : public ::testing::TestWithParam<std::string> {};

TEST_P(HgbParity, SameBinsTreesAndPredictionsAsScikitLearn) {
  const auto ref = test::load_reference("hgb__" + GetParam());
  const Dataset d = reference_data(ref);
  const auto est = fitted_like(ref, d);
  const BoostingModel& m = model_of(*est);
  const auto& fitted = ref["fitted"];
  const auto& thresholds = fitted["bin_thresholds_"];
  ASSERT_EQ(m.bin_mapper.thresholds.size(), thresholds.Size());
  for (rapidjson::SizeType f = 0; f < thresholds.Size(); ++f)
    EXPECT_EQ(m.bin_mapper.thresholds[f], numbers(thresholds[f])) << "feature " << f;
  EXPECT_EQ(m.baseline_prediction, numbers(fitted["_baseline_prediction"]));
  EXPECT_EQ(m.do_early_stopping, fitted["do_early_stopping_"].GetBool());
  EXPECT_TRUE(
      test::near_rel(Eigen::Map<const Vector>(m.train_score.data(), std::ssize(m.train_score)),
                     test::json_vector(fitted["train_score_"]), 1e-12));
  EXPECT_EQ(m.validation_score.size(), fitted["validation_score_"].Size());
  expect_same_trees(m, fitted, GetParam());
  const auto rows = static_cast<Eigen::Index>(ref["predict_train"].Size());
  const Matrix predicted = est->predict(d.X.topRows(rows));
  test::report(GetParam() + " predict max rel error",
               test::max_rel_error(predicted, test::json_vector(ref["predict_train"])));
  EXPECT_TRUE(test::near_rel(predicted, test::json_vector(ref["predict_train"]), 1e-12));
  EXPECT_NEAR(est->score(d.X, d.y), ref["score_train"].GetDouble(), 1e-12);
  if (ref.HasMember("predict_proba_train")) {
    EXPECT_TRUE(test::near_rel(est->predict_proba(d.X),
                               test::json_matrix(ref["predict_proba_train"]), 1e-12));
  }
}

INSTANTIATE_TEST_SUITE_P(References, HgbParity,
                         ::testing::Values("iris", "diabetes", "diabetes_absolute",
                                           "diabetes_poisson", "synthetic_regression",
                                           "synthetic_binary", "early_stopping_regression",
                                           "early_stopping_binary", "early_stopping_train_loss",
                                           "wide_bins", "threads"));

template <class T>
Tensor column(const rapidjson::Value& v) {
  std::vector<T> out;
  for (const auto& x : v.GetArray()) out.push_back(static_cast<T>(number(x)));
  return Tensor::from_values(std::span<const T>(out));
}

Tensor bitsets(const rapidjson::Value& v) {
  Tensor t = Tensor::allocate(DType::kInt64, {v.Size(), 8});
  std::int64_t* out = t.mutable_data<std::int64_t>();
  for (const auto& row : v.GetArray())
    for (const auto& w : row.GetArray()) *out++ = w.GetInt64();
  return t;
}

Value tree_from_reference(const rapidjson::Value& tree) {
  Map m;
  for (const char* f : {"value", "num_threshold", "gain"}) m.insert(f, column<double>(tree[f]));
  for (const char* f :
       {"count", "feature_idx", "left", "right", "depth", "bin_threshold", "bitset_idx"})
    m.insert(f, column<std::int64_t>(tree[f]));
  for (const char* f : {"missing_go_to_left", "is_leaf", "is_categorical"})
    m.insert(f, column<std::uint8_t>(tree[f]));
  m.insert("binned_left_cat_bitsets", bitsets(tree["binned_left_cat_bitsets"]));
  m.insert("raw_left_cat_bitsets", bitsets(tree["raw_left_cat_bitsets"]));
  return m;
}

// scikit-learn's fitted state as the bridge writes it: the reference's arrays under the same
// names, typed as the plugin saves them.
Value state_from_reference(const rapidjson::Value& fitted) {
  Map state;
  if (fitted.HasMember("classes_")) {
    state.insert("classes_", column<double>(fitted["classes_"]));
    state.insert("n_classes_", static_cast<std::int64_t>(fitted["classes_"].Size()));
  }
  Array thresholds;
  for (const auto& t : fitted["bin_thresholds_"].GetArray())
    thresholds.emplace_back(column<double>(t));
  state.insert("bin_thresholds_", std::move(thresholds));
  state.insert("is_categorical_", column<std::uint8_t>(fitted["is_categorical_"]));
  state.insert("missing_values_bin_idx_", fitted["missing_values_bin_idx_"].GetInt64());
  state.insert("_baseline_prediction", column<double>(fitted["_baseline_prediction"]));
  state.insert("n_trees_per_iteration_", fitted["n_trees_per_iteration_"].GetInt64());
  state.insert("n_iter_", fitted["n_iter_"].GetInt64());
  state.insert("do_early_stopping_", fitted["do_early_stopping_"].GetBool());
  state.insert("train_score_", column<double>(fitted["train_score_"]));
  state.insert("validation_score_", column<double>(fitted["validation_score_"]));
  Array iterations;
  for (const auto& iteration : fitted["_predictors"].GetArray()) {
    Array trees;
    for (const auto& tree : iteration.GetArray()) trees.push_back(tree_from_reference(tree));
    iterations.emplace_back(std::move(trees));
  }
  state.insert("_predictors", std::move(iterations));
  return state;
}

// A document around `state`, from a fitted model of the same type and input signature.
std::shared_ptr<Estimator> with_state(const Estimator& shell, Value state) {
  const auto file = test::temp_dir() / "shell.mlp";
  dump(test::registry(), shell, file);
  Document doc = read_document(test::registry(), file);
  *doc.root.as_map().find("state") = std::move(state);
  return instantiate(test::registry(), doc);
}

TEST_P(HgbParity, ScikitLearnsOwnTreesPredictTheSame) {
  const auto ref = test::load_reference("hgb__" + GetParam());
  const Dataset d = reference_data(ref);
  const auto loaded = with_state(*fitted_like(ref, d), state_from_reference(ref["fitted"]));
  const auto rows = static_cast<Eigen::Index>(ref["predict_train"].Size());
  EXPECT_TRUE(test::near_rel(loaded->predict(d.X.topRows(rows)),
                             test::json_vector(ref["predict_train"]), 1e-12));
  if (ref.HasMember("predict_proba_train")) {
    EXPECT_TRUE(test::near_rel(loaded->predict_proba(d.X),
                               test::json_matrix(ref["predict_proba_train"]), 1e-12));
  }
}

TEST_P(HgbParity, RoundTripsBitIdenticalThroughEveryBackend) {
  const auto ref = test::load_reference("hgb__" + GetParam());
  const Dataset d = reference_data(ref);
  test::expect_round_trips_bit_identical(*fitted_like(ref, d), d.X);
}

std::shared_ptr<Estimator> fitted_reference_model(const std::string& config) {
  const auto ref = test::load_reference("hgb__" + config);
  return fitted_like(ref, reference_data(ref));
}

Map saved_state(const Estimator& est) {
  const auto file = test::temp_dir() / "saved.mlp";
  dump(test::registry(), est, file);
  return read_document(test::registry(), file).root.as_map().find("state")->as_map();
}

// The state with one edit must be refused with a SchemaError naming `path`.
void expect_refused(const Estimator& est, const std::function<void(Map&)>& edit,
                    const std::string& path) {
  Map state = saved_state(est);
  edit(state);
  try {
    (void)with_state(est, std::move(state));
    ADD_FAILURE() << "accepted a hostile state at " << path;
  } catch (const SchemaError& e) {
    EXPECT_NE(std::string(e.what()).find("'state." + path + "'"), std::string::npos) << e.what();
  }
}

Map& tree_at(Map& state, std::size_t iteration, std::size_t k) {
  return state.find("_predictors")->as_array()[iteration].as_array()[k].as_map();
}

// Replaces entry i of an int64 or uint8 column.
void set_entry(Map& tree, const std::string& field, std::size_t i, std::int64_t v) {
  Value* slot = tree.find(field);
  const Tensor& t = slot->as_tensor();
  if (t.dtype() == DType::kUInt8) {
    std::vector<std::uint8_t> c(t.values<std::uint8_t>().begin(), t.values<std::uint8_t>().end());
    c[i] = static_cast<std::uint8_t>(v);
    *slot = Tensor::from_values(std::span<const std::uint8_t>(c));
    return;
  }
  std::vector<std::int64_t> c(t.values<std::int64_t>().begin(), t.values<std::int64_t>().end());
  c[i] = v;
  *slot = Tensor::from_values(std::span<const std::int64_t>(c));
}

TEST(HistGradientBoosting, LoadRefusesHostileStatesWithTheirPath) {
  const auto est = fitted_reference_model("synthetic_binary");
  expect_refused(
      *est, [](Map& s) { set_entry(tree_at(s, 0, 0), "left", 0, 0); }, "_predictors[0][0].left");
  expect_refused(
      *est, [](Map& s) { set_entry(tree_at(s, 1, 0), "right", 0, 100000); },
      "_predictors[1][0].left");
  expect_refused(
      *est, [](Map& s) { set_entry(tree_at(s, 0, 0), "feature_idx", 0, 4); },
      "_predictors[0][0].feature_idx");
  expect_refused(
      *est, [](Map& s) { set_entry(tree_at(s, 0, 0), "is_leaf", 0, 2); },
      "_predictors[0][0].is_leaf");
  expect_refused(
      *est,
      [](Map& s) {
        const std::vector<double> reversed{2.0, 1.0};
        s.find("bin_thresholds_")->as_array()[0] =
            Tensor::from_values(std::span<const double>(reversed));
      },
      "bin_thresholds_[0]");
  expect_refused(
      *est,
      [](Map& s) {
        *tree_at(s, 0, 0).find("raw_left_cat_bitsets") = Tensor::allocate(DType::kInt64, {1, 7});
      },
      "_predictors[0][0].raw_left_cat_bitsets");
  expect_refused(
      *est, [](Map& s) { *s.find("n_iter_") = std::int64_t{11}; }, "_predictors");
  expect_refused(
      *est,
      [](Map& s) { *s.find("_baseline_prediction") = Tensor::allocate(DType::kFloat64, {2}); },
      "_baseline_prediction");
  expect_refused(
      *est, [](Map& s) { *s.find("n_trees_per_iteration_") = std::int64_t{2}; },
      "n_trees_per_iteration_");
  expect_refused(
      *est,
      [](Map& s) {
        const std::vector<double> categories{0, 1, 2.5};
        s.find("bin_thresholds_")->as_array()[3] =
            Tensor::from_values(std::span<const double>(categories));
      },
      "bin_thresholds_[3]");
}

TEST(HistGradientBoosting, LoadRefusesABitsetIndexOutOfRange) {
  const auto est = fitted_reference_model("synthetic_binary");
  Map state = saved_state(*est);
  // The first categorical split of any tree: its bitset index past the tree's bitsets.
  for (auto& iteration : state.find("_predictors")->as_array()) {
    Map& tree = iteration.as_array()[0].as_map();
    const auto flags = tree.find("is_categorical")->as_tensor().values<std::uint8_t>();
    const auto it = std::find(flags.begin(), flags.end(), 1);
    if (it == flags.end()) continue;
    set_entry(tree, "bitset_idx", static_cast<std::size_t>(it - flags.begin()), 99);
    EXPECT_THROW((void)with_state(*est, std::move(state)), SchemaError);
    return;
  }
  FAIL() << "no categorical split in the reference model";
}

TEST(HistGradientBoosting, BadParametersAreRefused) {
  for (const char* type :
       {"ensemble.HistGradientBoostingClassifier", "ensemble.HistGradientBoostingRegressor"})
    test::expect_params_refused(type, {{"learning_rate", -0.1},
                                       {"learning_rate", 0.0},
                                       {"max_iter", std::int64_t{0}},
                                       {"max_leaf_nodes", std::int64_t{1}},
                                       {"max_depth", std::int64_t{0}},
                                       {"min_samples_leaf", std::int64_t{0}},
                                       {"l2_regularization", -1.0},
                                       {"max_bins", std::int64_t{256}},
                                       {"max_bins", std::int64_t{1}},
                                       {"loss", std::string("hinge")},
                                       {"scoring", std::string("r2")},
                                       {"validation_fraction", 1.0},
                                       {"n_iter_no_change", std::int64_t{0}},
                                       {"early_stopping", std::string("sometimes")},
                                       {"random_state", std::int64_t{-1}}});
}

TEST(HistGradientBoosting, DocumentsWithBadLearningRatesAreRefused) {
  const auto est = fitted_reference_model("diabetes");
  const auto file = test::temp_dir() / "rate.mlp";
  dump(test::registry(), *est, file);
  for (const double rate : {-0.1, 0.0, kNaN, std::numeric_limits<double>::infinity()}) {
    Document doc = read_document(test::registry(), file);
    *doc.root.as_map().find("params")->as_map().find("learning_rate") = rate;
    EXPECT_THROW((void)instantiate(test::registry(), doc), Error) << rate;
  }
}

TEST(HistGradientBoosting, UnknownAndNegativeCategoriesGoWhereMissingValuesGo) {
  const auto est = fitted_reference_model("synthetic_regression");
  Matrix X = Matrix::Zero(3, 4);
  X(0, 3) = kNaN;
  X(1, 3) = -1;  // negative: missing, as in scikit-learn
  X(2, 3) = 7;   // never seen in fit
  const Vector p = est->predict(X);
  EXPECT_EQ(p(1), p(0));
  EXPECT_EQ(p(2), p(0));
}

TEST(HistGradientBoosting, BinsASubsampleOfLargeSetsAsScikitLearnDraws) {
  const auto ref = test::load_reference("hgb__subsample_bins");
  const std::int64_t n = ref["n_samples"].GetInt64();
  Matrix X(n, 1);
  for (std::int64_t i = 0; i < n; ++i)
    X(i, 0) = static_cast<double>((i * 7919) % 100003) / 7.0 + static_cast<double>(i % 11) * 1000.0;
  const auto mapper = ensemble::hgb::BinMapper::fit(X, 255, {0}, {{}}, 42);
  EXPECT_EQ(mapper.thresholds[0], numbers(ref["bin_thresholds_"]));
}

TEST(HistGradientBoosting, AcceptsMissingValuesWhereOthersRefuseThem) {
  Matrix X(40, 2);
  Vector y(40);
  for (Eigen::Index i = 0; i < 40; ++i) {
    X(i, 0) = i % 3 == 0 ? kNaN : static_cast<double>(i);
    X(i, 1) = static_cast<double>(i % 5);
    y(i) = static_cast<double>(i % 2);
  }
  for (const char* type :
       {"ensemble.HistGradientBoostingClassifier", "ensemble.HistGradientBoostingRegressor"}) {
    auto est = test::registry().create(type);
    EXPECT_TRUE(est->accepts_missing()) << type;
    Map p;
    p.insert("min_samples_leaf", std::int64_t{2});
    est->set_params(p);
    est->fit(X, y);
    EXPECT_TRUE(est->predict(X).allFinite()) << type;
    Matrix bad = X;
    bad(0, 1) = std::numeric_limits<double>::infinity();
    EXPECT_THROW((void)est->predict(bad), UsageError) << type << ": infinity is not missing";
  }
  auto forest = test::registry().create("ensemble.RandomForestClassifier");
  EXPECT_FALSE(forest->accepts_missing());
  EXPECT_THROW(forest->fit(X, y), UsageError);
}

}  // namespace
