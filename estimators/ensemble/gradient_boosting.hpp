#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <optional>
#include <string>
#include <vector>

#include "boosting.hpp"
#include "tree_common.hpp"

namespace mlpersist::ensemble {

/// scikit-learn 1.2's GradientBoostingRegressor parameters that this implementation supports,
/// with its defaults (init: the loss's DummyRegressor; no weight fractions, leaf-count limits,
/// impurity decrease or pruning; warm_start does not apply to persisted models).
struct GradientBoostingRegressorParams {
  static constexpr bool kBoosting = true;  // regression trees, mean criteria only
  std::string loss = "squared_error";
  double learning_rate = 0.1;
  std::int64_t n_estimators = 100;
  double subsample = 1.0;
  std::string criterion = "friedman_mse";
  std::int64_t min_samples_split = 2;
  std::int64_t min_samples_leaf = 1;
  std::optional<std::int64_t> max_depth = 3;
  std::optional<std::int64_t> random_state;
  tree::MaxFeatures max_features;
  double alpha = 0.9;
  double validation_fraction = 0.1;
  std::optional<std::int64_t> n_iter_no_change;
  double tol = 1e-4;
  static constexpr std::array<std::string_view, 14> kNames{"loss",
                                                           "learning_rate",
                                                           "n_estimators",
                                                           "subsample",
                                                           "criterion",
                                                           "min_samples_split",
                                                           "min_samples_leaf",
                                                           "max_depth",
                                                           "random_state",
                                                           "max_features",
                                                           "alpha",
                                                           "validation_fraction",
                                                           "n_iter_no_change",
                                                           "tol"};
};

/// scikit-learn 1.2's GradientBoostingClassifier parameters (as the regressor's, without alpha).
struct GradientBoostingClassifierParams {
  static constexpr bool kBoosting = true;  // regression trees, mean criteria only
  std::string loss = "log_loss";
  double learning_rate = 0.1;
  std::int64_t n_estimators = 100;
  double subsample = 1.0;
  std::string criterion = "friedman_mse";
  std::int64_t min_samples_split = 2;
  std::int64_t min_samples_leaf = 1;
  std::optional<std::int64_t> max_depth = 3;
  std::optional<std::int64_t> random_state;
  tree::MaxFeatures max_features;
  double validation_fraction = 0.1;
  std::optional<std::int64_t> n_iter_no_change;
  double tol = 1e-4;
  static constexpr std::array<std::string_view, 13> kNames{
      "loss",         "learning_rate",     "n_estimators",        "subsample",
      "criterion",    "min_samples_split", "min_samples_leaf",    "max_depth",
      "random_state", "max_features",      "validation_fraction", "n_iter_no_change",
      "tol"};
};

/// Gradient boosting of regression trees as scikit-learn 1.2 fits it: the loss's prior, then
/// each stage a friedman_mse tree on the negative gradient whose leaves the loss re-estimates;
/// subsampling and early stopping draw scikit-learn's random numbers.
class GradientBoostingRegressor
    : public EstimatorWithParams<GradientBoostingRegressor, GradientBoostingRegressorParams> {
 public:
  static constexpr std::string_view kTypeTag = "ensemble.GradientBoostingRegressor";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  /// Throws UsageError(kInvalidParameter) naming the bad parameter (a NaN or negative
  /// learning_rate among them).
  void validate_params(const GradientBoostingRegressorParams& p) const;
  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kRegressor; }
  [[nodiscard]] bool supports(Method m) const override { return m == Method::kPredict; }
  [[nodiscard]] double fit_cost(double n_samples, double n_features) const override;
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  /// Validates every stage's tree; throws SchemaError naming the path.
  void load_state(const Node& state, LoadContext& ctx) override;

  [[nodiscard]] const Boosting& boosting() const noexcept { return boosting_; }

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override;
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override;

 private:
  Boosting boosting_;
};

/// Gradient boosting for classification: binomial or multinomial log_loss, or exponential
/// (AdaBoost's) loss; predict_proba and decision_function as scikit-learn's.
class GradientBoostingClassifier
    : public EstimatorWithParams<GradientBoostingClassifier, GradientBoostingClassifierParams> {
 public:
  static constexpr std::string_view kTypeTag = "ensemble.GradientBoostingClassifier";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  /// Throws UsageError(kInvalidParameter) naming the bad parameter.
  void validate_params(const GradientBoostingClassifierParams& p) const;
  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kClassifier; }
  [[nodiscard]] bool supports(Method m) const override;
  [[nodiscard]] double fit_cost(double n_samples, double n_features) const override;
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  /// Validates classes, priors and every stage's tree; throws SchemaError naming the path.
  void load_state(const Node& state, LoadContext& ctx) override;

  [[nodiscard]] const Boosting& boosting() const noexcept { return boosting_; }
  [[nodiscard]] const std::vector<double>& classes() const noexcept { return classes_; }

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override;
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override;
  [[nodiscard]] Matrix do_predict_proba(const MatrixView& X) const override;
  [[nodiscard]] Matrix do_decision_function(const MatrixView& X) const override;

 private:
  [[nodiscard]] BoostingLoss loss() const;

  std::vector<double> classes_;
  Boosting boosting_;
};

}  // namespace mlpersist::ensemble
