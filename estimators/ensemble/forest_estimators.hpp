#pragma once

// The forest estimators as templates over their params struct P and the Derived class, which
// names the type (kTypeTag, kName, schema versions) and the splitter (kRandomSplits: ExtraTrees).
// RandomForestClassifier, ExtraTreesClassifier, RandomForestRegressor and ExtraTreesRegressor
// differ only in those and in their defaults.

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "forest.hpp"
#include "tree.hpp"
#include "tree_common.hpp"

namespace mlpersist::ensemble {

/// scikit-learn 1.2's forest parameters that this implementation supports, with the defaults of
/// RandomForest* (bootstrap) and ExtraTrees* (no bootstrap), classifiers (gini, sqrt features)
/// and regressors (squared_error, every feature). n_jobs only changes the speed of fit.
template <bool Regression, bool Bootstrap>
struct ForestParams {
  static constexpr bool kRegression = Regression;
  std::int64_t n_estimators = 100;
  std::string criterion = Regression ? "squared_error" : "gini";
  std::optional<std::int64_t> max_depth;
  std::int64_t min_samples_split = 2;
  std::int64_t min_samples_leaf = 1;
  tree::MaxFeatures max_features =
      Regression ? tree::MaxFeatures{1.0} : tree::MaxFeatures{std::string("sqrt")};
  bool bootstrap = Bootstrap;
  std::optional<std::int64_t> n_jobs;
  std::optional<std::int64_t> random_state;
  static constexpr std::array<std::string_view, 9> kNames{
      "n_estimators", "criterion", "max_depth", "min_samples_split", "min_samples_leaf",
      "max_features", "bootstrap", "n_jobs",    "random_state"};
};

/// P's parameters as a forest's growth, resolved against the training data's width.
template <class P>
ForestGrowth forest_growth(std::string_view who, const P& p, std::int64_t n_features,
                           bool random_splits) {
  ForestGrowth g;
  g.options = tree::growth_options(who, p, n_features);
  g.options.random_splits = random_splits;
  g.n_estimators = p.n_estimators;
  g.bootstrap = p.bootstrap;
  g.n_jobs = p.n_jobs;
  g.random_state = p.random_state;
  return g;
}

/// What every forest estimator does the same way: parameters, members, importances, cost.
template <class Derived, class P>
class Forest : public EstimatorWithParams<Derived, P> {
 public:
  using EstimatorWithParams<Derived, P>::EstimatorWithParams;

  /// Throws UsageError(kInvalidParameter) naming the bad parameter.
  void validate_params(const P& p) const {
    tree::validate_growth_params(Derived::kName, p);
    check_forest_params(Derived::kName, p.n_estimators, p.n_jobs);
  }
  [[nodiscard]] double fit_cost(double n_samples, double n_features) const override {
    return forest_fit_cost(this->params_.n_estimators, this->params_.criterion, n_samples,
                           n_features);
  }
  /// The fitted trees (scikit-learn's `estimators_[i].tree_`).
  [[nodiscard]] const std::vector<tree::Tree>& trees() const noexcept { return trees_; }
  /// scikit-learn's `feature_importances_` (computed from the trees, not stored).
  [[nodiscard]] Vector feature_importances() const {
    return forest_importances(trees_, this->n_features_in());
  }

 protected:
  [[nodiscard]] std::vector<tree::Tree> grow(const tree::TrainingSet& data) {
    validate_params(this->params_);  // parameters given to the constructor were never checked
    return grow_forest(data, forest_growth(Derived::kName, this->params_, data.n_features(),
                                           Derived::kRandomSplits));
  }

  std::vector<tree::Tree> trees_;
};

/// A forest of classification trees: probabilities are the members' mean class fractions.
template <class Derived, class P>
class ForestClassifier : public Forest<Derived, P> {
 public:
  using Forest<Derived, P>::Forest;

  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kClassifier; }
  [[nodiscard]] bool supports(Method m) const override {
    return m == Method::kPredict || m == Method::kPredictProba;
  }
  [[nodiscard]] Value save_state(SaveContext&) const override {
    Map m;
    tree::save_classes(m, classes_);
    m.insert("estimators_", save_trees(this->trees_));
    return m;
  }
  /// Validates every tree completely; throws SchemaError naming the path
  /// (`state.estimators_[3].children_left`).
  void load_state(const Node& state, LoadContext&) override {
    std::vector<double> classes = tree::load_classes(state);
    this->trees_ = load_trees(state["estimators_"], this->n_features_in(),
                              static_cast<std::int64_t>(classes.size()));
    classes_ = std::move(classes);
  }
  [[nodiscard]] const std::vector<double>& classes() const noexcept { return classes_; }

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override {
    std::vector<double> classes;
    const tree::TrainingSet data = tree::encode_training_set(X, y, classes);
    this->trees_ = this->grow(data);
    classes_ = std::move(classes);
  }
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override {
    return common::labels_of_row_max(do_predict_proba(X), classes_);
  }
  [[nodiscard]] Matrix do_predict_proba(const MatrixView& X) const override {
    return mean_proba(this->trees_, X, static_cast<std::int64_t>(classes_.size()));
  }

 private:
  std::vector<double> classes_;
};

/// A forest of regression trees: the prediction is the members' mean.
template <class Derived, class P>
class ForestRegressor : public Forest<Derived, P> {
 public:
  using Forest<Derived, P>::Forest;

  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kRegressor; }
  [[nodiscard]] bool supports(Method m) const override { return m == Method::kPredict; }
  [[nodiscard]] Value save_state(SaveContext&) const override {
    Map m;
    m.insert("estimators_", save_trees(this->trees_));
    return m;
  }
  /// Validates every tree completely; throws SchemaError naming the path.
  void load_state(const Node& state, LoadContext&) override {
    this->trees_ = load_trees(state["estimators_"], this->n_features_in(), 0);
  }

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override {
    this->trees_ =
        this->grow(tree::regression_training_set(Derived::kName, X, y, this->params_.criterion));
  }
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override {
    return mean_prediction(this->trees_, X);
  }
};

}  // namespace mlpersist::ensemble
