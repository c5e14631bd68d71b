#pragma once

// Schema migrations of ensemble.RandomForestClassifier: each member tree's `value` changes as
// tree.DecisionTreeClassifier's does (see tree_migrations.hpp).

#include <mlpersist/node.hpp>
#include <mlpersist/value.hpp>

namespace mlpersist::ensemble {

/// 1 -> 2: every `state.estimators_[i].value` from class counts to class fractions.
[[nodiscard]] Value upgrade_forest_1_to_2(const Node& document);
/// 2 -> 1: every `state.estimators_[i].value` back to counts.
[[nodiscard]] Value downgrade_forest_2_to_1(const Node& document);

}  // namespace mlpersist::ensemble
