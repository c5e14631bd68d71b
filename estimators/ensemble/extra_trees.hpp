#pragma once

#include "forest_estimators.hpp"

namespace mlpersist::ensemble {

using ExtraTreesClassifierParams = ForestParams<false, false>;

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

using ExtraTreesRegressorParams = ForestParams<true, false>;

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
