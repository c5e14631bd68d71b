#include "boosting.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mlpersist/error.hpp>
#include <string>

#include "random.hpp"
#include "tree_common.hpp"
#include "validation_split.hpp"

namespace mlpersist::ensemble {
namespace {

using tree::Tree;

std::vector<std::int64_t> all_rows(Eigen::Index n) {
  std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<std::int64_t>(i);
  return rows;
}

// scikit-learn's _random_sample_mask: n uniform draws, sample i in the bag with probability
// (still to take) / (still to see), exactly n_in_bag in all.
std::vector<bool> sample_mask(std::int64_t n, std::int64_t n_in_bag, tree::NumpyRandomState& rng) {
  std::vector<double> draws(static_cast<std::size_t>(n));
  for (double& d : draws) d = rng.random_sample();
  std::vector<bool> mask(static_cast<std::size_t>(n));
  std::int64_t bagged = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (draws[static_cast<std::size_t>(i)] * static_cast<double>(n - i) <
        static_cast<double>(n_in_bag - bagged)) {
      mask[static_cast<std::size_t>(i)] = true;
      ++bagged;
    }
  }
  return mask;
}

std::vector<std::int64_t> rows_where(const std::vector<bool>& mask, bool wanted) {
  std::vector<std::int64_t> rows;
  for (std::size_t i = 0; i < mask.size(); ++i)
    if (mask[i] == wanted) rows.push_back(static_cast<std::int64_t>(i));
  return rows;
}

Matrix take_rows(const MatrixView& X, const std::vector<std::int64_t>& rows) {
  Matrix out(static_cast<Eigen::Index>(rows.size()), X.cols());
  for (std::size_t i = 0; i < rows.size(); ++i)
    out.row(static_cast<Eigen::Index>(i)) = X.row(rows[i]);
  return out;
}

Vector take(const Vector& v, const std::vector<std::int64_t>& rows) {
  Vector out(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) out(static_cast<Eigen::Index>(i)) = v(rows[i]);
  return out;
}

// Early stopping's rows, split as scikit-learn's train_test_split does: stratified on the class
// indices for a classifier, which must keep every class on the training side.
TrainValidation validation_split(const Vector& y, const BoostingOptions& o) {
  const std::uint32_t seed = tree::initial_seed(o.random_state);
  if (o.stratify_classes == 0) return shuffle_split(y.size(), o.validation_fraction, seed);
  TrainValidation split = stratified_split(std::span<const double>(y.data(), y.size()),
                                           o.stratify_classes, o.validation_fraction, seed);
  std::vector<bool> seen(o.stratify_classes);
  for (const std::int64_t row : split.train) seen[static_cast<std::size_t>(y(row))] = true;
  if (std::find(seen.begin(), seen.end(), false) != seen.end())
    throw UsageError(ErrorCode::kInvalidInput,
                     "GradientBoostingClassifier: the training data after the early stopping "
                     "split is missing some classes; try another random_state or a smaller "
                     "validation_fraction");
  return split;
}

// Early stopping's state: the validation rows' raw predictions, stage by stage, and the last
// n_iter_no_change validation losses.
struct Validation {
  tree::Float32Rows X;
  Vector y;
  Matrix raw;
  std::vector<double> history;

  // False when the stage just added improved on none of the last losses by more than tol.
  bool improved(const std::vector<Tree>& stage, const BoostingLoss& loss, double learning_rate,
                double tol, std::size_t i) {
    for (std::size_t k = 0; k < stage.size(); ++k)
      stage[k].accumulate_values(X, learning_rate, raw, static_cast<Eigen::Index>(k));
    const double v = loss.value(y, raw, all_rows(y.size()));
    bool any = false;
    for (const double h : history) any = any || v + tol < h;
    if (any) history[i % history.size()] = v;
    return any;
  }
};

}  // namespace

void Boosting::fit(const MatrixView& X_all, const Vector& y_all, BoostingLoss loss,
                   const BoostingOptions& o) {
  tree::check_sample_count(X_all);
  Matrix X = X_all;
  Vector y = y_all;
  std::optional<Validation> validation;
  if (o.n_iter_no_change) {
    const auto [train, test] = validation_split(y_all, o);
    X = take_rows(X_all, train);
    y = take(y_all, train);
    validation.emplace(
        Validation{tree::Float32Rows(take_rows(X_all, test)), take(y_all, test), {}, {}});
    validation->history.assign(static_cast<std::size_t>(*o.n_iter_no_change),
                               std::numeric_limits<double>::infinity());
  }
  const std::int64_t n = X.rows(), K = loss.trees_per_stage();
  prior_ = loss.fit_prior(y);
  const Vector init = loss.initial_raw(prior_);
  Matrix raw = init.transpose().replicate(n, 1);
  if (validation) validation->raw = init.transpose().replicate(validation->X.rows(), 1);
  tree::TrainingSet data(X, Vector::Zero(n));
  tree::NumpyRandomState rng(tree::initial_seed(o.random_state));
  const bool subsampled = o.subsample < 1.0;
  const std::int64_t n_in_bag =
      std::max<std::int64_t>(1, static_cast<std::int64_t>(o.subsample * static_cast<double>(n)));
  stages_.clear();
  std::vector<double> train_score, oob_improvement;
  for (std::int64_t i = 0; i < o.n_estimators; ++i) {
    std::vector<bool> in_bag;
    std::vector<double> weights;
    double old_oob = 0.0;
    if (subsampled) {
      in_bag = sample_mask(n, n_in_bag, rng);
      weights.assign(in_bag.begin(), in_bag.end());
      old_oob = loss.value(y, raw, rows_where(in_bag, false));
    }
    const Matrix stage_start = raw;
    std::vector<Tree> stage;
    for (std::int64_t k = 0; k < K; ++k) {
      const Vector residual = loss.negative_gradient(y, stage_start, k);
      data.set_targets(residual);
      stage.push_back(Tree::fit(data, weights, o.growth, tree::draw_seed(rng)));
      loss.update_terminal_regions(stage.back(), X, y, residual, raw, in_bag, o.learning_rate, k);
    }
    stages_.push_back(std::move(stage));
    if (subsampled) {
      train_score.push_back(loss.value(y, raw, rows_where(in_bag, true)));
      oob_improvement.push_back(old_oob - loss.value(y, raw, rows_where(in_bag, false)));
    } else {
      train_score.push_back(loss.value(y, raw, all_rows(n)));
    }
    if (validation && !validation->improved(stages_.back(), loss, o.learning_rate, o.tol,
                                            static_cast<std::size_t>(i)))
      break;
  }
  train_score_ = Eigen::Map<const Vector>(train_score.data(), std::ssize(train_score));
  oob_improvement_ = Eigen::Map<const Vector>(oob_improvement.data(), std::ssize(oob_improvement));
  max_features_ = o.growth.max_features;
}

