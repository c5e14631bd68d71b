// KNeighborsRegressor: scikit-learn parity (uniform and distance weights), round trips,
// hand-edited state and parameter validation.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "k_neighbors_regressor.hpp"
#include "regress_parity.hpp"

namespace {

using namespace mlpersist;

// The neighbours are found with exact distances summed in scikit-learn's KD-tree order, so the
// predictions agree to the last bits or nearly.
TEST(KNeighborsRegressor, MatchesScikitLearnOnEveryReference) {
  for (const std::string& dataset : test::regress_datasets()) {
    const Dataset d = test::load_dataset(dataset);
    for (const std::string config : {"knn5", "knn7_distance"}) {
      const std::string what = dataset + "__" + config;
      const auto ref = test::load_reference(what);
      const auto est = test::fit_with_reference_params("neighbors.KNeighborsRegressor", d, ref);
      test::expect_regress_predictions(*est, d, ref, 1e-12, what);
      EXPECT_TRUE(test::near_rel(est->score(d.X, d.y), ref["score_train"].GetDouble(), 1e-12));
    }
  }
}

// weights='distance' at a training row: the rows at distance zero take all the weight.
TEST(KNeighborsRegressor, DistanceWeightsGiveExactMatchesAllTheWeight) {
  Matrix X(3, 1);
  X << 0.0, 1.0, 3.0;
  Vector y(3);
  y << 10.0, 20.0, 40.0;
  Map params;
  params.insert("n_neighbors", 2).insert("weights", "distance");
  auto est = test::registry().create("neighbors.KNeighborsRegressor");
  est->set_params(params);
  est->fit(X, y);
  Matrix q(2, 1);
  q << 1.0, 2.0;
  const Vector p = est->predict(q);
  EXPECT_EQ(p(0), 20.0);
  EXPECT_DOUBLE_EQ(p(1), (20.0 + 40.0) / 2);  // equidistant from 1 and 3
}

TEST(KNeighborsRegressor, RoundTripBitIdenticalThroughEveryBackendAndMedium) {
  const Dataset d = test::load_dataset("diabetes");
  Map params;
  params.insert("weights", "distance");
  auto est = test::registry().create("neighbors.KNeighborsRegressor");
  est->set_params(params);
  est->fit(d.X, d.y);
  test::expect_round_trips_bit_identical(*est, test::shifted(d.X));
}

TEST(KNeighborsRegressor, LoadRejectsInconsistentHandEditedState) {
  const Dataset d = test::load_dataset("synthetic_regression");
  auto est = test::registry().create("neighbors.KNeighborsRegressor");
  est->fit(d.X, d.y);
  test::expect_rejected_edit(*est, "_fit_X", Tensor::from_matrix(Matrix::Zero(60, 4)));
  test::expect_rejected_edit(*est, "_fit_X", Tensor::from_matrix(Matrix::Zero(0, 5)));
  test::expect_rejected_edit(*est, "_fit_X", Tensor::from_vector(Vector::Zero(60)));
  test::expect_rejected_edit(*est, "_y", Tensor::from_vector(Vector::Zero(59)));
  test::expect_rejected_edit(*est, "_y", Tensor::from_vector(Vector::Constant(60, NAN)));
  test::expect_rejected_edit(*est, "_y", test::int_tensor(std::vector<std::int64_t>(60, 1)));
}

// More neighbours than the training set holds: a clear error at predict, as scikit-learn's.
TEST(KNeighborsRegressor, MoreNeighboursThanSamplesIsAnError) {
  auto est = test::registry().create("neighbors.KNeighborsRegressor");
  est->fit(Matrix::Zero(3, 2), Vector::Zero(3));
  EXPECT_THROW((void)est->predict(Matrix::Zero(1, 2)), UsageError);
}

TEST(KNeighborsRegressor, BadParametersAreRefused) {
  test::expect_params_refused("neighbors.KNeighborsRegressor",
                              {{"n_neighbors", 0}, {"n_neighbors", 2.5}, {"weights", "gaussian"}});
}

}  // namespace
