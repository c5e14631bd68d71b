// PCA as a plugin estimator: scikit-learn parity (fitted attributes, transform, the
// probabilistic-PCA score and its cross-validation) on iris and diabetes, round trips, and
// load-time validation of hand-edited state.
#include <gtest/gtest.h>

#include "parity.hpp"
#include "pca.hpp"

namespace {

using namespace mlpersist;

std::shared_ptr<Estimator> fitted_pca(const Matrix& X, const Map& params = {}) {
  auto est = test::registry().create("decomposition.PCA");
  est->set_params(params);
  est->fit(X, Vector());
  return est;
}

Map two_components() {
  Map m;
  m.insert("n_components", 2);
  return m;
}

class PcaParity : public ::testing::TestWithParam<std::string> {};

TEST_P(PcaParity, MatchesScikitLearn) {
  const Dataset d = test::load_dataset(GetParam());
  const auto ref = test::load_reference(GetParam() + "__pca2");
  const auto est = fitted_pca(d.X, two_components());
  const auto& pca = dynamic_cast<const decomposition::PCA&>(*est);
  const auto& fitted = ref["fitted"];
  double worst = 0;
  for (const auto& [key, mine] :
       {std::pair<const char*, Matrix>{"components_", pca.components()},
        {"explained_variance_", pca.explained_variance()},
        {"explained_variance_ratio_", pca.explained_variance_ratio()},
        {"singular_values_", pca.singular_values()},
        {"mean_", pca.mean()},
        {"noise_variance_", Matrix::Constant(1, 1, pca.noise_variance())}}) {
    const auto& value = fitted[key];
    const Matrix want =
        value.IsArray() ? test::json_matrix(value) : Matrix::Constant(1, 1, value.GetDouble());
    worst = std::max(worst, test::max_rel_error(mine, want));
    EXPECT_TRUE(test::near_rel(mine, want, 1e-9)) << key;
  }
  EXPECT_EQ(pca.n_components(), fitted["n_components_"].GetInt64());
  EXPECT_EQ(pca.n_samples(), fitted["n_samples_"].GetInt64());
  test::report(GetParam() + " PCA fitted max rel error", worst);
  const Matrix t = est->transform(d.X);
  test::report(GetParam() + " PCA transform max rel error",
               test::max_rel_error(t, test::json_matrix(ref["transform_test"])));
  EXPECT_TRUE(test::near_rel(t, test::json_matrix(ref["transform_test"]), 1e-9));
  const double score = est->score(d.X, d.y);
  test::report(GetParam() + " PCA score rel error",
               test::max_rel_error(Matrix::Constant(1, 1, score),
                                   Matrix::Constant(1, 1, ref["score_train"].GetDouble())));
  EXPECT_TRUE(test::near_rel(score, ref["score_train"].GetDouble(), 1e-9));
  test::expect_cv_scores(*est, d, ref, 1e-9, GetParam() + " PCA");
}

INSTANTIATE_TEST_SUITE_P(Datasets, PcaParity, ::testing::Values("iris", "diabetes"));

TEST(Pca, AllComponentsReconstructTheData) {
  const Dataset d = test::load_dataset("iris");
  const auto est = fitted_pca(d.X);
  const auto& pca = dynamic_cast<const decomposition::PCA&>(*est);
  EXPECT_EQ(pca.n_components(), 4);
  EXPECT_EQ(pca.noise_variance(), 0.0);
  EXPECT_TRUE(test::near_rel(est->inverse_transform(est->transform(d.X)), d.X, 1e-12));
  EXPECT_TRUE(std::isfinite(est->score(d.X, d.y)));  // no noise: the covariance is inverted
}

TEST(Pca, WhitenedComponentsHaveUnitVariance) {
  const Dataset d = test::load_dataset("diabetes");
  Map params = two_components();
  params.insert("whiten", true);
  const auto est = fitted_pca(d.X, params);
  const Matrix t = est->transform(d.X);
  const Vector var = t.cwiseAbs2().colwise().sum() / static_cast<double>(t.rows() - 1);
  EXPECT_TRUE(test::near_rel(var, Vector::Ones(2), 1e-12));
  EXPECT_TRUE(std::isfinite(est->score(d.X, d.y)));
}

TEST(Pca, RoundTripsBitIdenticalThroughEveryBackendAndMedium) {
  const Dataset d = test::load_dataset("diabetes");
  const auto est = fitted_pca(d.X, two_components());
  test::expect_round_trips_bit_identical(*est, d.X);
  const auto back = loads(test::registry(), dumps(test::registry(), *est));
  EXPECT_EQ(back->score(d.X, d.y), est->score(d.X, d.y));
  Map whiten;
  whiten.insert("whiten", true);
  test::expect_round_trips_bit_identical(*fitted_pca(d.X, whiten), d.X);
}

TEST(Pca, ZeroComponentsModelOnlyNoise) {
  const Dataset d = test::load_dataset("iris");
  Map none;
  none.insert("n_components", 0);
  const auto est = fitted_pca(d.X, none);
  EXPECT_EQ(est->transform(d.X).cols(), 0);
  EXPECT_TRUE(std::isfinite(est->score(d.X, d.y)));
  test::expect_round_trips_bit_identical(*est, d.X);
}

TEST(Pca, LoadRejectsInconsistentHandEditedState) {
  const Dataset d = test::load_dataset("iris");
  const auto est = fitted_pca(d.X, two_components());
  test::expect_rejected_edit(*est, "components_", Tensor::from_matrix(Matrix::Zero(3, 4)));
  test::expect_rejected_edit(*est, "components_", Tensor::from_matrix(Matrix::Zero(2, 5)));
  test::expect_rejected_edit(*est, "n_components_", 3);  // disagrees with n_components=2
  test::expect_rejected_edit(*est, "n_components_", 5);  // more than n_features_in_
  test::expect_rejected_edit(*est, "explained_variance_", Tensor::from_vector(Vector::Ones(3)));
  test::expect_rejected_edit(*est, "explained_variance_", Tensor::from_vector(-Vector::Ones(2)));
  test::expect_rejected_edit(*est, "mean_", Tensor::from_vector(Vector::Zero(2)));
  test::expect_rejected_edit(*est, "noise_variance_", -1.0);
  test::expect_rejected_edit(*est, "n_samples_", 1);
  // Without an n_components parameter, n_components_ must still agree with components_.
  const auto all = fitted_pca(d.X);
  test::expect_rejected_edit(*all, "n_components_", 3, "components_");
}

TEST(Pca, BadParametersAndInputAreRefused) {
  test::expect_params_refused("decomposition.PCA",
                              {{"n_components", -1}, {"n_components", "mle"}, {"whiten", 2}});
  const Dataset d = test::load_dataset("iris");
  Map five;
  five.insert("n_components", 5);
  EXPECT_THROW((void)fitted_pca(d.X, five), UsageError);
  EXPECT_THROW((void)fitted_pca(d.X.topRows(1)), UsageError);
}

}  // namespace
