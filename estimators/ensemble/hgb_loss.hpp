#pragma once

// HistGradientBoosting's losses as scikit-learn 1.2's sklearn._loss computes them: the baseline
// (fit_intercept_only), float32 gradients and hessians computed in double and rounded once, and
// the mean loss that early stopping scores.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace mlpersist::ensemble::hgb {

enum class LossKind : std::uint8_t {
  kSquaredError,
  kAbsoluteError,
  kPoisson,
  kBinomial,
  kMultinomial
};

/// Raw predictions, one column per tree of an iteration: raw[k][i].
using RawPredictions = std::vector<std::vector<double>>;

struct Loss {
  LossKind kind = LossKind::kSquaredError;
  std::size_t n_classes = 1;  // multinomial only

  [[nodiscard]] std::size_t n_trees_per_iteration() const {
    return kind == LossKind::kMultinomial ? n_classes : 1;
  }
  [[nodiscard]] bool constant_hessian() const {
    return kind == LossKind::kSquaredError || kind == LossKind::kAbsoluteError;
  }
  /// absolute_error re-fits each leaf to the median of its residuals.
  [[nodiscard]] bool need_update_leaves_values() const { return kind == LossKind::kAbsoluteError; }
  /// The constant raw prediction that minimises the loss on y (one per tree of an iteration).
  [[nodiscard]] std::vector<double> baseline(std::span<const double> y) const;
  /// Gradients (and hessians unless constant: then hessian[k] stays {1}) at `raw`.
  void gradients(std::span<const double> y, const RawPredictions& raw,
                 std::vector<std::vector<float>>& gradient,
                 std::vector<std::vector<float>>& hessian) const;
  /// The mean loss (scikit-learn's `loss(y, raw)`), as early stopping's 'loss' scoring uses it.
  [[nodiscard]] double mean_loss(std::span<const double> y, const RawPredictions& raw) const;
};

/// np.median of `v` (reordered).
[[nodiscard]] double numpy_median(std::vector<double>& v);

}  // namespace mlpersist::ensemble::hgb
