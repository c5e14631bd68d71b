#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tree.hpp"
#include "tree_common.hpp"

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
    : public EstimatorWithParams<RandomForestClassifier, RandomForestClassifierParams> {
 public:
  static constexpr std::string_view kTypeTag = "ensemble.RandomForestClassifier";
  /// 2: each tree's `value` holds class fractions, no longer counts (tree_migrations.hpp).
  static constexpr std::uint32_t kSchemaVersion = 2;
  // A schema 1 reader would take the fractions for counts: breaking.
  static constexpr std::uint32_t kMinReaderVersion = 2;
  using EstimatorWithParams::EstimatorWithParams;

  /// Throws UsageError(kInvalidParameter) naming the bad parameter.
  void validate_params(const RandomForestClassifierParams& p) const;
  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kClassifier; }
  [[nodiscard]] bool supports(Method m) const override;
  [[nodiscard]] double fit_cost(double n_samples, double n_features) const override;
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  /// Validates every tree completely; throws SchemaError naming the path
  /// (`state.estimators_[3].children_left`).
  void load_state(const Node& state, LoadContext& ctx) override;

  /// The fitted trees (scikit-learn's `estimators_[i].tree_`).
  [[nodiscard]] const std::vector<tree::Tree>& trees() const noexcept { return trees_; }
  [[nodiscard]] const std::vector<double>& classes() const noexcept { return classes_; }
  /// scikit-learn's `feature_importances_` (computed from the trees, not stored).
  [[nodiscard]] Vector feature_importances() const;

 protected:
  void do_fit(const Matrix& X, const Vector& y) override;
  [[nodiscard]] Vector do_predict(const Matrix& X) const override;
  [[nodiscard]] Matrix do_predict_proba(const Matrix& X) const override;

 private:
  std::vector<double> classes_;
  std::vector<tree::Tree> trees_;
};

}  // namespace mlpersist::ensemble