Matrix Boosting::raw_predict(const MatrixView& X, const BoostingLoss& loss,
                             double learning_rate) const {
  Matrix raw = loss.initial_raw(prior_).transpose().replicate(X.rows(), 1);
  const tree::Float32Rows rows(X);
  // A block of rows through every stage (the rows stay in cache; shallow stages are small),
  // adding in stage order as scikit-learn's predict_stages does.
  constexpr Eigen::Index kBlock = Tree::kBlockRows;
  std::uint32_t leaves[kBlock];
  for (Eigen::Index first = 0; first < X.rows(); first += kBlock) {
    const Eigen::Index count = std::min(kBlock, X.rows() - first);
    for (const auto& stage : stages_)
      for (std::size_t k = 0; k < stage.size(); ++k) {
        stage[k].leaves(rows, first, count, leaves);
        for (Eigen::Index r = 0; r < count; ++r)
          raw(first + r, static_cast<Eigen::Index>(k)) +=
              learning_rate * stage[k].value(leaves[r])[0];
      }
  }
  return raw;
}

Vector Boosting::feature_importances(std::int64_t n_features) const {
  Vector sum = Vector::Zero(n_features);
  std::int64_t relevant = 0;
  for (const auto& stage : stages_)
    for (const Tree& t : stage)
      if (t.node_count() > 1) {
        sum += t.feature_importances(n_features, false);
        ++relevant;
      }
  if (relevant == 0) return sum;
  const Vector mean = sum / static_cast<double>(relevant);
  return mean / mean.sum();
}

void Boosting::save(Map& state, std::string_view prior_name) const {
  Map init;
  init.insert(std::string(prior_name), Tensor::from_vector(prior_));
  state.insert("init_", std::move(init));
  Array stages;
  for (const auto& stage : stages_) {
    Array trees;
    for (const Tree& t : stage) {
      Map m;
      t.save(m);
      trees.emplace_back(std::move(m));
    }
    stages.emplace_back(std::move(trees));
  }
  state.insert("estimators_", std::move(stages));
  state.insert("n_estimators_", static_cast<std::int64_t>(stages_.size()));
  state.insert("train_score_", Tensor::from_vector(train_score_));
  if (oob_improvement_.size() > 0)
    state.insert("oob_improvement_", Tensor::from_vector(oob_improvement_));
  state.insert("max_features_", max_features_);
}

void Boosting::load(const Node& state, std::int64_t n_features, std::int64_t trees_per_stage,
                    std::string_view prior_name, std::int64_t prior_size, bool probabilities) {
  const Node prior_node = state["init_"][prior_name];
  Vector prior =
      prior_node.as_shaped_tensor(DType::kFloat64, {static_cast<std::uint64_t>(prior_size)})
          .vector<double>();
  if (probabilities && ((prior.array() < 0).any() || (prior.array() > 1).any() ||
                        std::abs(prior.sum() - 1.0) > 1e-9))
    prior_node.fail("class priors must lie in [0, 1] and sum to 1");
  const Node n_node = state["n_estimators_"];
  const std::int64_t n_stages = n_node.as_int(1);
  const Node stages_node = state["estimators_"];
  if (static_cast<std::int64_t>(stages_node.as_array().size()) != n_stages)
    stages_node.fail("expected " + std::to_string(n_stages) + " stages (n_estimators_), found " +
                     std::to_string(stages_node.as_array().size()));
  std::vector<std::vector<Tree>> stages;
  for (std::int64_t i = 0; i < n_stages; ++i) {
    const Node stage = stages_node[static_cast<std::size_t>(i)];
    if (static_cast<std::int64_t>(stage.as_array().size()) != trees_per_stage)
      stage.fail("expected " + std::to_string(trees_per_stage) + " trees per stage");
    std::vector<Tree> trees;
    for (std::int64_t k = 0; k < trees_per_stage; ++k)
      trees.push_back(Tree::load_regression(stage[static_cast<std::size_t>(k)], n_features));
    stages.push_back(std::move(trees));
  }
  const auto n = static_cast<std::uint64_t>(n_stages);
  Vector train_score =
      state["train_score_"].as_shaped_tensor(DType::kFloat64, {n}).vector<double>();
  Vector oob;
  if (const auto node = state.find("oob_improvement_"))
    oob = node->as_shaped_tensor(DType::kFloat64, {n}).vector<double>();
  max_features_ = state["max_features_"].as_int(1, n_features);
  prior_ = std::move(prior);
  stages_ = std::move(stages);
  train_score_ = std::move(train_score);
  oob_improvement_ = std::move(oob);
}

}  // namespace mlpersist::ensemble
