// The objective scikit-learn 1.2's LogisticRegression(solver='lbfgs') minimises.
#pragma once

#include <mlpersist/estimator.hpp>
#include <vector>

namespace mlpersist::linear_model {

/// Sum over samples of the log-loss plus 0.5 / C * ||W||^2 (the intercepts are not penalised),
/// as scikit-learn's LinearModelLoss with l2_reg_strength = 1 / C.
///
/// Parameters are a flat vector holding a row-major `rows x (n_features + fit_intercept)`
/// matrix, the intercept in the last column. With two classes there is one row, the binomial
/// loss for `classes[1]` (scikit-learn's multi_class='auto'); otherwise one row per class and the
/// multinomial (softmax) loss.
class LogisticLoss {
 public:
  /// `labels[i]` is sample i's class index in [0, n_classes); n_classes >= 2. X is referred to,
  /// not copied: it must outlive the loss.
  LogisticLoss(const MatrixView& X, std::vector<int> labels, int n_classes, double C,
               bool fit_intercept);

  [[nodiscard]] Eigen::Index rows() const noexcept { return rows_; }
  [[nodiscard]] Eigen::Index cols() const noexcept { return X_.cols() + (fit_intercept_ ? 1 : 0); }
  [[nodiscard]] Eigen::Index size() const noexcept { return rows() * cols(); }

  /// The objective at w; writes its gradient into `grad`.
  double operator()(const Eigen::VectorXd& w, Eigen::VectorXd& grad) const;

 private:
  // Per-sample loss summed, and dloss/draw per sample and row into `residual`.
  [[nodiscard]] double binomial(const Matrix& raw, Matrix& residual) const;
  [[nodiscard]] double multinomial(const Matrix& raw, Matrix& residual) const;

  MatrixView X_;  // a view of fit's X, which outlives the loss
  std::vector<int> labels_;
  Eigen::Index rows_;
  double inverse_C_;
  bool fit_intercept_;
};

/// Row-wise softmax, shifting by each row's maximum so that exp cannot overflow.
[[nodiscard]] Matrix softmax(Matrix raw);

/// The logistic function, computed without overflow for either sign.
[[nodiscard]] double expit(double z) noexcept;

}  // namespace mlpersist::linear_model
