// Lasso and ElasticNet (coordinate descent): scikit-learn parity on every reference
// configuration (tests/data/gen_regress_references.py), round trips, hand-edited state and
// parameter validation.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "coordinate_descent.hpp"
#include "elastic_net.hpp"
#include "regress_parity.hpp"

namespace {

using namespace mlpersist;
using linear_model::EnetFit;

constexpr const char* kConfigs[] = {
    "lasso",      "lasso_a0.05",        "lasso_positive",   "lasso_random", "lasso_nointercept",
    "enet_a0.01", "enet_l1r0.2_random", "enet_positive_tol"};

const EnetFit& enet_fit(const Estimator& est) {
  if (const auto* lasso = dynamic_cast<const linear_model::Lasso*>(&est))
    return lasso->fit_result();
  return dynamic_cast<const linear_model::ElasticNet&>(est).fit_result();
}

// The same path as cd_fast: the same number of passes, coefficients and duality gap equal to
// rounding (BLAS sums in another order), predictions within 1e-12 relative.
TEST(CoordinateDescent, MatchesScikitLearnOnEveryReference) {
  for (const std::string& dataset : test::regress_datasets()) {
    const Dataset d = test::load_dataset(dataset);
    for (const std::string config : kConfigs) {
      const std::string what = dataset + "__" + config;
      const auto ref = test::load_reference(what);
      const auto est = test::fit_with_reference_params(ref["estimator"].GetString(), d, ref);
      const EnetFit& fit = enet_fit(*est);
      const auto& f = ref["fitted"];
      EXPECT_EQ(fit.n_iter, f["n_iter_"].GetInt64()) << what;
      const double coef_err = test::max_rel_error(fit.linear.coef, test::json_vector(f["coef_"]));
      test::report(what + " coef_ max rel error", coef_err);
      EXPECT_LE(coef_err, 1e-12) << what;
      EXPECT_TRUE(test::near_rel(fit.linear.intercept, f["intercept_"].GetDouble(), 1e-12));
      EXPECT_TRUE(test::near_rel(fit.dual_gap, f["dual_gap_"].GetDouble(), 1e-9)) << what;
      test::expect_regress_predictions(*est, d, ref, 1e-12, what);
    }
  }
}

// selection='random' draws coordinates from random_state: another seed takes another path.
TEST(CoordinateDescent, RandomSelectionFollowsTheSeed) {
  const Dataset d = test::load_dataset("diabetes");
  Map params;
  params.insert("alpha", 0.05).insert("selection", "random").insert("random_state", 0);
  auto a = test::registry().create("linear_model.Lasso");
  a->set_params(params);
  a->fit(d.X, d.y);
  auto b = a->clone();
  Map other;
  other.insert("random_state", 1);
  b->set_params(other);
  b->fit(d.X, d.y);
  auto c = a->clone();
  c->fit(d.X, d.y);
  EXPECT_TRUE(test::bit_identical(enet_fit(*a).linear.coef, enet_fit(*c).linear.coef));
  EXPECT_FALSE(test::bit_identical(enet_fit(*a).linear.coef, enet_fit(*b).linear.coef));
}

// positive=True keeps every coefficient >= 0 even where the unconstrained fit is negative.
TEST(CoordinateDescent, PositiveKeepsCoefficientsNonNegative) {
  const Dataset d = test::load_dataset("diabetes");
  const auto ref = test::load_reference("diabetes__lasso_a0.05");
  Map params;
  params.insert("alpha", 0.05).insert("positive", true);
  auto est = test::registry().create("linear_model.Lasso");
  est->set_params(params);
  est->fit(d.X, d.y);
  ASSERT_LT(test::json_vector(ref["fitted"]["coef_"]).minCoeff(), 0);
  EXPECT_GE(enet_fit(*est).linear.coef.minCoeff(), 0);
}

// Re-fit cost (Limits::max_refit_cost): max_iter passes over X at most.
TEST(CoordinateDescent, FitCostIsMaxIterPassesOverTheData) {
  auto est = test::registry().create("linear_model.ElasticNet");
  EXPECT_EQ(est->fit_cost(200, 10), 1000.0 * 200 * 10);
  Map params;
  params.insert("max_iter", 5);
  est->set_params(params);
  EXPECT_EQ(est->fit_cost(200, 10), 5.0 * 200 * 10);
}

// max_iter caps the passes; the last one still computes the duality gap.
TEST(CoordinateDescent, StopsAtMaxIter) {
  const Dataset d = test::load_dataset("diabetes");
  Map params;
  params.insert("alpha", 0.001).insert("max_iter", 3).insert("tol", 0.0);
  auto est = test::registry().create("linear_model.ElasticNet");
  est->set_params(params);
  est->fit(d.X, d.y);
  EXPECT_EQ(enet_fit(*est).n_iter, 3);
  EXPECT_GT(enet_fit(*est).dual_gap, 0);
}

TEST(CoordinateDescent, RoundTripBitIdenticalThroughEveryBackendAndMedium) {
  const Dataset d = test::load_dataset("synthetic_regression");
  for (const char* tag : {"linear_model.Lasso", "linear_model.ElasticNet"}) {
    auto est = test::registry().create(tag);
    est->fit(d.X, d.y);
    test::expect_round_trips_bit_identical(*est, d.X);
  }
}

TEST(CoordinateDescent, LoadRejectsInconsistentHandEditedState) {
  const Dataset d = test::load_dataset("synthetic_regression");
  for (const char* tag : {"linear_model.Lasso", "linear_model.ElasticNet"}) {
    auto est = test::registry().create(tag);
    est->fit(d.X, d.y);
    test::expect_rejected_edit(*est, "coef_", Tensor::from_vector(Vector::Zero(4)));
    test::expect_rejected_edit(*est, "coef_", Tensor::from_vector(Vector::Constant(5, NAN)));
    test::expect_rejected_edit(*est, "intercept_", std::numeric_limits<double>::infinity());
    test::expect_rejected_edit(*est, "n_iter_", 0);
    test::expect_rejected_edit(*est, "n_iter_", "7");
    test::expect_rejected_edit(*est, "dual_gap_", std::nan(""));
  }
}

TEST(CoordinateDescent, BadParametersAreRefused) {
  const std::vector<std::pair<std::string, Value>> common{
      {"alpha", -1.0},         {"alpha", std::nan("")}, {"max_iter", 0},     {"tol", -1e-4},
      {"selection", "greedy"}, {"random_state", -1},    {"positive", "yes"}, {"warm", true}};
  test::expect_params_refused("linear_model.Lasso", common);
  test::expect_params_refused("linear_model.ElasticNet", common);
  test::expect_params_refused("linear_model.ElasticNet", {{"l1_ratio", 1.5}, {"l1_ratio", -0.1}});
  test::expect_params_refused("linear_model.Lasso", {{"l1_ratio", 0.5}});
}

}  // namespace
