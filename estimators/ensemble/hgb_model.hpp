#pragma once

// The part of HistGradientBoostingClassifier and -Regressor that does not depend on the task:
// the boosting loop with early stopping, the raw predictions, and the persisted state.

#include <cstdint>
#include <mlpersist/estimator.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hgb_binning.hpp"
#include "hgb_loss.hpp"
#include "hgb_predictor.hpp"

namespace mlpersist::ensemble::hgb {

/// 'auto' (on when there are more than 10000 samples), on, or off.
enum class EarlyStopping : std::uint8_t { kAuto, kOn, kOff };

/// The parameters both estimators share, already validated. Made only from the estimators'
/// parameters (options_of), which hold scikit-learn's defaults: none are repeated here.
struct BoostingOptions {
  double learning_rate;
  std::int64_t max_iter;
  std::optional<std::int64_t> max_leaf_nodes;
  std::optional<std::int64_t> max_depth;
  std::int64_t min_samples_leaf;
  double l2_regularization;
  std::int64_t max_bins;
  std::vector<std::int64_t> categorical_features;  // column indices
  EarlyStopping early_stopping;
  std::optional<double> validation_fraction;
  std::int64_t n_iter_no_change;
  double tol;
  std::optional<std::int64_t> random_state;
};

class TreeGrower;

/// One side of the fit: binned rows, their targets and raw predictions (raw[k][i]).
struct FitData {
  BinnedData binned;
  std::vector<double> y;
  RawPredictions raw;
};

struct BoostingModel {
  BinMapper bin_mapper;
  std::vector<Bitset> known_cat_bitsets;  // per feature; empty bitset for numeric features
  std::vector<double> baseline_prediction;
  std::size_t n_trees_per_iteration = 1;
  std::vector<TreePredictor> predictors;  // n_iter_ x n_trees_per_iteration, iteration-major
  std::vector<double> train_score;
  std::vector<double> validation_score;
  bool do_early_stopping = false;

  [[nodiscard]] std::size_t n_iter() const { return predictors.size() / n_trees_per_iteration; }

  /// Fits on X and y (labels encoded 0..n_classes-1 for classifiers; `stratify` then).
  void fit(const MatrixView& X, std::span<const double> y, const Loss& loss,
           const BoostingOptions& options, bool stratify);
  /// Raw predictions: n_samples x n_trees_per_iteration.
  [[nodiscard]] Matrix raw_predict(const MatrixView& X) const;

  void save(Map& state) const;
  /// Reads and validates the state of a model over n_features columns; throws SchemaError
  /// naming the path.
  static BoostingModel load(const Node& state, std::int64_t n_features,
                            std::size_t n_trees_per_iteration);

 private:
  // The boosting loop on binned data (validation data only with early stopping).
  void boost(FitData& train, FitData* val, const Loss& loss, const BoostingOptions& options);
  void update_leaves(TreeGrower& grower, FitData& train, std::size_t k, const Loss& loss,
                     double learning_rate) const;
  void add_binned_predictions(const TreePredictor& tree, FitData& data, std::size_t k) const;
};

/// Known-category bitsets from the bin mapper's categories.
[[nodiscard]] std::vector<Bitset> known_categories_bitsets(const BinMapper& mapper);

}  // namespace mlpersist::ensemble::hgb
