#include "logistic_regression.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>

#include "common/classes.hpp"
#include "common/probabilities.hpp"
#include "common/state_checks.hpp"
#include "lbfgs.hpp"
#include "logistic_loss.hpp"

namespace mlpersist::linear_model {
namespace {

// scipy also stops when f decreases by less than factr * eps = 2.2e-9 relative in an iteration.
// On ill-conditioned problems that test fires at a point set by rounding noise (on iris it stops
// scikit-learn at max|grad| = 2e-3, twenty times tol, and our own iterates 1e-3 away from its,
// depending on compiler flags), so only the gradient test decides here; this floor merely ends
// a search that can no longer make progress.
constexpr double kStagnation = 64 * std::numeric_limits<double>::epsilon();

}  // namespace

void LogisticRegression::validate_params(const LogisticRegressionParams& p) const {
  if (!(p.C > 0) || !std::isfinite(p.C))
    invalid_param("C must be a finite number > 0, got " + format_double(p.C));
  if (!(p.tol >= 0) || !std::isfinite(p.tol))
    invalid_param("tol must be a finite number >= 0, got " + format_double(p.tol));
  if (p.max_iter < 0) invalid_param("max_iter must be >= 0, got " + std::to_string(p.max_iter));
}

double LogisticRegression::fit_cost(double n_samples, double n_features) const {
  // Each L-BFGS iteration evaluates the loss and gradient: a pass over X (per class).
  return static_cast<double>(params_.max_iter) * n_samples * n_features;
}

bool LogisticRegression::supports(Method m) const {
  return m == Method::kPredict || m == Method::kDecisionFunction || m == Method::kPredictProba;
}

void LogisticRegression::do_fit(const MatrixView& X, const Vector& y) {
  std::vector<double> classes = common::unique_labels(y);
  if (classes.size() < 2)
    throw UsageError(ErrorCode::kInvalidInput,
                     "LogisticRegression.fit: y has a single class; it needs samples of at "
                     "least 2 classes");
  const int n_classes = static_cast<int>(classes.size());
  const LogisticLoss loss(X, common::class_indices<int>(classes, y), n_classes, params_.C,
                          params_.fit_intercept);
  LbfgsOptions options;
  options.gtol = params_.tol;
  options.ftol = kStagnation;
  // scipy stops after max_iter iterations but always runs at least one.
  options.max_iter = std::max(params_.max_iter, 1);
  const LbfgsResult r = minimize_lbfgs(loss, Eigen::VectorXd::Zero(loss.size()), options);

  const Eigen::Map<const Matrix> W(r.x.data(), loss.rows(), loss.cols());
  coef_ = W.leftCols(X.cols());
  intercept_ = params_.fit_intercept ? Vector(W.col(X.cols())) : Vector::Zero(loss.rows());
  classes_ = std::move(classes);
  n_iter_ = std::min(r.n_iter, params_.max_iter);
  converged_ = r.converged();
}

Matrix LogisticRegression::do_decision_function(const MatrixView& X) const {
  Matrix scores = X * coef_.transpose();
  scores.rowwise() += intercept_.transpose();
  return scores;
}

Vector LogisticRegression::do_predict(const MatrixView& X) const {
  const Matrix scores = do_decision_function(X);
  if (scores.cols() > 1) return common::labels_of_row_max(scores, classes_);
  Vector out(scores.rows());
  for (Eigen::Index i = 0; i < scores.rows(); ++i) out(i) = classes_[scores(i, 0) > 0 ? 1 : 0];
  return out;
}

Matrix LogisticRegression::do_predict_proba(const MatrixView& X) const {
  constexpr std::string_view kWho = "LogisticRegression.predict_proba";
  const Matrix scores = do_decision_function(X);
  if (scores.cols() > 1) {
    common::require_defined_scores(scores, kWho);
    Matrix proba = softmax(scores);
    for (Eigen::Index i = 0; i < scores.rows(); ++i)
      if (scores.row(i).maxCoeff() == INFINITY) common::infinite_winners(proba, i, scores);
    return proba;
  }
  // Binary: scikit-learn's one-vs-rest path, [1 - expit(d), expit(d)]; the classes score -d and
  // d, and expit(±infinity) is exact.
  Matrix both(scores.rows(), 2);
  both << -scores, scores;
  common::require_defined_scores(both, kWho);
  Matrix proba(scores.rows(), 2);
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    proba(i, 1) = expit(scores(i, 0));
    proba(i, 0) = 1.0 - proba(i, 1);
  }
  return proba;
}

Value LogisticRegression::save_state(SaveContext&) const {
  Map m;
  m.insert("classes_", Tensor::from_values(std::span<const double>(classes_)));
  m.insert("coef_", Tensor::from_matrix(coef_));
  m.insert("intercept_", Tensor::from_vector(intercept_));
  const std::int64_t n_iter[] = {n_iter_};
  m.insert("n_iter_", Tensor::from_values(std::span<const std::int64_t>(n_iter)));
  return m;
}

void LogisticRegression::load_state(const Node& state, LoadContext&) {
  std::vector<double> classes = common::read_classes(state["classes_"], 2);
  const std::uint64_t rows = classes.size() == 2 ? 1 : classes.size();
  Matrix coef =
      common::read_matrix(state["coef_"], rows, static_cast<std::uint64_t>(n_features_in()));
  Vector intercept = common::read_vector(state["intercept_"], rows);
  const Node n_iter_node = state["n_iter_"];
  const std::int64_t n_iter =
      n_iter_node.as_shaped_tensor(DType::kInt64, {1}).values<std::int64_t>()[0];
  if (n_iter < 0) n_iter_node.fail("iteration count must be non-negative");

  classes_ = std::move(classes);
  coef_ = std::move(coef);
  intercept_ = std::move(intercept);
  n_iter_ = n_iter;
  converged_ = true;  // not recorded; scikit-learn keeps no such attribute either
}

}  // namespace mlpersist::linear_model
