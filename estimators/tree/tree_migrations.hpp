#pragma once

// Schema migrations of the tree family's `value` arrays (registered by the tree and ensemble
// plugins; see registry.hpp's MigrationFunction).
//
// Schema 1 saved each node's weighted class counts as `value`, as scikit-learn < 1.4 does;
// schema 2 saves their fractions, as scikit-learn 1.4 does (see class_fractions). Both
// tree.DecisionTreeClassifier (whose state holds one tree's arrays) and
// ensemble.RandomForestClassifier (one per `state.estimators_[i]`) made this change.

#include <cstdint>
#include <mlpersist/node.hpp>
#include <mlpersist/value.hpp>
#include <string_view>

namespace mlpersist::tree {

inline constexpr std::string_view kValueUpgradeDescription =
    "value holds each node's class fractions (scikit-learn 1.4) instead of its weighted class "
    "counts: every row divided by its total";
inline constexpr std::string_view kValueDowngradeDescription =
    "value holds weighted class counts again: every row of fractions times the node's "
    "weighted_n_node_samples, rounded to the nearest integer when that is integral";

/// One tree's arrays (a map as Tree::save writes them) with `value` turned from weighted class
/// counts into class fractions, row by row with class_fractions. Throws SchemaError naming
/// the path when node_count or value (float64, node_count x n_classes, finite) is invalid.
[[nodiscard]] Map tree_value_to_fractions(const Node& tree, std::uint64_t n_classes);
/// The inverse: counts = fraction * weighted_n_node_samples, rounded to the nearest integer
/// when weighted_n_node_samples is integral. It always is for trees grown here (sample
/// weights are bootstrap draw counts), so the counts are exactly those schema 1 saved; for a
/// non-integral weight they are left unrounded, within a few ulps of the original counts.
[[nodiscard]] Map tree_value_to_counts(const Node& tree, std::uint64_t n_classes);

/// tree.DecisionTreeClassifier 1 -> 2 and 2 -> 1 (the class count comes from classes_).
[[nodiscard]] Value upgrade_decision_tree_1_to_2(const Node& document);
[[nodiscard]] Value downgrade_decision_tree_2_to_1(const Node& document);

}  // namespace mlpersist::tree
