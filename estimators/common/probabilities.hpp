#pragma once

// Turning a classifier's scores (log-likelihoods, decision values) into probabilities when the
// scores are not finite. A finite input far from the training data can overflow a fitted
// model's arithmetic: a decision value becomes ±infinity or NaN (infinity minus infinity), every
// class's log-likelihood -infinity. scikit-learn then returns NaN probabilities; here a score of
// +infinity takes the probability (shared among ties), and a row whose probabilities are
// undefined is refused with a clear error instead.

#include <cmath>
#include <mlpersist/error.hpp>
#include <mlpersist/estimator.hpp>
#include <string>
#include <string_view>

namespace mlpersist::common {

/// Throws UsageError(kInvalidInput) naming `who` (e.g. "GaussianNB.predict_proba") when a row
/// of `scores` holds a NaN or only -infinity: its probabilities are undefined.
inline void require_defined_scores(const Matrix& scores, std::string_view who) {
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    const bool nan = scores.row(i).array().isNaN().any();
    if (nan || (scores.row(i).array() == -INFINITY).all())
      throw UsageError(ErrorCode::kInvalidInput,
                       std::string(who) + ": the model's scores for row " + std::to_string(i) +
                           (nan ? " are not numbers (an overflow)" : " are all -infinity") +
                           ", so its probabilities are undefined: the row lies too far from "
                           "the data the model was fitted on for its arithmetic to stay finite");
  }
}

/// Row `i` of probabilities for scores whose maximum is +infinity: shared by the classes that
/// score +infinity, the limit of a softmax as their scores grow.
inline void infinite_winners(Matrix& proba, Eigen::Index i, const Matrix& scores) {
  const auto winners = (scores.row(i).array() == INFINITY).cast<double>();
  proba.row(i) = winners / winners.sum();
}

}  // namespace mlpersist::common
