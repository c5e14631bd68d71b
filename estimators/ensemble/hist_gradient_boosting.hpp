#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hgb_model.hpp"

namespace mlpersist::ensemble {

namespace hgb {

/// `categorical_features`: None, column indices, or a boolean mask (kept as indices).
struct CategoricalFeatures {
  std::vector<std::int64_t> indices;
  bool operator==(const CategoricalFeatures&) const = default;
};
Value param_to_value(const CategoricalFeatures& c);
void param_from_node(const Node& n, CategoricalFeatures& out);

/// `early_stopping`: 'auto' or a boolean.
struct EarlyStoppingParam {
  EarlyStopping mode = EarlyStopping::kAuto;
};
Value param_to_value(const EarlyStoppingParam& e);
void param_from_node(const Node& n, EarlyStoppingParam& out);

/// scikit-learn 1.2's parameters of both estimators that this implementation supports, with
/// their defaults (the loss default differs). monotonic_cst, interaction_cst, warm_start and
/// class_weight are not supported and keep scikit-learn's defaults.
template <bool kClassifier>
struct HistGradientBoostingParams {
  std::string loss = kClassifier ? "log_loss" : "squared_error";
  double learning_rate = 0.1;
  std::int64_t max_iter = 100;
  std::optional<std::int64_t> max_leaf_nodes = 31;
  std::optional<std::int64_t> max_depth;
  std::int64_t min_samples_leaf = 20;
  double l2_regularization = 0.0;
  std::int64_t max_bins = 255;
  CategoricalFeatures categorical_features;
  EarlyStoppingParam early_stopping;
  std::string scoring = "loss";
  std::optional<double> validation_fraction = 0.1;
  std::int64_t n_iter_no_change = 10;
  double tol = 1e-7;
  std::optional<std::int64_t> random_state;
  static constexpr std::array<std::string_view, 15> kNames{"loss",
                                                           "learning_rate",
                                                           "max_iter",
                                                           "max_leaf_nodes",
                                                           "max_depth",
                                                           "min_samples_leaf",
                                                           "l2_regularization",
                                                           "max_bins",
                                                           "categorical_features",
                                                           "early_stopping",
                                                           "scoring",
                                                           "validation_fraction",
                                                           "n_iter_no_change",
                                                           "tol",
                                                           "random_state"};
};

}  // namespace hgb

using HistGradientBoostingClassifierParams = hgb::HistGradientBoostingParams<true>;
using HistGradientBoostingRegressorParams = hgb::HistGradientBoostingParams<false>;

/// What both estimators share: scikit-learn's parameters, NaN as a missing value, the fitted
/// boosting model, and the schema version of its state.
template <class Derived, bool kClassifier>
class HistGradientBoostingBase
    : public EstimatorWithParams<Derived, hgb::HistGradientBoostingParams<kClassifier>> {
  using Base = EstimatorWithParams<Derived, hgb::HistGradientBoostingParams<kClassifier>>;

 public:
  static constexpr std::uint32_t kSchemaVersion = 1;
  HistGradientBoostingBase() = default;
  explicit HistGradientBoostingBase(hgb::HistGradientBoostingParams<kClassifier> params)
      : Base(std::move(params)) {}

  [[nodiscard]] bool accepts_missing() const noexcept override { return true; }
  /// Each tree builds histograms over every sample and feature a few times (once per level);
  /// a classifier grows up to one tree per class and iteration (the class count is unknown
  /// before fit: ten are assumed).
  [[nodiscard]] double fit_cost(double n_samples, double n_features) const override {
    return static_cast<double>(this->params_.max_iter) * (kClassifier ? 10 : 1) * n_samples *
           n_features * 8;
  }
  [[nodiscard]] const hgb::BoostingModel& model() const noexcept { return model_; }

 protected:
  hgb::BoostingModel model_;
};

/// Gradient boosting on binned features, as scikit-learn 1.2's HistGradientBoostingRegressor:
/// the same bins, the same float32 gradients and the same trees; NaN is a missing value.
class HistGradientBoostingRegressor
    : public HistGradientBoostingBase<HistGradientBoostingRegressor, false> {
 public:
  static constexpr std::string_view kTypeTag = "ensemble.HistGradientBoostingRegressor";
  using HistGradientBoostingBase::HistGradientBoostingBase;

  /// Throws UsageError(kInvalidParameter) naming the bad parameter.
  void validate_params(const HistGradientBoostingRegressorParams& p) const;
  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kRegressor; }
  [[nodiscard]] bool supports(Method m) const override { return m == Method::kPredict; }
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  /// Validates bins and every tree; throws SchemaError naming the path
  /// (`state._predictors[3][0].left`).
  void load_state(const Node& state, LoadContext& ctx) override;

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override;
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override;
};

/// scikit-learn 1.2's HistGradientBoostingClassifier (log_loss: one tree per iteration for two
/// classes, one per class otherwise).
class HistGradientBoostingClassifier
    : public HistGradientBoostingBase<HistGradientBoostingClassifier, true> {
 public:
  static constexpr std::string_view kTypeTag = "ensemble.HistGradientBoostingClassifier";
  using HistGradientBoostingBase::HistGradientBoostingBase;

  void validate_params(const HistGradientBoostingClassifierParams& p) const;
  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kClassifier; }
  [[nodiscard]] bool supports(Method m) const override;
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  void load_state(const Node& state, LoadContext& ctx) override;
  [[nodiscard]] const std::vector<double>& classes() const noexcept { return classes_; }

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override;
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override;
  [[nodiscard]] Matrix do_decision_function(const MatrixView& X) const override;
  [[nodiscard]] Matrix do_predict_proba(const MatrixView& X) const override;

 private:
  std::vector<double> classes_;
};

}  // namespace mlpersist::ensemble
