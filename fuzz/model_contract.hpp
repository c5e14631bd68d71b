#pragma once

// What a model that loaded promises on finite input, checked by the load_* fuzz targets. The
// checks are those every estimator of this project guarantees, whatever its fitted values:
// outputs of the documented shape; labels among the classes (classifiers) or cluster indices
// (clusterers); probabilities in [0, 1] whose rows sum to 1; distances to cluster centres that
// are never negative nor NaN. Values that may legitimately overflow (a regression on huge
// coefficients, a transform dividing by a tiny scale) are only checked for shape.

#include <mlpersist/error.hpp>
#include <mlpersist/estimator.hpp>
#include <optional>
#include <vector>

namespace mlpersist::fuzz {

/// One method's answer: its output, or the code of an error that a valid state may still cause
/// at predict time (a SchemaError found lazily, e.g. a KNN class index; an input that a
/// pipeline's step made non-finite).
struct Output {
  Method method;
  std::optional<Matrix> result;
  ErrorCode error = ErrorCode::kIo;  ///< meaningful only without a result

  /// Bit-for-bit equality (NaN payloads and -0.0 included).
  friend bool operator==(const Output& a, const Output& b);
};
using Outputs = std::vector<Output>;

/// Whether a probe of the model's width fits the fuzzer's memory: a tree may claim 2^31 - 1
/// features in a few bytes of state, and predicting on that width is the caller's cost.
[[nodiscard]] bool probe_fits(const Estimator& model);
/// Finite rows of the model's input width.
[[nodiscard]] Matrix probe(const Estimator& model);
/// Every supported method on X (inverse_transform on a probe of the output width); any error
/// but the ones Output lists is a finding.
[[nodiscard]] Outputs outputs_of(const Estimator& model, const Matrix& X);
/// Stops with a finding when an output breaks the promises listed at the top of this file.
void check_contract(const Estimator& model, const Matrix& X, const Outputs& outputs);

}  // namespace mlpersist::fuzz
