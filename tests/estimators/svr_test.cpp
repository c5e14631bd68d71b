// SVR (epsilon-SVR on the SVC's SMO): scikit-learn parity on every reference configuration
// (tests/data/gen_regress_references.py), round trips, hand-edited state and parameters.
#include "svr.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "regress_parity.hpp"

namespace {

using namespace mlpersist;
using svm::SVR;

constexpr const char* kConfigs[] = {"svr_rbf", "svr_rbf_C100_eps5", "svr_linear_C10",
                                    "svr_poly3_auto", "svr_sigmoid_noshrink"};

std::vector<std::int64_t> int_values(const rapidjson::Value& v) {
  std::vector<std::int64_t> out;
  for (const auto& x : v.GetArray()) out.push_back(x.GetInt64());
  return out;
}

// libsvm's path step for step: the same support vectors, iterations and coefficients to
// rounding, predictions within 1e-9 relative.
TEST(SVR, MatchesScikitLearnOnEveryReference) {
  for (const std::string& dataset : test::regress_datasets()) {
    const Dataset d = test::load_dataset(dataset);
    for (const std::string config : kConfigs) {
      const std::string what = dataset + "__" + config;
      const auto path = test::data_dir() / "references" / (what + ".json");
      if (!std::filesystem::exists(path)) continue;  // large kernels: synthetic set only
      const auto ref = test::load_reference(what);
      const auto est = test::fit_with_reference_params("svm.SVR", d, ref);
      const auto& svr = dynamic_cast<const SVR&>(*est);
      const auto& f = ref["fitted"];
      EXPECT_EQ(svr.model().support, int_values(f["support_"])) << what;
      EXPECT_EQ(svr.model().n_iter, f["n_iter_"].GetInt64()) << what;
      EXPECT_EQ(svr.fitted_kernel().gamma, f["_gamma"].GetDouble()) << what;
      const double coef_err = test::max_rel_error(svr.model().dual_coef.transpose(),
                                                  test::json_matrix(f["dual_coef_"]));
      test::report(what + " dual_coef_ max rel error", coef_err);
      EXPECT_LE(coef_err, 1e-9) << what;
      EXPECT_TRUE(test::near_rel(svr.model().intercept, f["intercept_"][0].GetDouble(), 1e-9))
          << what;
      test::expect_regress_predictions(*est, d, ref, 1e-9, what);
    }
  }
}

TEST(SVR, RoundTripBitIdenticalThroughEveryBackendAndMedium) {
  const Dataset d = test::load_dataset("synthetic_regression");
  auto est = test::registry().create("svm.SVR");
  Map params;
  params.insert("kernel", "poly").insert("C", 10.0);
  est->set_params(params);
  est->fit(d.X, d.y);
  test::expect_round_trips_bit_identical(*est, d.X);
}

// The fitted kernel is saved: changing the parameters after fitting changes nothing.
TEST(SVR, PredictionsUseTheFittedKernel) {
  const Dataset d = test::load_dataset("synthetic_regression");
  auto est = test::registry().create("svm.SVR");
  est->fit(d.X, d.y);
  const Vector before = est->predict(d.X);
  Map params;
  params.insert("kernel", "linear").insert("gamma", 3.0);
  est->set_params(params);
  EXPECT_TRUE(test::bit_identical(est->predict(d.X), before));
}

TEST(SVR, LoadRejectsInconsistentHandEditedState) {
  const Dataset d = test::load_dataset("synthetic_regression");
  auto est = test::registry().create("svm.SVR");
  est->fit(d.X, d.y);
  const auto& m = dynamic_cast<const SVR&>(*est).model();
  const auto n_sv = static_cast<std::int64_t>(m.support.size());
  ASSERT_GT(n_sv, 2);
  test::expect_rejected_edit(*est, "support_", test::int_tensor({-1, 2}));
  test::expect_rejected_edit(*est, "n_support_", test::int_tensor({n_sv + 1}));
  test::expect_rejected_edit(*est, "n_support_", test::int_tensor({n_sv, n_sv}));
  test::expect_rejected_edit(*est, "support_vectors_",
                             Tensor::from_matrix(Matrix::Zero(n_sv - 1, 5)));
  test::expect_rejected_edit(*est, "support_vectors_", Tensor::from_matrix(Matrix::Zero(n_sv, 4)));
  test::expect_rejected_edit(*est, "dual_coef_", Tensor::from_matrix(Matrix::Zero(2, n_sv)));
  test::expect_rejected_edit(*est, "dual_coef_",
                             Tensor::from_matrix(Matrix::Constant(1, n_sv, NAN)));
  test::expect_rejected_edit(*est, "intercept_", Tensor::from_vector(Vector::Zero(2)));
  test::expect_rejected_edit(*est, "n_iter_", -1);
  test::expect_rejected_edit(*est, "fit_status_", 2);
  Map kernel;
  kernel.insert("kernel", "rbf").insert("gamma", -1.0).insert("degree", 3).insert("coef0", 0.0);
  test::expect_rejected_edit(*est, "kernel_", kernel, "kernel_.gamma");
}

// Re-fit cost (Limits::max_refit_cost): SMO touches the n x n kernel matrix.
TEST(SVR, FitCostGrowsWithTheSquareOfTheSamples) {
  const auto est = test::registry().create("svm.SVR");
  EXPECT_EQ(est->fit_cost(1000, 20), 1000.0 * 1000 * 20);
}

TEST(SVR, BadParametersAreRefused) {
  test::expect_params_refused("svm.SVR", {{"C", 0.0},
                                          {"C", -1.0},
                                          {"epsilon", -0.1},
                                          {"epsilon", std::nan("")},
                                          {"kernel", "precomputed"},
                                          {"gamma", "sometimes"},
                                          {"gamma", 0.0},
                                          {"tol", 0.0},
                                          {"max_iter", 0},
                                          {"degree", -1},
                                          {"nu", 0.5}});
}

}  // namespace
