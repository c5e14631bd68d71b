// The persisted state of a boosting model, under scikit-learn's attribute names, and the checks
// that make a hostile document fail at load with its path rather than misbehave in predict.

#include <algorithm>
#include <cmath>
#include <string>

#include "hgb_model.hpp"

namespace mlpersist::ensemble::hgb {
namespace {

Tensor doubles(const std::vector<double>& v) {
  return Tensor::from_values(std::span<const double>(v));
}

std::vector<double> read_doubles(const Node& n, bool finite) {
  const auto v = n.as_tensor(DType::kFloat64, 1, finite).values<double>();
  return {v.begin(), v.end()};
}

// Thresholds in order (a binary search relies on it); categories integers in
// [0, max_bins), which also bounds the bitsets built from them.
std::vector<double> read_thresholds(const Node& n, bool categorical, std::uint32_t max_bins) {
  std::vector<double> t = read_doubles(n, true);
  const std::size_t most = categorical ? max_bins : max_bins - 1;
  if (t.size() > most)
    n.fail("expected at most " + std::to_string(most) + " thresholds for max_bins " +
           std::to_string(max_bins) + ", found " + std::to_string(t.size()));
  for (std::size_t i = 0; i < t.size(); ++i) {
    // Percentile thresholds repeat where the data has ties; categories are distinct.
    if (i > 0 && (categorical ? !(t[i - 1] < t[i]) : !(t[i - 1] <= t[i])))
      n.fail("thresholds out of order at entry " + std::to_string(i));
    if (categorical && (t[i] < 0 || t[i] >= max_bins || t[i] != std::floor(t[i])))
      n.fail("categories must be integers in [0, " + std::to_string(max_bins) + ")");
  }
  return t;
}

BinMapper load_bin_mapper(const Node& state, std::int64_t n_features) {
  BinMapper m;
  m.missing_values_bin_idx =
      static_cast<std::uint32_t>(state["missing_values_bin_idx_"].as_int(2, 255));
  const Node flags = state["is_categorical_"];
  const auto is_cat =
      flags.as_shaped_tensor(DType::kUInt8, {static_cast<std::uint64_t>(n_features)})
          .values<std::uint8_t>();
  for (const std::uint8_t b : is_cat)
    if (b > 1) flags.fail("flags must be 0 or 1");
  m.is_categorical.assign(is_cat.begin(), is_cat.end());
  const Node thresholds = state["bin_thresholds_"];
  if (std::cmp_not_equal(thresholds.size(), n_features))
    thresholds.fail("expected one entry per feature (" + std::to_string(n_features) + "), found " +
                    std::to_string(thresholds.size()));
  for (std::size_t f = 0; f < static_cast<std::size_t>(n_features); ++f)
    m.thresholds.push_back(
        read_thresholds(thresholds[f], m.is_categorical[f] != 0, m.missing_values_bin_idx));
  return m;
}

}  // namespace

void BoostingModel::save(Map& m) const {
  Array thresholds;
  for (const auto& t : bin_mapper.thresholds) thresholds.emplace_back(doubles(t));
  m.insert("bin_thresholds_", std::move(thresholds));
  m.insert("is_categorical_",
           Tensor::from_values(std::span<const std::uint8_t>(bin_mapper.is_categorical)));
  m.insert("missing_values_bin_idx_", static_cast<std::int64_t>(bin_mapper.missing_values_bin_idx));
  m.insert("_baseline_prediction", doubles(baseline_prediction));
  m.insert("n_trees_per_iteration_", static_cast<std::int64_t>(n_trees_per_iteration));
  m.insert("n_iter_", static_cast<std::int64_t>(n_iter()));
  m.insert("do_early_stopping_", do_early_stopping);
  m.insert("train_score_", doubles(train_score));
  m.insert("validation_score_", doubles(validation_score));
  Array iterations;
  for (std::size_t it = 0; it < n_iter(); ++it) {
    Array trees;
    for (std::size_t k = 0; k < n_trees_per_iteration; ++k) {
      Map tree;
      predictors[it * n_trees_per_iteration + k].save(tree);
      trees.emplace_back(std::move(tree));
    }
    iterations.emplace_back(std::move(trees));
  }
  m.insert("_predictors", std::move(iterations));
}

BoostingModel BoostingModel::load(const Node& state, std::int64_t n_features,
                                  std::size_t n_trees_per_iteration) {
  BoostingModel m;
  m.bin_mapper = load_bin_mapper(state, n_features);
  m.known_cat_bitsets = known_categories_bitsets(m.bin_mapper);
  const Node k_node = state["n_trees_per_iteration_"];
  if (std::cmp_not_equal(k_node.as_int(), n_trees_per_iteration))
    k_node.fail("expected " + std::to_string(n_trees_per_iteration) + " (from classes_)");
  m.n_trees_per_iteration = n_trees_per_iteration;
  const auto base = state["_baseline_prediction"]
                        .as_shaped_tensor(DType::kFloat64, {n_trees_per_iteration})
                        .values<double>();
  m.baseline_prediction.assign(base.begin(), base.end());
  m.do_early_stopping = state["do_early_stopping_"].as_bool();
  m.train_score = read_doubles(state["train_score_"], false);
  m.validation_score = read_doubles(state["validation_score_"], false);
  const Node iterations = state["_predictors"];
  const std::int64_t n_iter = state["n_iter_"].as_int(0, INT64_MAX);
  if (std::cmp_not_equal(iterations.size(), n_iter))
    iterations.fail("expected n_iter_ = " + std::to_string(n_iter) + " iterations, found " +
                    std::to_string(iterations.size()));
  const TreeLimits limits{n_features, m.bin_mapper.missing_values_bin_idx,
                          &m.bin_mapper.is_categorical};
  // The largest raw prediction any row can reach must be finite: a sum of finite leaves that
  // overflows would give inf - inf = NaN probabilities.
  std::vector<double> bound(n_trees_per_iteration);
  for (std::size_t k = 0; k < n_trees_per_iteration; ++k)
    bound[k] = std::abs(m.baseline_prediction[k]);
  for (std::size_t it = 0; it < iterations.size(); ++it) {
    const Node trees = iterations[it];
    if (trees.size() != n_trees_per_iteration)
      trees.fail("expected " + std::to_string(n_trees_per_iteration) + " trees per iteration");
    for (std::size_t k = 0; k < n_trees_per_iteration; ++k) {
      m.predictors.push_back(TreePredictor::load(trees[k], limits));
      double largest = 0;
      for (const PredictorNode& node : m.predictors.back().nodes)
        if (node.is_leaf) largest = std::max(largest, std::abs(node.value));
      bound[k] += largest;
      if (!std::isfinite(bound[k]))
        trees[k]["value"].fail("leaf values whose sum over the trees overflows a double");
    }
  }
  return m;
}

}  // namespace mlpersist::ensemble::hgb
