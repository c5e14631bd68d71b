#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tree.hpp"
#include "tree_common.hpp"

namespace mlpersist::tree {

/// scikit-learn 1.2's DecisionTreeClassifier parameters that this implementation supports, with
/// its defaults (splitter='best', no weight fractions, leaf-count limits or pruning).
struct DecisionTreeClassifierParams {
  std::string criterion = "gini";
  std::optional<std::int64_t> max_depth;
  std::int64_t min_samples_split = 2;
  std::int64_t min_samples_leaf = 1;
  MaxFeatures max_features;
  std::optional<std::int64_t> random_state;
  static constexpr std::array<std::string_view, 6> kNames{"criterion",         "max_depth",
                                                          "min_samples_split", "min_samples_leaf",
                                                          "max_features",      "random_state"};
};

/// A CART classification tree grown like scikit-learn's (best splits, depth first): with the
/// same random_state it grows the same tree.
class DecisionTreeClassifier
    : public EstimatorWithParams<DecisionTreeClassifier, DecisionTreeClassifierParams> {
 public:
  static constexpr std::string_view kTypeTag = "tree.DecisionTreeClassifier";
  /// 2: `value` holds class fractions, no longer counts (tree_migrations.hpp).
  static constexpr std::uint32_t kSchemaVersion = 2;
  // A schema 1 reader would take the fractions for counts: breaking.
  static constexpr std::uint32_t kMinReaderVersion = 2;
  using EstimatorWithParams::EstimatorWithParams;

  /// Throws UsageError(kInvalidParameter) naming the bad parameter.
  void validate_params(const DecisionTreeClassifierParams& p) const;
  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kClassifier; }
  [[nodiscard]] bool supports(Method m) const override;
  [[nodiscard]] double fit_cost(double n_samples, double n_features) const override;
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  /// Validates the whole tree (see Tree's invariant); throws SchemaError naming the array.
  void load_state(const Node& state, LoadContext& ctx) override;

  /// The fitted tree (scikit-learn's `tree_`).
  [[nodiscard]] const Tree& tree() const noexcept { return tree_; }
  [[nodiscard]] const std::vector<double>& classes() const noexcept { return classes_; }
  /// Features examined per split (scikit-learn's `max_features_`).
  [[nodiscard]] std::int64_t max_features() const noexcept { return max_features_; }
  /// scikit-learn's `feature_importances_` (computed from the tree, not stored).
  [[nodiscard]] Vector feature_importances() const;

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override;
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override;
  [[nodiscard]] Matrix do_predict_proba(const MatrixView& X) const override;

 private:
  std::vector<double> classes_;
  std::int64_t max_features_ = 0;
  Tree tree_;
};

}  // namespace mlpersist::tree
