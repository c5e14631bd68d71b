// GaussianNB as a plugin estimator: scikit-learn parity (fitted attributes, predictions,
// probabilities, score, cross-validation), round trips through every backend and medium,
// load-time validation of hand-edited state, and parameter validation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <mlpersist/error.hpp>
#include <mlpersist/model_selection.hpp>
#include <mlpersist/persist.hpp>

#include "gaussian_nb.hpp"
#include "test_support.hpp"

namespace {

using namespace mlpersist;
using naive_bayes::GaussianNB;

// Largest |a - b| / max(1, |b|) over all entries (infinite when the shapes differ).
double max_rel_dev(const Matrix& a, const Matrix& b) {
  EXPECT_EQ(a.rows(), b.rows());
  EXPECT_EQ(a.cols(), b.cols());
  if (a.rows() != b.rows() || a.cols() != b.cols()) return std::numeric_limits<double>::infinity();
  return ((a - b).array().abs() / b.array().abs().max(1.0)).maxCoeff();
}

Matrix column(const Vector& v) {
  return v;
}

std::shared_ptr<Estimator> fitted_nb(const Dataset& d, const Map& params = {}) {
  auto est = test::registry().create("naive_bayes.GaussianNB");
  est->set_params(params);
  est->set_feature_names(d.feature_names);
  est->fit(d.X, d.y);
  return est;
}

TEST(GaussianNB, MatchesScikitLearnOnIris) {
  const Dataset d = test::load_dataset("iris");
  const auto ref = test::load_reference("iris__gaussian_nb");
  const auto est = fitted_nb(d);
  const auto& nb = dynamic_cast<const GaussianNB&>(*est);
  const auto& f = ref["fitted"];
  const double theta_dev = max_rel_dev(nb.theta(), test::json_matrix(f["theta_"]));
  const double var_dev = max_rel_dev(nb.var(), test::json_matrix(f["var_"]));
  const double prior_dev =
      max_rel_dev(column(nb.class_prior()), column(test::json_vector(f["class_prior_"])));
  EXPECT_LE(theta_dev, 1e-9);
  EXPECT_LE(var_dev, 1e-9);
  EXPECT_LE(prior_dev, 1e-9);
  EXPECT_TRUE(test::bit_identical(nb.class_count(), test::json_vector(f["class_count_"])));
  EXPECT_LE(std::abs(nb.epsilon() - f["epsilon_"].GetDouble()),
            1e-9 * std::abs(f["epsilon_"].GetDouble()));
  EXPECT_EQ(std::vector<double>(nb.classes()),
            std::vector<double>({f["classes_"][0].GetDouble(), f["classes_"][1].GetDouble(),
                                 f["classes_"][2].GetDouble()}));

  EXPECT_TRUE(test::bit_identical(est->predict(d.X), test::json_vector(ref["predict_train"])));
  const double proba_dev = (est->predict_proba(d.X) - test::json_matrix(ref["predict_proba_test"]))
                               .cwiseAbs()
                               .maxCoeff();
  EXPECT_LE(proba_dev, 1e-9);
  EXPECT_NEAR(est->score(d.X, d.y), ref["score_train"].GetDouble(), 1e-12);

  const CvResult cv = cross_validate(*est, d.X, d.y, 5);
  const Vector ref_cv = test::json_vector(ref["cv_scores"]);
  ASSERT_EQ(cv.scores.size(), static_cast<std::size_t>(ref_cv.size()));
  const double cv_dev =
      (Eigen::Map<const Vector>(cv.scores.data(), ref_cv.size()) - ref_cv).cwiseAbs().maxCoeff();
  EXPECT_LE(cv_dev, 1e-9);
  std::printf(
      "[parity] GaussianNB: theta_ %.3g, var_ %.3g, class_prior_ %.3g (max rel dev), proba max "
      "abs dev %.3g, cv max abs dev %.3g\n",
      theta_dev, var_dev, prior_dev, proba_dev, cv_dev);
}

TEST(GaussianNB, RoundTripsBitIdenticalThroughEveryBackendAndMedium) {
  const Dataset d = test::load_dataset("iris");
  test::expect_round_trips_bit_identical(*fitted_nb(d), d.X);
  Map params;
  params.insert("var_smoothing", 0.5);
  test::expect_round_trips_bit_identical(*fitted_nb(d, params), d.X);
}

TEST(GaussianNB, SingleClassPredictsItWithCertainty) {
  const Dataset d = test::load_dataset("iris");
  GaussianNB nb;
  nb.fit(d.X.topRows(50), d.y.head(50));
  EXPECT_TRUE((nb.predict(d.X).array() == 0.0).all());
  EXPECT_TRUE((nb.predict_proba(d.X).array() == 1.0).all());
}

TEST(GaussianNB, ZeroVarianceWithoutSmoothingIsRefusedAtFit) {
  Matrix X(4, 2);
  X << 1, 0, 2, 0, 3, 0, 4, 0;
  Map params;
  params.insert("var_smoothing", 0.0);
  auto est = test::registry().create("naive_bayes.GaussianNB");
  est->set_params(params);
  EXPECT_THROW(est->fit(X, (Vector(4) << 0, 0, 1, 1).finished()), UsageError);
}

// Replaces state.<key> of a saved GaussianNB and expects load to refuse it.
void expect_rejected_edit(const std::string& key, Value replacement, std::string blamed = "") {
  test::expect_rejected_edit(*fitted_nb(test::load_dataset("iris")), key, std::move(replacement),
                             std::move(blamed));
}

TEST(GaussianNB, LoadRejectsInconsistentHandEditedState) {
  expect_rejected_edit("theta_", Tensor::from_matrix(Matrix::Zero(3, 3)));
  expect_rejected_edit("var_", Tensor::from_matrix(Matrix::Ones(2, 4)));
  expect_rejected_edit("class_count_", Tensor::from_vector(Vector::Ones(4)));
  expect_rejected_edit("class_prior_", Tensor::from_vector(Vector::Ones(2) / 2));
  expect_rejected_edit("classes_", Tensor::from_vector(Vector::LinSpaced(2, 0, 1)), "theta_");
  expect_rejected_edit("classes_", Tensor::from_vector(Vector::Zero(3)));
  Matrix negative = Matrix::Ones(3, 4);
  negative(2, 1) = -0.5;
  expect_rejected_edit("var_", Tensor::from_matrix(negative));
  expect_rejected_edit("var_", Tensor::from_matrix(Matrix::Zero(3, 4)));
  expect_rejected_edit("class_prior_", Tensor::from_vector(Vector::Constant(3, 0.5)));
  expect_rejected_edit("class_prior_",
                       Tensor::from_vector((Vector(3) << 1.5, -0.25, -0.25).finished()));
  expect_rejected_edit("class_count_", Tensor::from_vector(-Vector::Ones(3)));
  Matrix nan_theta = Matrix::Zero(3, 4);
  nan_theta(0, 3) = std::nan("");
  expect_rejected_edit("theta_", Tensor::from_matrix(nan_theta));
  expect_rejected_edit("epsilon_", -1e-9);
  expect_rejected_edit("epsilon_", std::numeric_limits<double>::infinity());
}

TEST(GaussianNB, BadParametersAreRefused) {
  auto est = test::registry().create("naive_bayes.GaussianNB");
  for (const Value& v : {Value(-1e-9), Value(std::nan("")), Value("small")}) {
    Map m;
    m.insert("var_smoothing", v);
    EXPECT_THROW(est->set_params(m), UsageError);
  }
}

// A finite row so far from every class that all log-likelihoods are -infinity (found by
// fuzz_load_gaussiannb): its probabilities are undefined, refused with a clear error rather
// than NaN; predict still answers with a class.
TEST(GaussianNB, RowInfinitelyUnlikelyUnderEveryClassIsRefusedByPredictProba) {
  const Dataset d = test::load_dataset("iris");
  const auto nb = fitted_nb(d);
  const Matrix far = Matrix::Constant(1, 4, 1e200);  // squared distances overflow
  try {
    (void)nb->predict_proba(far);
    ADD_FAILURE() << "undefined probabilities returned";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find("-infinity"), std::string::npos) << e.what();
  }
  const double label = nb->predict(far)(0);
  EXPECT_TRUE(label == 0 || label == 1 || label == 2) << label;
  EXPECT_TRUE(nb->predict_proba(d.X).allFinite());
}

}  // namespace
