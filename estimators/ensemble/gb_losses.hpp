#pragma once

// scikit-learn 1.2's gradient boosting losses (sklearn/ensemble/_gb_losses.py): the prior the
// first raw predictions come from, negative gradients, the leaf values each loss puts in a fitted
// tree, and the loss value (train_score_), with NumPy's order of summation.

#include <cstdint>
#include <limits>
#include <mlpersist/estimator.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tree.hpp"

namespace mlpersist::ensemble {

enum class GbLoss : std::uint8_t {
  kSquaredError,
  kAbsoluteError,
  kHuber,
  kQuantile,
  kLogLoss,  ///< binomial deviance for 2 classes, multinomial for more
  kExponential,
};

/// Throws UsageError(kInvalidParameter) for a name the estimator kind does not have.
[[nodiscard]] GbLoss parse_gb_loss(std::string_view who, const std::string& name, bool classifier);

/// A loss as one fit or predict uses it. y holds regression targets, or class indices.
class BoostingLoss {
 public:
  BoostingLoss(GbLoss loss, double alpha, std::int64_t n_classes);

  /// Raw predictions per iteration: 1, or the class count for multinomial log_loss.
  [[nodiscard]] std::int64_t trees_per_stage() const noexcept { return k_; }
  [[nodiscard]] bool is_classification() const noexcept { return loss_ >= GbLoss::kLogLoss; }

  /// The init estimator's fitted value (DummyRegressor's constant_ for regression, its
  /// quantile for absolute_error, huber and quantile; DummyClassifier's class_prior_).
  [[nodiscard]] Vector fit_prior(const Vector& y) const;
  /// The first raw predictions (one row, trees_per_stage() columns) from that prior.
  [[nodiscard]] Vector initial_raw(const Vector& prior) const;

  /// Targets of stage tree k: the negative gradient at raw (n x K, the stage's start).
  [[nodiscard]] Vector negative_gradient(const Vector& y, const Matrix& raw, std::int64_t k);
  /// Replaces the leaf values of `tree` as the loss does (squared_error keeps the means) and
  /// adds learning_rate * leaf value to raw(:, k) for every sample. `in_bag` says which samples
  /// the tree was grown on (empty: all).
  void update_terminal_regions(tree::Tree& tree, const MatrixView& X, const Vector& y,
                               const Vector& residual, Matrix& raw, const std::vector<bool>& in_bag,
                               double learning_rate, std::int64_t k) const;
  /// The loss of raw predictions for y, over the samples `rows` (scikit-learn's loss_(...)).
  [[nodiscard]] double value(const Vector& y, const Matrix& raw,
                             const std::vector<std::int64_t>& rows) const;

  /// Probabilities from raw predictions, and the predicted class index of each row. Throws
  /// UsageError(kInvalidInput) for a row whose probabilities are undefined (a NaN raw value).
  [[nodiscard]] Matrix proba(const Matrix& raw) const;
  [[nodiscard]] std::vector<std::int64_t> decision(const Matrix& raw) const;

 private:
  [[nodiscard]] double leaf_value(const std::vector<std::int64_t>& rows, const Vector& y,
                                  const Vector& residual, const Matrix& raw, std::int64_t k) const;

  GbLoss loss_;
  double alpha_;
  std::int64_t k_;
  // huber: the alpha quantile of |y - raw| at the last negative gradient (NaN before it)
  double gamma_ = std::numeric_limits<double>::quiet_NaN();
};

/// scikit-learn's _weighted_percentile with unit weights: the first sorted value whose rank
/// reaches percentile / 100 * n.
[[nodiscard]] double unit_weighted_percentile(std::vector<double> values, double percentile);
/// NumPy's percentile (linear interpolation) of `values`.
[[nodiscard]] double numpy_percentile(std::vector<double> values, double percentile);

}  // namespace mlpersist::ensemble
