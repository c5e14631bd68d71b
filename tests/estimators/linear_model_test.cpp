// LinearRegression, Ridge and LogisticRegression as plugin estimators: scikit-learn parity
// (fitted attributes, predictions, score, cross-validation), round trips through every backend
// and medium, load-time validation of hand-edited state, and parameter validation.
#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <cmath>
#include <cstdio>
#include <limits>
#include <mlpersist/error.hpp>
#include <mlpersist/model_selection.hpp>
#include <mlpersist/persist.hpp>

#include "lbfgs.hpp"
#include "linear_regression.hpp"
#include "logistic_loss.hpp"
#include "logistic_regression.hpp"
#include "ridge.hpp"
#include "test_support.hpp"

namespace {

using namespace mlpersist;
using linear_model::LinearRegression;
using linear_model::LogisticRegression;
using linear_model::Ridge;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Largest |a - b| / max(1, |b|) over all entries (infinite when the shapes differ).
double max_rel_dev(const Matrix& a, const Matrix& b) {
  EXPECT_EQ(a.rows(), b.rows());
  EXPECT_EQ(a.cols(), b.cols());
  if (a.rows() != b.rows() || a.cols() != b.cols()) return kInf;
  return ((a - b).array().abs() / b.array().abs().max(1.0)).maxCoeff();
}

Matrix column(const Vector& v) {
  return v;
}

std::shared_ptr<Estimator> fitted(const std::string& tag, const Dataset& d,
                                  const Map& params = {}) {
  auto est = test::registry().create(tag);
  est->set_params(params);
  est->set_feature_names(d.feature_names);
  est->fit(d.X, d.y);
  return est;
}

// The reference's cross_val_score, fold by fold.
double cv_deviation(const Estimator& prototype, const Dataset& d, const rapidjson::Value& ref) {
  const CvResult cv = cross_validate(prototype, d.X, d.y, 5);
  const Vector ref_scores = test::json_vector(ref["cv_scores"]);
  EXPECT_EQ(cv.scores.size(), static_cast<std::size_t>(ref_scores.size()));
  if (cv.scores.size() != static_cast<std::size_t>(ref_scores.size())) return kInf;
  return (Eigen::Map<const Vector>(cv.scores.data(), ref_scores.size()) - ref_scores)
      .cwiseAbs()
      .maxCoeff();
}

// Predictions, R^2 and cross-validation of a regressor against its reference.
void expect_regressor_parity(const Estimator& est, const Dataset& d,
                             const rapidjson::Document& ref) {
  const double pred_dev =
      max_rel_dev(column(est.predict(d.X)), column(test::json_vector(ref["predict_train"])));
  EXPECT_LE(pred_dev, 1e-9);
  EXPECT_NEAR(est.score(d.X, d.y), ref["score_train"].GetDouble(), 1e-12);
  const double cv_dev = cv_deviation(est, d, ref);
  EXPECT_LE(cv_dev, 1e-9);
  std::printf("[parity] %s: predict max rel dev %.3g, cv max abs dev %.3g\n",
              std::string(est.type_tag()).c_str(), pred_dev, cv_dev);
}

TEST(LinearRegression, MatchesScikitLearnOnDiabetes) {
  const Dataset d = test::load_dataset("diabetes");
  const auto ref = test::load_reference("diabetes__linear_regression");
  const auto est = fitted("linear_model.LinearRegression", d);
  const auto& lr = dynamic_cast<const LinearRegression&>(*est);
  const auto& f = ref["fitted"];
  const double coef_dev =
      max_rel_dev(column(lr.fit_result().coef), column(test::json_vector(f["coef_"])));
  EXPECT_LE(coef_dev, 1e-9);
  EXPECT_LE(max_rel_dev(Matrix::Constant(1, 1, lr.fit_result().intercept),
                        Matrix::Constant(1, 1, f["intercept_"].GetDouble())),
            1e-9);
  EXPECT_EQ(lr.rank(), f["rank_"].GetInt64());
  EXPECT_LE(max_rel_dev(column(lr.singular_values()), column(test::json_vector(f["singular_"]))),
            1e-9);
  std::printf("[parity] LinearRegression: coef_ max rel dev %.3g\n", coef_dev);
  expect_regressor_parity(*est, d, ref);
}

TEST(LinearRegression, RankDeficientDataGivesTheMinimumNormSolution) {
  // Two identical columns: any split of the weight fits; lstsq picks the equal split.
  Matrix X(4, 2);
  X << 1, 1, 2, 2, 3, 3, 5, 5;
  const Vector y = (Vector(4) << 2, 4, 6, 10).finished();
  LinearRegression lr;
  lr.fit(X, y);
  EXPECT_EQ(lr.rank(), 1);
  EXPECT_NEAR(lr.fit_result().coef(0), 1.0, 1e-12);
  EXPECT_NEAR(lr.fit_result().coef(1), 1.0, 1e-12);
  EXPECT_NEAR(lr.fit_result().intercept, 0.0, 1e-12);
}

TEST(Ridge, MatchesScikitLearnOnDiabetes) {
  const Dataset d = test::load_dataset("diabetes");
  const auto ref = test::load_reference("diabetes__ridge");
  const auto est = fitted("linear_model.Ridge", d);
  const auto& ridge = dynamic_cast<const Ridge&>(*est);
  const auto& f = ref["fitted"];
  const double coef_dev =
      max_rel_dev(column(ridge.fit_result().coef), column(test::json_vector(f["coef_"])));
  EXPECT_LE(coef_dev, 1e-9);
  EXPECT_LE(max_rel_dev(Matrix::Constant(1, 1, ridge.fit_result().intercept),
                        Matrix::Constant(1, 1, f["intercept_"].GetDouble())),
            1e-9);
  std::printf("[parity] Ridge: coef_ max rel dev %.3g\n", coef_dev);
  expect_regressor_parity(*est, d, ref);
}

TEST(Ridge, PrimalAndDualFormsAgree) {
  // More features than samples takes the kernel route; its transpose takes the primal one.
  const Eigen::MatrixXd X = Eigen::MatrixXd::Random(5, 8);
  const Vector y = Vector::Random(5);
  const linear_model::RidgeSolution solution = linear_model::solve_ridge(X, y, 0.7);
  EXPECT_EQ(solution.solver, "cholesky");
  const Vector& dual = solution.coef;
  const Eigen::MatrixXd XtX = X.transpose() * X + 0.7 * Eigen::MatrixXd::Identity(8, 8);
  const Vector primal = XtX.ldlt().solve(X.transpose() * y);
  EXPECT_LE((dual - primal).cwiseAbs().maxCoeff(), 1e-12);
  // alpha = 0 on rank-deficient data: the Cholesky fails and the SVD fallback gives lstsq's answer.
  // (The singular X'X = [[1, 1], [1, 1]] is exact, so the factorisation surely fails.)
  Eigen::MatrixXd twin = Eigen::MatrixXd::Zero(3, 2);
  twin.row(0) << 1, 1;
  const linear_model::RidgeSolution fallback =
      linear_model::solve_ridge(twin, 2 * Vector::Unit(3, 0), 0.0);
  EXPECT_EQ(fallback.solver, "svd");
  const Vector& coef = fallback.coef;
  EXPECT_NEAR(coef(0), 1.0, 1e-12);
  EXPECT_NEAR(coef(1), 1.0, 1e-12);
}

TEST(LogisticRegression, MatchesScikitLearnOnIris) {
  const Dataset d = test::load_dataset("iris");
  const auto ref = test::load_reference("iris__logistic_regression");
  Map params;
  params.insert("C", 1.0).insert("max_iter", 5000);
  const auto est = fitted("linear_model.LogisticRegression", d, params);
  const auto& lr = dynamic_cast<const LogisticRegression&>(*est);
  const auto& f = ref["fitted"];
  EXPECT_TRUE(lr.converged());
  const double coef_dev = max_rel_dev(lr.coef(), test::json_matrix(f["coef_"]));
  const double intercept_dev =
      max_rel_dev(column(lr.intercept()), column(test::json_vector(f["intercept_"])));
  const Vector pred = est->predict(d.X);
  const Vector ref_pred = test::json_vector(ref["predict_train"]);
  const auto agree = (pred.array() == ref_pred.array()).count();
  const double proba_dev = (est->predict_proba(d.X) - test::json_matrix(ref["predict_proba_test"]))
                               .cwiseAbs()
                               .maxCoeff();
  const double df_dev =
      max_rel_dev(est->decision_function(d.X), test::json_matrix(ref["decision_function_train"]));
  const double cv_dev = cv_deviation(*est, d, ref);
  std::printf(
      "[parity] LogisticRegression: coef_ max rel dev %.3g, intercept_ %.3g, decision %.3g, "
      "proba max abs dev %.3g, predictions %lld/%lld agree, cv max abs dev %.3g, n_iter_ %lld "
      "(scikit-learn %lld)\n",
      coef_dev, intercept_dev, df_dev, proba_dev, static_cast<long long>(agree),
      static_cast<long long>(pred.size()), cv_dev, static_cast<long long>(lr.n_iter()),
      static_cast<long long>(f["n_iter_"][0].GetInt64()));
  // L-BFGS stops at scikit-learn's tolerance, not at its iterate (146 iterations against 126):
  // the fitted values agree to about 5e-4 relative, and these bounds hold with 2x margin.
  EXPECT_LE(coef_dev, 1e-3);
  EXPECT_LE(intercept_dev, 1e-3);
  EXPECT_LE(df_dev, 1e-3);
  EXPECT_LE(proba_dev, 2e-4);
  EXPECT_GE(static_cast<double>(agree), 0.99 * static_cast<double>(pred.size()));
  EXPECT_NEAR(est->score(d.X, d.y), ref["score_train"].GetDouble(), 1e-12);
  EXPECT_LE(cv_dev, 1e-9);
  ASSERT_EQ(lr.classes().size(), 3u);
}

// Iris without class 0: two overlapping classes, so the binomial branch and a real optimum.
Dataset iris_versicolor_virginica() {
  Dataset d = test::load_dataset("iris");
  d.X = Matrix(d.X.bottomRows(100));
  d.y = Vector(d.y.tail(100));
  return d;
}

TEST(LogisticRegression, BinaryProblemFitsOneRowAtAStationaryPoint) {
  const Dataset d = iris_versicolor_virginica();
  Map params;
  params.insert("tol", 1e-6).insert("max_iter", 1000);
  const auto est = fitted("linear_model.LogisticRegression", d, params);
  const auto& lr = dynamic_cast<const LogisticRegression&>(*est);
  ASSERT_EQ(lr.coef().rows(), 1);
  ASSERT_EQ(lr.intercept().size(), 1);
  EXPECT_TRUE(lr.converged());
  std::vector<int> labels;
  for (const double v : d.y) labels.push_back(v == 2.0 ? 1 : 0);
  const linear_model::LogisticLoss loss(d.X, labels, 2, 1.0, true);
  Eigen::VectorXd w(5), g;
  w << lr.coef().row(0).transpose(), lr.intercept()(0);
  (void)loss(w, g);
  EXPECT_LE(g.lpNorm<Eigen::Infinity>(), 1e-6);
  const Matrix proba = est->predict_proba(d.X);
  const Matrix df = est->decision_function(d.X);
  ASSERT_EQ(df.cols(), 1);
  for (Eigen::Index i = 0; i < d.X.rows(); ++i) {
    EXPECT_DOUBLE_EQ(proba(i, 0) + proba(i, 1), 1.0);
    EXPECT_EQ(est->predict(d.X.row(i))(0), df(i, 0) > 0 ? 2.0 : 1.0);
  }
}

TEST(Lbfgs, MinimisesTheRosenbrockFunction) {
  const linear_model::Objective rosenbrock = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    const double a = 1 - x(0), b = x(1) - x(0) * x(0);
    g(0) = -2 * a - 400 * x(0) * b;
    g(1) = 200 * b;
    return a * a + 100 * b * b;
  };
  linear_model::LbfgsOptions o;
  o.gtol = 1e-10;
  o.ftol = 0;
  const auto r = linear_model::minimize_lbfgs(rosenbrock, Eigen::Vector2d(-1.2, 1.0), o);
  EXPECT_EQ(r.status, linear_model::LbfgsStatus::kGradientSmall);
  EXPECT_NEAR(r.x(0), 1.0, 1e-8);
  EXPECT_NEAR(r.x(1), 1.0, 1e-8);
  o.max_iter = 3;
  EXPECT_EQ(linear_model::minimize_lbfgs(rosenbrock, Eigen::Vector2d(-1.2, 1.0), o).n_iter, 3);
}

