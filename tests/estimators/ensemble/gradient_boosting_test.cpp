// GradientBoostingRegressor and GradientBoostingClassifier: the same stages of trees as
// scikit-learn 1.2.1 for every loss (subsampling and early stopping included), predictions
// within 1e-9 relative (bit for bit where NumPy's exp/log agree with the C library's), round
// trips, and hostile states refused with their path.
#include "gradient_boosting.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>

#include "parity.hpp"
#include "tree_parity.hpp"

namespace {

using namespace mlpersist;

const ensemble::Boosting& boosting_of(const Estimator& est) {
  if (const auto* r = dynamic_cast<const ensemble::GradientBoostingRegressor*>(&est))
    return r->boosting();
  return dynamic_cast<const ensemble::GradientBoostingClassifier&>(est).boosting();
}

// Classifiers' residuals go through exp and log, where NumPy's vectorised functions may round
// differently from the C library in the last bit: there the trees' structure is compared
// exactly and their numbers within `tol`.
void expect_parity(const std::string& name, double tol = 0) {
  SCOPED_TRACE(name);
  const auto ref = test::load_reference(name);
  const auto est = test::fit_like_reference(ref);
  const auto& b = boosting_of(*est);
  std::vector<const tree::Tree*> trees;
  for (const auto& stage : b.stages())
    for (const auto& t : stage) trees.push_back(&t);
  test::expect_same_trees(trees, ref, tol);
  const auto& fitted = ref["fitted"];
  EXPECT_EQ(static_cast<std::int64_t>(b.stages().size()), fitted["n_estimators_"].GetInt64());
  EXPECT_TRUE(test::near_rel(b.train_score(), test::json_vector(fitted["train_score_"]), 1e-9));
  if (fitted.HasMember("oob_improvement_")) {
    EXPECT_TRUE(
        test::near_rel(b.oob_improvement(), test::json_vector(fitted["oob_improvement_"]), 1e-9));
  }
  const Dataset d = test::load_dataset(ref["dataset"].GetString());
  const Vector predicted = est->predict(d.X);
  const Vector want = test::json_vector(ref["predict"]);
  test::report(name + " predict max rel error", test::max_rel_error(predicted, want));
  EXPECT_TRUE(test::near_rel(predicted, want, 1e-9));
  if (ref.HasMember("predict_proba")) {
    EXPECT_TRUE(
        test::near_rel(est->predict_proba(d.X), test::json_matrix(ref["predict_proba"]), 1e-9));
    EXPECT_TRUE(test::near_rel(est->decision_function(d.X),
                               test::json_matrix(ref["decision_function"]), 1e-9));
  }
  EXPECT_TRUE(test::near_rel(b.feature_importances(d.X.cols()),
                             test::json_vector(fitted["feature_importances_"]), 1e-9));
}

TEST(GradientBoosting, RegressorLossesMatchScikitLearn) {
  expect_parity("trees__diabetes__gbr");
  expect_parity("trees__diabetes__gbr_absolute");
  expect_parity("trees__friedman__gbr_huber");
  expect_parity("trees__friedman__gbr_quantile");
}

TEST(GradientBoosting, SubsamplingAndEarlyStoppingMatchScikitLearn) {
  expect_parity("trees__diabetes__gbr_subsample");
  expect_parity("trees__friedman__gbr_early_stop");
}

// The validation rows come from scikit-learn's stratified split (per-class counts, their tie
// broken by RandomState on iris, per-class permutations).
TEST(GradientBoosting, ClassifierEarlyStoppingMatchesScikitLearn) {
  expect_parity("trees__iris__gbc_early_stop", 1e-12);
  expect_parity("trees__binary__gbc_early_stop", 1e-12);
}

TEST(GradientBoosting, ClassifierEarlyStoppingRefusesASplitMissingAClass) {
  // Two samples of class 1 among 100: the training side's share of them rounds to zero.
  Matrix X(100, 1);
  Vector y = Vector::Zero(100);
  for (Eigen::Index i = 0; i < 100; ++i) X(i, 0) = static_cast<double>(i);
  y(10) = y(70) = 1.0;
  auto est = test::registry().create("ensemble.GradientBoostingClassifier");
  Map p;
  p.insert("n_iter_no_change", 2).insert("validation_fraction", 0.9).insert("random_state", 0);
  est->set_params(p);
  EXPECT_THROW(est->fit(X, y), UsageError);
  y(20) = 1.0;
  y(30) = 2.0;  // one member: stratification is impossible
  EXPECT_THROW(est->fit(X, y), UsageError);
}

TEST(GradientBoosting, ClassifierLossesMatchScikitLearn) {
  expect_parity("trees__binary__gbc", 1e-12);
  expect_parity("trees__binary__gbc_exponential", 1e-12);
  expect_parity("trees__iris__gbc", 1e-12);
}

TEST(GradientBoosting, RoundTripsBitIdentical) {
  for (const std::string name :
       {"trees__friedman__gbr_huber", "trees__diabetes__gbr_subsample", "trees__iris__gbc"}) {
    const auto ref = test::load_reference(name);
    test::expect_round_trips_bit_identical(*test::fit_like_reference(ref),
                                           test::load_dataset(ref["dataset"].GetString()).X);
  }
}

// A fitted model's saved document with `edit` applied must be refused naming `path`.
void expect_edit_rejected(const Estimator& fitted, const std::function<void(Map&)>& edit,
                          const std::string& path) {
  const auto file = test::temp_dir() / "boosting.bin";
  dump(test::registry(), fitted, file);
  Document doc = read_document(test::registry(), file);
  edit(doc.root.as_map());
  try {
    (void)instantiate(test::registry(), doc);
    ADD_FAILURE() << "accepted a broken model; expected an error at " << path;
  } catch (const SchemaError& e) {
    EXPECT_NE(std::string(e.what()).find("'" + path + "'"), std::string::npos) << e.what();
  }
}

Map& state_of(Map& root) {
  return root.find("state")->as_map();
}

Array& stages_of(Map& root) {
  return state_of(root).find("estimators_")->as_array();
}

TEST(GradientBoosting, HostileStatesAreRefusedWithTheirPath) {
  const auto gbr = test::fit_like_reference(test::load_reference("trees__diabetes__gbr"));
  const auto set_param = [](Map& root, const std::string& key, Value v) {
    *root.find("params")->as_map().find(key) = std::move(v);
  };
  expect_edit_rejected(
      *gbr, [&](Map& r) { set_param(r, "learning_rate", -0.1); }, "params");
  expect_edit_rejected(
      *gbr, [&](Map& r) { set_param(r, "learning_rate", std::nan("")); }, "params");
  expect_edit_rejected(
      *gbr, [&](Map& r) { set_param(r, "loss", "log_loss"); }, "params");
  expect_edit_rejected(
      *gbr, [](Map& r) { stages_of(r).pop_back(); }, "state.estimators_");
  expect_edit_rejected(
      *gbr, [](Map& r) { *state_of(r).find("n_estimators_") = 21; }, "state.estimators_");
  expect_edit_rejected(
      *gbr, [](Map& r) { stages_of(r)[3].as_array().emplace_back(Map()); }, "state.estimators_[3]");
  expect_edit_rejected(
      *gbr,
      [](Map& r) {
        Map& t = stages_of(r)[5].as_array()[0].as_map();
        *t.find("children_left") =
            test::int_tensor({0, 2, -1, -1, 5, -1, -1, 8, 9, -1, -1, 12, 13, -1, -1});
      },
      "state.estimators_[5][0].children_left");
  expect_edit_rejected(
      *gbr,
      [](Map& r) { *state_of(r).find("train_score_") = Tensor::from_vector(Vector::Ones(3)); },
      "state.train_score_");
  expect_edit_rejected(
      *gbr,
      [](Map& r) {
        *state_of(r).find("init_")->as_map().find("constant_") =
            Tensor::from_vector(Vector::Constant(1, INFINITY));
      },
      "state.init_.constant_");
  const auto gbc = test::fit_like_reference(test::load_reference("trees__iris__gbc"));
  expect_edit_rejected(
      *gbc,
      [](Map& r) {
        *state_of(r).find("init_")->as_map().find("class_prior_") =
            Tensor::from_vector(Vector::Constant(3, 0.5));
      },
      "state.init_.class_prior_");
  expect_edit_rejected(
      *gbc, [](Map& r) { stages_of(r)[0].as_array().pop_back(); }, "state.estimators_[0]");
}

TEST(GradientBoosting, BadParametersAreRefused) {
  test::expect_params_refused("ensemble.GradientBoostingRegressor",
                              {{"loss", "log_loss"},
                               {"learning_rate", -1.0},
                               {"learning_rate", std::nan("")},
                               {"subsample", 0.0},
                               {"alpha", 1.0},
                               {"criterion", "gini"},
                               {"criterion", "absolute_error"},  // trees' only, not boosting's
                               {"n_estimators", 0},
                               {"n_iter_no_change", 0},
                               {"validation_fraction", 1.0}});
  test::expect_params_refused("ensemble.GradientBoostingClassifier",
                              {{"loss", "squared_error"}, {"learning_rate", INFINITY}});
}

}  // namespace
