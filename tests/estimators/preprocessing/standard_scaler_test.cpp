// StandardScaler as a plugin estimator: scikit-learn parity on iris and diabetes, round trips,
// the parameter variants' state layout, and load-time validation of hand-edited state.
#include <gtest/gtest.h>

#include "parity.hpp"
#include "standard_scaler.hpp"

namespace {

using namespace mlpersist;

std::shared_ptr<Estimator> fitted_scaler(const Matrix& X, const Map& params = {}) {
  auto est = test::registry().create("preprocessing.StandardScaler");
  est->set_params(params);
  est->fit(X, Vector());
  return est;
}

class StandardScalerParity : public ::testing::TestWithParam<std::string> {};

TEST_P(StandardScalerParity, MatchesScikitLearn) {
  const Dataset d = test::load_dataset(GetParam());
  const auto ref = test::load_reference(GetParam() + "__standard_scaler");
  const auto est = fitted_scaler(d.X);
  const auto& scaler = dynamic_cast<const preprocessing::StandardScaler&>(*est);
  const auto& fitted = ref["fitted"];
  double worst = 0;
  for (const auto& [key, mine] :
       {std::pair{"mean_", *scaler.mean()}, std::pair{"var_", *scaler.var()},
        std::pair{"scale_", *scaler.scale()}}) {
    const Vector want = test::json_vector(fitted[key]);
    worst = std::max(worst, test::max_rel_error(mine, want));
    EXPECT_TRUE(test::near_rel(mine, want, 1e-9)) << key;
  }
  EXPECT_EQ(scaler.n_samples_seen(), fitted["n_samples_seen_"].GetInt64());
  test::report(GetParam() + " StandardScaler fitted max rel error", worst);
  const Matrix t = est->transform(d.X);
  const Matrix want_t = test::json_matrix(ref["transform_test"]);
  test::report(GetParam() + " StandardScaler transform max rel error",
               test::max_rel_error(t, want_t));
  EXPECT_TRUE(test::near_rel(t, want_t, 1e-9));
  EXPECT_TRUE(test::near_rel(est->inverse_transform(t), d.X, 1e-12));
}

INSTANTIATE_TEST_SUITE_P(Datasets, StandardScalerParity, ::testing::Values("iris", "diabetes"));

TEST(StandardScaler, ConstantFeatureKeepsScaleOne) {
  Matrix X(4, 2);
  X << 0.1, 1, 0.1, 2, 0.1, 3, 0.1, 4;
  const auto est = fitted_scaler(X);
  const auto& scaler = dynamic_cast<const preprocessing::StandardScaler&>(*est);
  EXPECT_EQ((*scaler.scale())(0), 1.0);
  EXPECT_TRUE(est->transform(X).col(0).isZero(1e-15));
}

TEST(StandardScaler, HasNoScore) {
  const Dataset d = test::load_dataset("iris");
  EXPECT_THROW((void)fitted_scaler(d.X)->score(d.X, d.y), UsageError);
}

TEST(StandardScaler, RoundTripsBitIdenticalWithEveryOptionCombination) {
  const Dataset d = test::load_dataset("diabetes");
  for (const bool with_mean : {true, false}) {
    for (const bool with_std : {true, false}) {
      Map params;
      params.insert("with_mean", with_mean).insert("with_std", with_std);
      const auto est = fitted_scaler(d.X, params);
      const auto& scaler = dynamic_cast<const preprocessing::StandardScaler&>(*est);
      // scikit-learn keeps mean_ whenever either option is on, var_ and scale_ only with_std.
      EXPECT_EQ(scaler.mean().has_value(), with_mean || with_std);
      EXPECT_EQ(scaler.scale().has_value(), with_std);
      test::expect_round_trips_bit_identical(*est, d.X);
    }
  }
}

TEST(StandardScaler, LoadRejectsInconsistentHandEditedState) {
  const Dataset d = test::load_dataset("iris");
  const auto est = fitted_scaler(d.X);
  test::expect_rejected_edit(*est, "scale_", Tensor::from_vector(Vector::Ones(3)));
  test::expect_rejected_edit(*est, "mean_", Tensor::from_matrix(Matrix::Zero(1, 4)));
  test::expect_rejected_edit(*est, "mean_", Value());
  test::expect_rejected_edit(*est, "scale_", Tensor::from_vector(Vector::Zero(4)));
  test::expect_rejected_edit(*est, "var_", Tensor::from_vector(-Vector::Ones(4)));
  Vector nan_mean = Vector::Zero(4);
  nan_mean(2) = std::nan("");
  test::expect_rejected_edit(*est, "mean_", Tensor::from_vector(nan_mean));
  test::expect_rejected_edit(*est, "n_samples_seen_", 0);
  Map no_std;
  no_std.insert("with_std", false);
  test::expect_rejected_edit(*fitted_scaler(d.X, no_std), "scale_",
                             Tensor::from_vector(Vector::Ones(4)));
}

TEST(StandardScaler, BadParametersAreRefused) {
  test::expect_params_refused("preprocessing.StandardScaler",
                              {{"with_mean", "yes"}, {"with_std", 1.0}, {"copy_x", true}});
}

}  // namespace
