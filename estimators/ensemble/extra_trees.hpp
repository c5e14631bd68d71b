#pragma once

#include <optional>
#include <string>

#include "forest_estimators.hpp"

namespace mlpersist::ensemble {

/// scikit-learn 1.2's ExtraTreesClassifier parameters that this implementation supports, with
/// its defaults (no bootstrap).
struct ExtraTreesClassifierParams {
  std::int64_t n_estimators = 100;
  std::string criterion = "gini";
  std::optional<std::int64_t> max_depth;
  std::int64_t min_samples_split = 2;
  std::int64_t min_samples_leaf = 1;
  tree::MaxFeatures max_features{std::string("sqrt")};
  bool bootstrap = false;
  std::optional<std::int64_t> n_jobs;
  std::optional<std::int64_t> random_state;
  static constexpr std::array<std::string_view, 9> kNames{
      "n_estimators", "criterion", "max_depth", "min_samples_split", "min_samples_leaf",
      "max_features", "bootstrap", "n_jobs",    "random_state"};
};

/// Extremely randomised trees: each split is the best of one random threshold per examined
/// feature, drawn from scikit-learn's splitter stream, so the same random_state grows the same
/// trees as scikit-learn.
class ExtraTreesClassifier
    : public ForestClassifier<ExtraTreesClassifier, ExtraTreesClassifierParams> {
 public:
  static constexpr std::string_view kTypeTag = "ensemble.ExtraTreesClassifier";
  static constexpr std::string_view kName = "ExtraTreesClassifier";
  static constexpr bool kRandomSplits = true;
  static constexpr std::uint32_t kSchemaVersion = 1;
  using ForestClassifier::ForestClassifier;
};

/// scikit-learn 1.2's ExtraTreesRegressor parameters that this implementation supports.
struct ExtraTreesRegressorParams {
  static constexpr bool kRegression = true;
  std::int64_t n_estimators = 100;
  std::string criterion = "squared_error";
  std::optional<std::int64_t> max_depth;
  std::int64_t min_samples_split = 2;
  std::int64_t min_samples_leaf = 1;
  tree::MaxFeatures max_features{1.0};
  bool bootstrap = false;
  std::optional<std::int64_t> n_jobs;
  std::optional<std::int64_t> random_state;
  static constexpr std::array<std::string_view, 9> kNames{
      "n_estimators", "criterion", "max_depth", "min_samples_split", "min_samples_leaf",
      "max_features", "bootstrap", "n_jobs",    "random_state"};
};

/// Extremely randomised regression trees (see ExtraTreesClassifier); predictions averaged.
class ExtraTreesRegressor : public ForestRegressor<ExtraTreesRegressor, ExtraTreesRegressorParams> {
 public:
  static constexpr std::string_view kTypeTag = "ensemble.ExtraTreesRegressor";
  static constexpr std::string_view kName = "ExtraTreesRegressor";
  static constexpr bool kRandomSplits = true;
  static constexpr std::uint32_t kSchemaVersion = 1;
  using ForestRegressor::ForestRegressor;
};

}  // namespace mlpersist::ensemble
