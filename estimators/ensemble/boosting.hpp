#pragma once

// The part of GradientBoostingClassifier and GradientBoostingRegressor that does not depend on
// the task: the stages of regression trees, how they are grown (scikit-learn 1.2's _fit_stages,
// random stream included), raw predictions, and the fitted state.

#include <cstdint>
#include <mlpersist/estimator.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/value.hpp>
#include <optional>
#include <vector>

#include "gb_losses.hpp"
#include "tree.hpp"

namespace mlpersist::ensemble {

/// The boosting parameters, already checked and resolved against the data. Made only from the
/// estimators' parameters (boosting_options), which hold scikit-learn's defaults: none are
/// repeated here.
struct BoostingOptions {
  tree::GrowthOptions growth;
  double learning_rate;
  std::int64_t n_estimators;
  double subsample;
  std::optional<std::int64_t> random_state;
  double validation_fraction;
  std::optional<std::int64_t> n_iter_no_change;
  double tol;
  /// Classifiers: the number of classes, whose indices early stopping's split is stratified on
  /// (0: a plain shuffled split).
  std::size_t stratify_classes = 0;
};

/// Fitted stages: n_estimators_ rows of trees_per_stage regression trees.
class Boosting {
 public:
  /// Fits like scikit-learn 1.2 (y: regression targets or class indices 0..n_classes-1).
  void fit(const MatrixView& X, const Vector& y, BoostingLoss loss, const BoostingOptions& o);
  /// The raw predictions (n x trees_per_stage): the prior's, plus learning_rate times every
  /// stage's leaf values, added stage after stage.
  [[nodiscard]] Matrix raw_predict(const MatrixView& X, const BoostingLoss& loss,
                                   double learning_rate) const;

  /// Adds init_, estimators_, n_estimators_, train_score_, oob_improvement_ (when subsampled)
  /// and max_features_; `prior_name` is the init estimator's attribute (constant_ or
  /// class_prior_).
  void save(Map& state, std::string_view prior_name) const;
  /// Reads and validates what save wrote: every stage has trees_per_stage trees, every array
  /// n_estimators_ entries, the prior `prior_size` finite numbers (probabilities summing to 1
  /// when `probabilities`). Throws SchemaError naming the path.
  void load(const Node& state, std::int64_t n_features, std::int64_t trees_per_stage,
            std::string_view prior_name, std::int64_t prior_size, bool probabilities);

  [[nodiscard]] const std::vector<std::vector<tree::Tree>>& stages() const noexcept {
    return stages_;
  }
  [[nodiscard]] const Vector& prior() const noexcept { return prior_; }
  [[nodiscard]] const Vector& train_score() const noexcept { return train_score_; }
  [[nodiscard]] const Vector& oob_improvement() const noexcept { return oob_improvement_; }
  [[nodiscard]] std::int64_t max_features() const noexcept { return max_features_; }
  /// scikit-learn's feature_importances_: the mean over stages of each stage's summed tree
  /// importances (stages that did not split left out), normalised.
  [[nodiscard]] Vector feature_importances(std::int64_t n_features) const;

 private:
  Vector prior_;
  std::vector<std::vector<tree::Tree>> stages_;
  Vector train_score_;
  Vector oob_improvement_;
  std::int64_t max_features_ = 0;
};

}  // namespace mlpersist::ensemble
