#pragma once

// What random forests and ExtraTrees share, for classification and regression alike: growing
// the members (seeds, bootstrap samples, worker threads), averaging them, feature importances,
// and saving and validating the member trees. The estimators themselves are the templates
// ForestClassifier and ForestRegressor (forest_estimators.hpp).

#include <cstdint>
#include <mlpersist/estimator.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tree.hpp"

namespace mlpersist::ensemble {

/// How a forest grows its members.
struct ForestGrowth {
  tree::GrowthOptions options;
  std::int64_t n_estimators = 100;
  bool bootstrap = true;
  std::optional<std::int64_t> n_jobs;
  std::optional<std::int64_t> random_state;
};

/// Throws UsageError(kInvalidParameter) for n_estimators < 1 or n_jobs == 0.
void check_forest_params(std::string_view who, std::int64_t n_estimators,
                         const std::optional<std::int64_t>& n_jobs);

/// The members, as scikit-learn's forests grow them: one seed per member drawn from
/// RandomState(random_state), each member's bootstrap sample and splitter seeded with it. The
/// trees do not depend on n_jobs (worker threads).
[[nodiscard]] std::vector<tree::Tree> grow_forest(const tree::TrainingSet& data,
                                                  const ForestGrowth& growth);

/// The forest's cost to fit: n_estimators trees' (tree::tree_fit_cost).
[[nodiscard]] double forest_fit_cost(std::int64_t n_estimators, const std::string& criterion,
                                     double n_samples, double n_features);

/// The members' mean class fractions (summed in member order, then divided once).
[[nodiscard]] Matrix mean_proba(const std::vector<tree::Tree>& trees, const MatrixView& X,
                                std::int64_t n_classes);
/// The members' mean regression prediction (summed in member order, then divided once).
[[nodiscard]] Vector mean_prediction(const std::vector<tree::Tree>& trees, const MatrixView& X);

/// scikit-learn's feature_importances_ of a forest: the mean over members that split at all,
/// normalised to sum to 1.
[[nodiscard]] Vector forest_importances(const std::vector<tree::Tree>& trees,
                                        std::int64_t n_features);

/// The members' arrays, one map each (state.estimators_).
[[nodiscard]] Array save_trees(const std::vector<tree::Tree>& trees);
/// Reads and validates state.estimators_ (at least one tree); n_classes 0 reads regression trees.
[[nodiscard]] std::vector<tree::Tree> load_trees(const Node& members, std::int64_t n_features,
                                                 std::int64_t n_classes);

}  // namespace mlpersist::ensemble