TEST(LinearModels, RoundTripBitIdenticalThroughEveryBackendAndMedium) {
  const Dataset diabetes = test::load_dataset("diabetes");
  const Dataset iris = test::load_dataset("iris");
  test::expect_round_trips_bit_identical(*fitted("linear_model.LinearRegression", diabetes),
                                         diabetes.X);
  Map ridge;
  ridge.insert("alpha", 0.25).insert("fit_intercept", false);
  test::expect_round_trips_bit_identical(*fitted("linear_model.Ridge", diabetes, ridge),
                                         diabetes.X);
  Map logistic;
  logistic.insert("max_iter", 5000);
  test::expect_round_trips_bit_identical(*fitted("linear_model.LogisticRegression", iris, logistic),
                                         iris.X);
  const Dataset binary = iris_versicolor_virginica();
  test::expect_round_trips_bit_identical(*fitted("linear_model.LogisticRegression", binary),
                                         binary.X);
}

using test::expect_rejected_edit;

Tensor ints(std::vector<std::int64_t> v) {
  return Tensor::from_values(std::span<const std::int64_t>(v));
}

TEST(LinearRegression, LoadRejectsInconsistentHandEditedState) {
  const auto est = fitted("linear_model.LinearRegression", test::load_dataset("diabetes"));
  expect_rejected_edit(*est, "coef_", Tensor::from_vector(Vector::Zero(9)));
  expect_rejected_edit(*est, "coef_", Tensor::from_matrix(Matrix::Zero(1, 10)));
  expect_rejected_edit(*est, "coef_", Tensor::from_vector(Vector::Constant(10, std::nan(""))));
  expect_rejected_edit(*est, "intercept_", kInf);
  expect_rejected_edit(*est, "singular_", Tensor::from_vector(Vector::Ones(11)));
  expect_rejected_edit(*est, "singular_", Tensor::from_vector(-Vector::Ones(10)));
  expect_rejected_edit(*est, "rank_", 11);
}

