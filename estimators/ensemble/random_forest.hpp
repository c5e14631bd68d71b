#pragma once

#include "forest_estimators.hpp"

namespace mlpersist::ensemble {

using RandomForestClassifierParams = ForestParams<false, true>;

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

using RandomForestRegressorParams = ForestParams<true, true>;

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
