#pragma once

// An estimator described as JSON, as `mlpersist fit --spec SPEC.json` takes it: the shape of a
// saved document's `type` and `params`, nested estimators included.

#include <memory>
#include <mlpersist/estimator.hpp>
#include <mlpersist/export.hpp>
#include <mlpersist/value.hpp>
#include <string>

namespace mlpersist {

class Registry;

/// The deepest nesting of composite estimators a spec may have.
inline constexpr int kMaxSpecDepth = 32;

/// Makes an unfitted estimator from `{"type": TAG, "params": {...}}`. A composite's params
/// declare its steps (Pipeline's `steps`, ColumnTransformer's `transformers` and `remainder`);
/// each step's own parameters are `<name>__<param>` keys, to any depth, as in scikit-learn's
/// get_params. Throws UsageError(kInvalidParameter) whose message starts with the JSON path of
/// the offending part (`$.params.ct__transformers`).
[[nodiscard]] MLPERSIST_API std::shared_ptr<Estimator> build_estimator(const Registry& registry,
                                                                       const Value& spec);

}  // namespace mlpersist