TEST(Ridge, LoadRejectsInconsistentHandEditedState) {
  const auto est = fitted("linear_model.Ridge", test::load_dataset("diabetes"));
  expect_rejected_edit(*est, "coef_", Tensor::from_vector(Vector::Zero(11)));
  expect_rejected_edit(*est, "coef_", ints({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  expect_rejected_edit(*est, "intercept_", std::nan(""));
  expect_rejected_edit(*est, "intercept_", "152");
}

TEST(LogisticRegression, LoadRejectsInconsistentHandEditedState) {
  const Dataset iris = test::load_dataset("iris");
  const auto est = fitted("linear_model.LogisticRegression", iris);
  expect_rejected_edit(*est, "coef_", Tensor::from_matrix(Matrix::Zero(2, 4)));
  expect_rejected_edit(*est, "coef_", Tensor::from_matrix(Matrix::Zero(3, 5)));
  expect_rejected_edit(*est, "intercept_", Tensor::from_vector(Vector::Zero(1)));
  expect_rejected_edit(*est, "classes_", Tensor::from_vector(Vector::Zero(3)));
  expect_rejected_edit(*est, "classes_", Tensor::from_vector(Vector::LinSpaced(2, 0, 1)), "coef_");
  expect_rejected_edit(*est, "n_iter_", ints({-1}));
  expect_rejected_edit(*est, "n_iter_", ints({3, 4}));
  Matrix nan_coef = Matrix::Zero(3, 4);
  nan_coef(1, 2) = std::nan("");
  expect_rejected_edit(*est, "coef_", Tensor::from_matrix(nan_coef));
  const auto binary = fitted("linear_model.LogisticRegression", iris_versicolor_virginica());
  expect_rejected_edit(*binary, "coef_", Tensor::from_matrix(Matrix::Zero(2, 4)));
  expect_rejected_edit(*binary, "intercept_", Tensor::from_vector(Vector::Zero(2)));
}

TEST(LinearModels, BadParametersAreRefused) {
  const std::vector<std::tuple<std::string, std::string, Value>> cases{
      {"linear_model.Ridge", "alpha", -1.0},
      {"linear_model.Ridge", "alpha", std::nan("")},
      {"linear_model.Ridge", "fit_intercept", "yes"},
      {"linear_model.LinearRegression", "fit_intercept", 1.5},
      {"linear_model.LogisticRegression", "C", 0.0},
      {"linear_model.LogisticRegression", "C", -2.0},
      {"linear_model.LogisticRegression", "C", kInf},
      {"linear_model.LogisticRegression", "tol", -1e-4},
      {"linear_model.LogisticRegression", "max_iter", -1},
      {"linear_model.LogisticRegression", "max_iter", 2.5},
      {"linear_model.LogisticRegression", "penalty", "l1"}};
  for (const auto& [tag, key, value] : cases) {
    auto est = test::registry().create(tag);
    Map m;
    m.insert(key, value);
    EXPECT_THROW(est->set_params(m), UsageError) << tag << " " << key;
  }
}

TEST(LogisticRegression, RefusesASingleClass) {
  auto est = test::registry().create("linear_model.LogisticRegression");
  EXPECT_THROW(est->fit(Matrix::Random(5, 2), Vector::Ones(5)), UsageError);
}

// Finite rows far from the data overflow the decision values (found by fuzz_load_*): +infinity
// takes the probability, NaN (infinity minus infinity) is refused; never NaN probabilities.
TEST(LogisticRegression, ProbabilitiesStayProbabilitiesWhenScoresOverflow) {
  const Dataset d = test::load_dataset("iris");
  const auto lr = fitted("linear_model.LogisticRegression", d);
  Matrix far(1, 4);
  far << 0.0, 0.0, 1e308, 0.0;  // petal length: the classes' coefficients differ in sign
  const Matrix scores = lr->decision_function(far);
  ASSERT_EQ(scores.maxCoeff(), INFINITY);
  ASSERT_FALSE(scores.hasNaN());
  const Matrix proba = lr->predict_proba(far);
  Eigen::Index winner = 0;
  scores.row(0).maxCoeff(&winner);
  Matrix expected = Matrix::Zero(1, 3);
  expected(0, winner) = 1.0;
  EXPECT_TRUE(test::bit_identical(proba, expected));

  Matrix opposite(1, 4);
  opposite << 0.0, 0.0, 1e308, -1e308;  // class 2 weighs both by more than 2: +inf + -inf
  ASSERT_TRUE(lr->decision_function(opposite).hasNaN());
  try {
    (void)lr->predict_proba(opposite);
    ADD_FAILURE() << "NaN scores gave probabilities";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find("row 0"), std::string::npos) << e.what();
  }
}

}  // namespace
