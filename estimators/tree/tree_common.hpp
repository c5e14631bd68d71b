#pragma once

// What DecisionTreeClassifier and RandomForestClassifier share: the growth parameters and their
// checks, class labels, and seeding.

#include <cstdint>
#include <mlpersist/params.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/classes.hpp"  // classes_ for every tree classifier
#include "tree.hpp"

namespace mlpersist::tree {

/// max_features: None (every feature), a count >= 1, a fraction in (0, 1], 'sqrt' or 'log2'.
struct MaxFeatures {
  std::variant<std::monostate, std::int64_t, double, std::string> value;
  friend bool operator==(const MaxFeatures&, const MaxFeatures&) = default;
};
Value param_to_value(const MaxFeatures& m);
/// Throws SchemaError (reported as UsageError by set_params) for any other value.
void param_from_node(const Node& n, MaxFeatures& out);

/// The criteria an estimator's trees may use, as scikit-learn 1.2 lists them.
enum class CriterionChoice : std::uint8_t {
  kClassification,  ///< 'gini', 'entropy', 'log_loss'
  kRegression,      ///< 'squared_error', 'friedman_mse', 'absolute_error', 'poisson'
  kBoosting,        ///< gradient boosting's 'friedman_mse', 'squared_error'
};

/// Throws UsageError(kInvalidParameter) unless `name` is one of `choice`'s criteria.
[[nodiscard]] Criterion parse_criterion(std::string_view who, const std::string& name,
                                        CriterionChoice choice = CriterionChoice::kClassification);
/// Throws UsageError(kInvalidParameter) unless `name` is 'best' or 'random'; true for 'random'.
[[nodiscard]] bool parse_splitter(std::string_view who, const std::string& name);

/// The criteria of params struct P: regression trees say so with kRegression, gradient
/// boosting's with kBoosting.
template <class P>
consteval CriterionChoice criterion_choice() {
  if constexpr (requires { requires P::kBoosting; })
    return CriterionChoice::kBoosting;
  else if constexpr (requires { requires P::kRegression; })
    return CriterionChoice::kRegression;
  else
    return CriterionChoice::kClassification;
}

/// Throws UsageError(kInvalidParameter) for max_depth < 1, min_samples_split < 2,
/// min_samples_leaf < 1, or a random_state outside NumPy's [0, 2^32).
void check_growth_limits(std::string_view who, const std::optional<std::int64_t>& max_depth,
                         std::int64_t min_samples_split, std::int64_t min_samples_leaf,
                         const std::optional<std::int64_t>& random_state);
/// Features examined per split for `n_features` columns, as scikit-learn resolves
/// max_features. Throws UsageError(kInvalidParameter) when a count exceeds n_features.
[[nodiscard]] std::int64_t resolve_max_features(std::string_view who, const MaxFeatures& m,
                                                std::int64_t n_features);

/// Checks the growth parameters every tree estimator's params struct P has.
template <class P>
void validate_growth_params(std::string_view who, const P& p) {
  (void)parse_criterion(who, p.criterion, criterion_choice<P>());
  check_growth_limits(who, p.max_depth, p.min_samples_split, p.min_samples_leaf, p.random_state);
}

/// P's growth parameters resolved against the training data's width.
template <class P>
GrowthOptions growth_options(std::string_view who, const P& p, std::int64_t n_features) {
  GrowthOptions o;
  o.criterion = parse_criterion(who, p.criterion, criterion_choice<P>());
  if (p.max_depth) o.max_depth = *p.max_depth;
  o.min_samples_split = p.min_samples_split;
  o.min_samples_leaf = p.min_samples_leaf;
  o.max_features = resolve_max_features(who, p.max_features, n_features);
  return o;
}

/// A tree's fit cost (Estimator::fit_cost): every level sorts and scans each feature; with
/// absolute_error each candidate split also walks its node (scikit-learn's MAE is quadratic).
[[nodiscard]] double tree_fit_cost(const std::string& criterion, double n_samples,
                                   double n_features);

/// Throws UsageError(kInvalidInput) when X has more rows than a tree's sample indices hold.
void check_sample_count(const MatrixView& X);

/// The splitter data for regression targets y. Throws UsageError(kInvalidInput) as
/// check_sample_count does, and for criterion 'poisson' when y has a negative value or sums to
/// zero (as scikit-learn refuses them).
[[nodiscard]] TrainingSet regression_training_set(std::string_view who, const MatrixView& X,
                                                  const Vector& y, const std::string& criterion);

/// The splitter data for (X, y): y's distinct values in increasing order go to `classes`.
[[nodiscard]] TrainingSet encode_training_set(const MatrixView& X, const Vector& y,
                                              std::vector<double>& classes);

/// NumPy's RandomState seed: random_state, or fresh entropy when it is None.
[[nodiscard]] std::uint32_t initial_seed(const std::optional<std::int64_t>& random_state);

/// Saves classes_ and n_classes_.
void save_classes(Map& state, const std::vector<double>& classes);
/// Reads classes_ (common::read_classes, at least `min_count`) and n_classes_ (their number);
/// throws SchemaError.
[[nodiscard]] std::vector<double> load_classes(const Node& state, std::size_t min_count = 1);

}  // namespace mlpersist::tree
