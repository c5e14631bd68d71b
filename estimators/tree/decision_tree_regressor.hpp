#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <optional>
#include <string>

#include "tree.hpp"
#include "tree_common.hpp"

namespace mlpersist::tree {

/// scikit-learn 1.2's DecisionTreeRegressor parameters that this implementation supports, with
/// its defaults (no weight fractions, leaf-count limits or pruning).
struct DecisionTreeRegressorParams {
  static constexpr bool kRegression = true;
  std::string criterion = "squared_error";
  std::string splitter = "best";
  std::optional<std::int64_t> max_depth;
  std::int64_t min_samples_split = 2;
  std::int64_t min_samples_leaf = 1;
  MaxFeatures max_features;
  std::optional<std::int64_t> random_state;
  static constexpr std::array<std::string_view, 7> kNames{
      "criterion",        "splitter",     "max_depth",   "min_samples_split",
      "min_samples_leaf", "max_features", "random_state"};
};

/// A CART regression tree grown like scikit-learn's (criteria squared_error and friedman_mse,
/// best or random splits, depth first): with the same random_state it grows the same tree,
/// node arrays equal to the last bit.
class DecisionTreeRegressor
    : public EstimatorWithParams<DecisionTreeRegressor, DecisionTreeRegressorParams> {
 public:
  static constexpr std::string_view kTypeTag = "tree.DecisionTreeRegressor";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  /// Throws UsageError(kInvalidParameter) naming the bad parameter.
  void validate_params(const DecisionTreeRegressorParams& p) const;
  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kRegressor; }
  [[nodiscard]] bool supports(Method m) const override { return m == Method::kPredict; }
  [[nodiscard]] double fit_cost(double n_samples, double n_features) const override;
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  /// Validates the whole tree (see Tree's invariant); throws SchemaError naming the array.
  void load_state(const Node& state, LoadContext& ctx) override;

  /// The fitted tree (scikit-learn's `tree_`).
  [[nodiscard]] const Tree& tree() const noexcept { return tree_; }
  /// Features examined per split (scikit-learn's `max_features_`).
  [[nodiscard]] std::int64_t max_features() const noexcept { return max_features_; }
  /// scikit-learn's `feature_importances_` (computed from the tree, not stored).
  [[nodiscard]] Vector feature_importances() const;

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override;
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override;

 private:
  std::int64_t max_features_ = 0;
  Tree tree_;
};

/// Each row's leaf value: a regression tree's prediction.
[[nodiscard]] Vector predict_values(const Tree& tree, const MatrixView& X);

}  // namespace mlpersist::tree
