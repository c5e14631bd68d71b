#include "pca.hpp"

#include <Eigen/LU>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <limits>
#include <mlpersist/error.hpp>
#include <numbers>

#include "common/numeric.hpp"
#include "common/state_checks.hpp"

namespace mlpersist::decomposition {
namespace {

struct Svd {
  Vector singular_values;  // decreasing
  Matrix vt;               // right singular vectors in rows
};

// SVD of the centred data with scikit-learn 1.2's `svd_flip(U, Vt)` (u-based): each left
// singular vector's largest-magnitude entry (the first, on ties) is made positive, so that the
// components' signs are deterministic and agree with scikit-learn's.
Svd flipped_svd(const Matrix& centred) {
  const Eigen::BDCSVD<Eigen::MatrixXd> svd(centred, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::MatrixXd& u = svd.matrixU();
  Svd out{svd.singularValues(), svd.matrixV().transpose()};
  for (Eigen::Index j = 0; j < u.cols(); ++j) {
    Eigen::Index arg = 0;
    (void)u.col(j).cwiseAbs().maxCoeff(&arg);  // Eigen returns the first maximum, as argmax
    if (u(arg, j) < 0) out.vt.row(j) *= -1.0;
  }
  return out;
}

// log|det A| when det A > 0, else -inf: scikit-learn's fast_logdet (slogdet from an LU).
double log_det_positive(const Matrix& a) {
  const Eigen::PartialPivLU<Eigen::MatrixXd> lu(a);
  double sign = lu.permutationP().determinant();
  double log_abs = 0;
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    const double u = lu.matrixLU()(i, i);
    sign *= u < 0 ? -1.0 : 1.0;
    log_abs += std::log(std::abs(u));
  }
  return sign > 0 ? log_abs : -std::numeric_limits<double>::infinity();
}

Matrix checked_inverse(const Matrix& a) {
  Matrix inv = Eigen::MatrixXd(a).partialPivLu().inverse();
  if (!inv.allFinite())
    throw UsageError(ErrorCode::kInvalidInput,
                     "PCA.score: the model's covariance is singular, so the likelihood is "
                     "undefined; fit with fewer components");
  return inv;
}

[[noreturn]] void bad_input(const std::string& what) {
  throw UsageError(ErrorCode::kInvalidInput, "PCA.fit: " + what);
}

}  // namespace

void PCA::validate_params(const PCAParams& p) const {
  if (p.n_components && *p.n_components < 0)
    invalid_param("n_components must be None or a non-negative integer");
}

double PCA::fit_cost(double n_samples, double n_features) const {
  // A full SVD of the centred data.
  return n_samples * n_features * std::min(n_samples, n_features);
}

bool PCA::supports(Method m) const {
  return m == Method::kTransform || m == Method::kInverseTransform;
}

void PCA::do_fit(const MatrixView& X, const Vector& /*y*/) {
  const Eigen::Index n = X.rows(), rank = std::min(X.rows(), X.cols());
  if (n < 2) bad_input("needs at least 2 samples (the variance divides by n_samples - 1)");
  const Eigen::Index k = params_.n_components.value_or(rank);
  if (k > rank)
    bad_input("n_components=" + std::to_string(k) + " must be at most min(n_samples, " +
              "n_features)=" + std::to_string(rank));
  const Vector mean = common::column_means(X);
  const Svd svd = flipped_svd(X.rowwise() - mean.transpose());
  const Vector variance = svd.singular_values.array().square() / static_cast<double>(n - 1);
  if (params_.whiten && k > 0 && !(variance.head(k).array() > 0).all())
    bad_input("cannot whiten a component of zero variance; lower n_components");
  components_ = svd.vt.topRows(k);
  explained_variance_ = variance.head(k);
  // A constant X has no variance at all: the ratio is 0/0 = NaN, as in scikit-learn.
  explained_variance_ratio_ = explained_variance_ / common::numpy_sum(variance);
  singular_values_ = svd.singular_values.head(k);
  mean_ = mean;
  // The probabilistic model's isotropic noise: the mean variance of the discarded directions.
  noise_variance_ =
      k < rank ? common::numpy_sum(variance.data() + k, rank - k) / static_cast<double>(rank - k)
               : 0.0;
  n_samples_ = n;
}

Matrix PCA::do_transform(const MatrixView& X) const {
  Matrix out = (X.rowwise() - mean_.transpose()) * components_.transpose();
  if (params_.whiten) out.array().rowwise() /= explained_variance_.transpose().array().sqrt();
  return out;
}

Matrix PCA::do_inverse_transform(const MatrixView& X) const {
  return (X * model_components()).rowwise() + mean_.transpose();
}

Matrix PCA::model_components() const {
  if (!params_.whiten) return components_;
  return explained_variance_.array().sqrt().matrix().asDiagonal() * components_;
}

Matrix PCA::precision() const {
  const Eigen::Index d = components_.cols();
  if (components_.rows() == 0) return Matrix::Identity(d, d) / noise_variance_;
  const Matrix w = model_components();
  const Vector excess = (explained_variance_.array() - noise_variance_).max(0.0);
  if (noise_variance_ == 0.0)  // no noise: invert the covariance itself
    return checked_inverse(w.transpose() * excess.asDiagonal() * w);
  // The matrix inversion lemma, which inverts a k x k matrix instead of a d x d one.
  Matrix inner = w * w.transpose() / noise_variance_;
  inner.diagonal().array() += excess.array().inverse();
  Matrix p = w.transpose() * checked_inverse(inner) * w;
  p /= -(noise_variance_ * noise_variance_);
  p.diagonal().array() += 1.0 / noise_variance_;
  return p;
}

double PCA::do_score(const MatrixView& X, const Vector& /*y*/) const {
  const Matrix p = precision();
  const Matrix centred = X.rowwise() - mean_.transpose();
  const Vector quad = (centred.array() * (centred * p).array()).rowwise().sum();
  const auto d = static_cast<double>(X.cols());
  const double constant = d * std::log(2.0 * std::numbers::pi) - log_det_positive(p);
  return (-0.5 * quad.array() - 0.5 * constant).mean();
}

Value PCA::save_state(SaveContext&) const {
  Map m;
  m.insert("components_", Tensor::from_matrix(components_));
  m.insert("explained_variance_", Tensor::from_vector(explained_variance_));
  m.insert("explained_variance_ratio_", Tensor::from_vector(explained_variance_ratio_));
  m.insert("singular_values_", Tensor::from_vector(singular_values_));
  m.insert("mean_", Tensor::from_vector(mean_));
  m.insert("noise_variance_", noise_variance_);
  m.insert("n_components_", n_components());
  m.insert("n_samples_", n_samples_);
  return m;
}

void PCA::load_state(const Node& state, LoadContext&) {
  const auto d = static_cast<std::uint64_t>(n_features_in());
  const Node n_samples = state["n_samples_"];
  const auto n = static_cast<std::uint64_t>(n_samples.as_int(2));
  const Node n_comp = state["n_components_"];
  const auto k = static_cast<std::uint64_t>(n_comp.as_int(0, static_cast<std::int64_t>(d)));
  if (k > n) n_comp.fail("more components than fitted samples");
  if (params_.n_components && static_cast<std::uint64_t>(*params_.n_components) != k)
    n_comp.fail("disagrees with the n_components parameter");
  Matrix components = common::read_matrix(state["components_"], k, d);
  const Node variance_node = state["explained_variance_"];
  Vector variance = common::read_vector(variance_node, k);
  // transform divides by sqrt(variance) when whitening; the covariance needs it non-negative.
  if (!(variance.array() >= 0).all() || (params_.whiten && !(variance.array() > 0).all()))
    variance_node.fail(params_.whiten ? "variances must be positive to whiten"
                                      : "variances must be non-negative");
  // Only reported, never computed with: NaN is what a constant X gives.
  Vector ratio = common::read_vector(state["explained_variance_ratio_"], k, /*finite=*/false);
  Vector singular = common::read_vector(state["singular_values_"], k);
  Vector mean = common::read_vector(state["mean_"], d);
  const double noise = state["noise_variance_"].as_double();
  if (noise < 0) state["noise_variance_"].fail("the noise variance must be non-negative");
  components_ = std::move(components);
  explained_variance_ = std::move(variance);
  explained_variance_ratio_ = std::move(ratio);
  singular_values_ = std::move(singular);
  mean_ = std::move(mean);
  noise_variance_ = noise;
  n_samples_ = static_cast<std::int64_t>(n);
}

}  // namespace mlpersist::decomposition
