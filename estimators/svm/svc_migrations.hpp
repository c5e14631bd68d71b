#pragma once

// Schema migrations of svm.SVC (registered in plugin.cpp; see registry.hpp's MigrationFunction).
//
// Schema 1 saved the numeric gamma as `state._gamma` and nothing else of the kernel: a reader
// rebuilt it from params.kernel, params.degree and params.coef0, so a parameter changed after
// fitting changed the loaded model's decisions. Schema 2 saves the fitted kernel whole as
// `state.kernel_` = {kernel, gamma, degree, coef0} and reads nothing of it from the parameters.

#include <mlpersist/node.hpp>
#include <mlpersist/value.hpp>
#include <string_view>

namespace mlpersist::svm {

inline constexpr std::string_view kSvcUpgrade1Description =
    "state.kernel_ records the fitted kernel (kernel, gamma, degree, coef0), taken from "
    "params.kernel, params.degree, params.coef0 and state._gamma, which it replaces";
inline constexpr std::string_view kSvcDowngrade2Description =
    "state._gamma = state.kernel_.gamma, and params.kernel, params.degree and params.coef0 are "
    "set from state.kernel_ (a schema 1 reader takes the kernel from them)";

/// 1 -> 2. Throws SchemaError naming the path of a missing or invalid member.
[[nodiscard]] Value upgrade_svc_1_to_2(const Node& document);
/// 2 -> 1: what the schema 1 code wrote for the same fitted model, Value for Value.
[[nodiscard]] Value downgrade_svc_2_to_1(const Node& document);

}  // namespace mlpersist::svm
