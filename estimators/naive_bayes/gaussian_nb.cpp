#include "gaussian_nb.hpp"

#include <algorithm>
#include <cmath>
#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>
#include <numbers>
#include <string>

#include "common/classes.hpp"
#include "common/numeric.hpp"
#include "common/probabilities.hpp"
#include "common/state_checks.hpp"

namespace mlpersist::naive_bayes {
namespace {

// np.var(X, axis=0): two passes, the mean first, then the mean squared deviation, each summed
// row after row as NumPy does along the non-contiguous axis.
Vector column_variance(const MatrixView& X) {
  const Vector mean = common::column_means(X);
  return common::column_means((X.rowwise() - mean.transpose()).array().square().matrix());
}

// The rows of X whose label is `label`.
Matrix rows_with_label(const MatrixView& X, const Vector& y, double label) {
  Matrix out((y.array() == label).count(), X.cols());
  Eigen::Index k = 0;
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    if (y(i) == label) out.row(k++) = X.row(i);
  return out;
}

// scipy.special.logsumexp over each row.
Vector logsumexp_rows(const Matrix& a) {
  Vector out(a.rows());
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    double top = a.row(i).maxCoeff();
    if (!std::isfinite(top)) top = 0;
    out(i) = std::log((a.row(i).array() - top).exp().sum()) + top;
  }
  return out;
}

}  // namespace

void GaussianNB::validate_params(const GaussianNBParams& p) const {
  if (!(p.var_smoothing >= 0) || !std::isfinite(p.var_smoothing))
    invalid_param("var_smoothing must be a finite number >= 0, got " +
                  format_double(p.var_smoothing));
}

bool GaussianNB::supports(Method m) const {
  return m == Method::kPredict || m == Method::kPredictProba;
}

void GaussianNB::do_fit(const MatrixView& X, const Vector& y) {
  std::vector<double> classes = common::unique_labels(y);
  const auto n_classes = static_cast<Eigen::Index>(classes.size());
  const double epsilon = params_.var_smoothing * column_variance(X).maxCoeff();
  Matrix theta(n_classes, X.cols());
  Matrix var(n_classes, X.cols());
  Vector count(n_classes);
  for (Eigen::Index k = 0; k < n_classes; ++k) {
    const Matrix Xk = rows_with_label(X, y, classes[static_cast<std::size_t>(k)]);
    theta.row(k) = common::column_means(Xk).transpose();
    var.row(k) = column_variance(Xk).transpose();
    count(k) = static_cast<double>(Xk.rows());
  }
  var.array() += epsilon;
  // scikit-learn would divide by zero and predict NaN; refuse instead.
  if ((var.array() <= 0).any())
    throw UsageError(ErrorCode::kInvalidInput,
                     "GaussianNB.fit: a feature is constant and var_smoothing is 0, so a variance "
                     "is zero; set var_smoothing > 0");
  classes_ = std::move(classes);
  theta_ = std::move(theta);
  var_ = std::move(var);
  class_count_ = std::move(count);
  class_prior_ = class_count_ / class_count_.sum();
  epsilon_ = epsilon;
}

Matrix GaussianNB::joint_log_likelihood(const MatrixView& X) const {
  Matrix jll(X.rows(), theta_.rows());
  for (Eigen::Index k = 0; k < theta_.rows(); ++k) {
    const double normalisation = -0.5 * (2.0 * std::numbers::pi * var_.row(k).array()).log().sum();
    const auto sq =
        ((X.rowwise() - theta_.row(k)).array().square().rowwise() / var_.row(k).array());
    // Summed in scikit-learn's order: log prior + (normalisation - squared distance / 2).
    jll.col(k) = ((normalisation - 0.5 * sq.rowwise().sum()) + std::log(class_prior_(k)));
  }
  return jll;
}

Vector GaussianNB::do_predict(const MatrixView& X) const {
  return common::labels_of_row_max(joint_log_likelihood(X), classes_);
}

Matrix GaussianNB::do_predict_proba(const MatrixView& X) const {
  const Matrix jll = joint_log_likelihood(X);
  // A row far from every class has log-likelihood -infinity for all of them.
  common::require_defined_scores(jll, "GaussianNB.predict_proba");
  Matrix proba = (jll.colwise() - logsumexp_rows(jll)).array().exp();
  for (Eigen::Index i = 0; i < jll.rows(); ++i)
    if (jll.row(i).maxCoeff() == INFINITY) common::infinite_winners(proba, i, jll);
  return proba;
}

Value GaussianNB::save_state(SaveContext&) const {
  Map m;
  m.insert("classes_", Tensor::from_values(std::span<const double>(classes_)));
  m.insert("theta_", Tensor::from_matrix(theta_));
  m.insert("var_", Tensor::from_matrix(var_));
  m.insert("class_prior_", Tensor::from_vector(class_prior_));
  m.insert("class_count_", Tensor::from_vector(class_count_));
  m.insert("epsilon_", epsilon_);
  return m;
}

void GaussianNB::load_state(const Node& state, LoadContext&) {
  std::vector<double> classes = common::read_classes(state["classes_"]);
  const std::uint64_t k = classes.size();
  const auto p = static_cast<std::uint64_t>(n_features_in());
  Matrix theta = common::read_matrix(state["theta_"], k, p);
  Matrix var = common::read_matrix(state["var_"], k, p);
  if ((var.array() <= 0).any()) state["var_"].fail("variances must be positive");
  Vector count = common::read_vector(state["class_count_"], k);
  if ((count.array() < 0).any()) state["class_count_"].fail("class counts must be non-negative");
  Vector prior = common::read_vector(state["class_prior_"], k);
  // The tolerance scikit-learn allows for user-given priors (np.isclose).
  if ((prior.array() < 0).any() || std::abs(prior.sum() - 1.0) > 1e-8 + 1e-5)
    state["class_prior_"].fail("priors must be non-negative and sum to 1");
  const double epsilon = state["epsilon_"].as_double();
  if (epsilon < 0) state["epsilon_"].fail("epsilon must be non-negative");

  classes_ = std::move(classes);
  theta_ = std::move(theta);
  var_ = std::move(var);
  class_count_ = std::move(count);
  class_prior_ = std::move(prior);
  epsilon_ = epsilon;
}

}  // namespace mlpersist::naive_bayes
