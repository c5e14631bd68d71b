#pragma once

#include <optional>
#include <string>

#include "forest_estimators.hpp"

namespace mlpersist::ensemble {

/// scikit-learn 1.2's RandomForestClassifier parameters that this implementation supports, with
/// its defaults. n_jobs only changes the speed of fit, never the forest.
struct RandomForestClassifierParams {
  std::int64_t n_estimators = 100;
  std::string criterion = "gini";
  std::optional<std::int64_t> max_depth;
  std::int64_t min_samples_split = 2;
  std::int64_t min_samples_leaf = 1;
  tree::MaxFeatures max_features{std::string("sqrt")};
  bool bootstrap = true;
  std::optional<std::int64_t> n_jobs;
  std::optional<std::int64_t> random_state;
  static constexpr std::array<std::string_view, 9> kNames{
      "n_estimators", "criterion", "max_depth", "min_samples_split", "min_samples_leaf",
      "max_features", "bootstrap", "n_jobs",    "random_state"};
};

/// A random forest of classification trees, grown like scikit-learn's: each tree on a bootstrap
/// sample (as sample counts) with its own seed drawn from random_state, probabilities averaged.
class RandomForestClassifier
    : public ForestClassifier<RandomForestClassifier, RandomForestClassifierParams> {
 public:
  static constexpr std::string_view kTypeTag = "ensemble.RandomForestClassifier";
  static constexpr std::string_view kName = "RandomForestClassifier";
  static constexpr bool kRandomSplits = false;
  /// 2: each tree's `value` holds class fractions, no longer counts (tree_migrations.hpp).
  static constexpr std::uint32_t kSchemaVersion = 2;
  // A schema 1 reader would take the fractions for counts: breaking.
  static constexpr std::uint32_t kMinReaderVersion = 2;
  using ForestClassifier::ForestClassifier;
};

/// scikit-learn 1.2's RandomForestRegressor parameters that this implementation supports, with
/// its defaults.
struct RandomForestRegressorParams {
  static constexpr bool kRegression = true;
  std::int64_t n_estimators = 100;
  std::string criterion = "squared_error";
  std::optional<std::int64_t> max_depth;
  std::int64_t min_samples_split = 2;
  std::int64_t min_samples_leaf = 1;
  tree::MaxFeatures max_features{1.0};
  bool bootstrap = true;
  std::optional<std::int64_t> n_jobs;
  std::optional<std::int64_t> random_state;
  static constexpr std::array<std::string_view, 9> kNames{
      "n_estimators", "criterion", "max_depth", "min_samples_split", "min_samples_leaf",
      "max_features", "bootstrap", "n_jobs",    "random_state"};
};

/// A random forest of regression trees, grown like scikit-learn's; predictions averaged.
class RandomForestRegressor
    : public ForestRegressor<RandomForestRegressor, RandomForestRegressorParams> {
 public:
  static constexpr std::string_view kTypeTag = "ensemble.RandomForestRegressor";
  static constexpr std::string_view kName = "RandomForestRegressor";
  static constexpr bool kRandomSplits = false;
  static constexpr std::uint32_t kSchemaVersion = 1;
  using ForestRegressor::ForestRegressor;
};

}  // namespace mlpersist::ensemble
