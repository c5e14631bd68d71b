#include "logistic_loss.hpp"

#include <cmath>

namespace mlpersist::linear_model {

double expit(double z) noexcept {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

Matrix softmax(Matrix raw) {
  for (Eigen::Index i = 0; i < raw.rows(); ++i) {
    auto row = raw.row(i);
    row.array() = (row.array() - row.maxCoeff()).exp();
    row /= row.sum();
  }
  return raw;
}

LogisticLoss::LogisticLoss(const MatrixView& X, std::vector<int> labels, int n_classes, double C,
                           bool fit_intercept)
    : X_(X),
      labels_(std::move(labels)),
      rows_(n_classes == 2 ? 1 : n_classes),
      inverse_C_(1.0 / C),
      fit_intercept_(fit_intercept) {}

double LogisticLoss::operator()(const Eigen::VectorXd& w, Eigen::VectorXd& grad) const {
  const Eigen::Index p = X_.cols();
  const Eigen::Map<const Matrix> W(w.data(), rows_, cols());
  Matrix raw = X_ * W.leftCols(p).transpose();
  if (fit_intercept_) raw.rowwise() += W.col(p).transpose();
  Matrix residual(raw.rows(), raw.cols());
  double loss = rows_ == 1 ? binomial(raw, residual) : multinomial(raw, residual);
  loss += 0.5 * inverse_C_ * W.leftCols(p).squaredNorm();
  grad.resize(w.size());
  Eigen::Map<Matrix> G(grad.data(), rows_, cols());
  G.leftCols(p) = residual.transpose() * X_ + inverse_C_ * W.leftCols(p);
  if (fit_intercept_) G.col(p) = residual.colwise().sum().transpose();
  return loss;
}

double LogisticLoss::binomial(const Matrix& raw, Matrix& residual) const {
  double loss = 0;
  for (Eigen::Index i = 0; i < raw.rows(); ++i) {
    const double z = raw(i, 0);
    const double y = labels_[static_cast<std::size_t>(i)] == 1 ? 1.0 : 0.0;
    // log(1 + exp(z)) - y z, without overflow for large |z|.
    loss += std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z))) - y * z;
    residual(i, 0) = expit(z) - y;
  }
  return loss;
}

double LogisticLoss::multinomial(const Matrix& raw, Matrix& residual) const {
  double loss = 0;
  for (Eigen::Index i = 0; i < raw.rows(); ++i) {
    const double top = raw.row(i).maxCoeff();
    auto e = residual.row(i);
    e.array() = (raw.row(i).array() - top).exp();
    const double sum = e.sum();
    const int y = labels_[static_cast<std::size_t>(i)];
    loss += std::log(sum) + top - raw(i, y);
    e /= sum;
    e(y) -= 1.0;
  }
  return loss;
}

}  // namespace mlpersist::linear_model
