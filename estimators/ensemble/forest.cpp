#include "forest.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mlpersist/error.hpp>
#include <mlpersist/progress.hpp>
#include <mutex>
#include <string>
#include <thread>

#include "random.hpp"
#include "tree_common.hpp"

namespace mlpersist::ensemble {
namespace {

using tree::Tree;

// joblib's reading of n_jobs: None is one worker, -1 every core, -2 all but one, ...
std::size_t worker_count(const std::optional<std::int64_t>& n_jobs, std::size_t n_trees) {
  const auto cores = static_cast<std::int64_t>(std::max(1U, std::thread::hardware_concurrency()));
  const std::int64_t wanted = !n_jobs ? 1 : *n_jobs > 0 ? *n_jobs : cores + 1 + *n_jobs;
  return static_cast<std::size_t>(
      std::clamp<std::int64_t>(wanted, 1, static_cast<std::int64_t>(n_trees)));
}

// One member, as scikit-learn's _parallel_build_trees grows it: the bootstrap sample and the
// tree's splitter seed both come from a fresh RandomState(seed).
Tree fit_member(const tree::TrainingSet& data, const tree::GrowthOptions& options, bool bootstrap,
                std::uint32_t seed) {
  std::vector<double> counts;
  if (bootstrap) {
    const auto n = static_cast<std::uint64_t>(data.n_samples());
    counts.assign(n, 0.0);
    tree::NumpyRandomState draws(seed);
    for (std::uint64_t k = 0; k < n; ++k) counts[draws.randint(n)] += 1.0;
  }
  tree::NumpyRandomState splitter(seed);
  return Tree::fit(data, counts, options, tree::draw_seed(splitter));
}

// Members are independent given their seeds, so the forest does not depend on the workers.
// Progress is reported by the calling thread alone (the task is its own), counting the trees
// every worker has finished.
std::vector<Tree> fit_members(const tree::TrainingSet& data, const tree::GrowthOptions& options,
                              bool bootstrap, const std::vector<std::uint32_t>& seeds,
                              std::size_t workers) {
  std::vector<Tree> trees(seeds.size());
  ProgressTask progress("trees", seeds.size());
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> finished{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  const auto work = [&](bool caller) {
    try {
      for (std::size_t i; (i = next++) < seeds.size();) {
        trees[i] = fit_member(data, options, bootstrap, seeds[i]);
        const std::size_t count = ++finished;
        if (caller) progress.report(count);
      }
    } catch (...) {
      const std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next = seeds.size();
    }
  };
  {
    std::vector<std::jthread> pool;
    for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(work, false);
    work(true);
  }
  if (error) std::rethrow_exception(error);
  progress.report(seeds.size());
  return trees;
}

}  // namespace

void check_forest_params(std::string_view who, std::int64_t n_estimators,
                         const std::optional<std::int64_t>& n_jobs) {
  if (n_estimators < 1) throw_invalid_param(who, "n_estimators must be >= 1");
  if (n_jobs && *n_jobs == 0)
    throw_invalid_param(who, "n_jobs must be None, >= 1, or negative (-1: all cores)");
}

std::vector<Tree> grow_forest(const tree::TrainingSet& data, const ForestGrowth& growth) {
  tree::NumpyRandomState random_state(tree::initial_seed(growth.random_state));
  std::vector<std::uint32_t> seeds(static_cast<std::size_t>(growth.n_estimators));
  for (auto& seed : seeds) seed = tree::draw_seed(random_state);
  return fit_members(data, growth.options, growth.bootstrap, seeds,
                     worker_count(growth.n_jobs, seeds.size()));
}

double forest_fit_cost(std::int64_t n_estimators, const std::string& criterion, double n_samples,
                       double n_features) {
  return static_cast<double>(n_estimators) * tree::tree_fit_cost(criterion, n_samples, n_features);
}

Matrix mean_proba(const std::vector<Tree>& trees, const MatrixView& X, std::int64_t n_classes) {
  // Summed in member order, then divided once, as scikit-learn does: bit-identical results.
  Matrix proba = Matrix::Zero(X.rows(), n_classes);
  const tree::Float32Rows rows(X);
  for (const Tree& t : trees) t.accumulate_proba(rows, proba);
  proba /= static_cast<double>(trees.size());
  return proba;
}

Vector mean_prediction(const std::vector<Tree>& trees, const MatrixView& X) {
  Matrix sum = Matrix::Zero(X.rows(), 1);
  const tree::Float32Rows rows(X);
  for (const Tree& t : trees) t.accumulate_values(rows, 1.0, sum, 0);
  return sum.col(0) / static_cast<double>(trees.size());
}

Vector forest_importances(const std::vector<Tree>& trees, std::int64_t n_features) {
  Vector sum = Vector::Zero(n_features);
  std::int64_t grown = 0;
  for (const Tree& t : trees) {
    if (t.node_count() < 2) continue;  // a single leaf has no importances to average
    sum += t.feature_importances(n_features);
    ++grown;
  }
  if (grown == 0) return sum;
  const Vector mean = sum / static_cast<double>(grown);
  return mean / mean.sum();
}

Array save_trees(const std::vector<Tree>& trees) {
  Array members;
  members.reserve(trees.size());
  for (const Tree& t : trees) {
    Map member;
    t.save(member);
    members.emplace_back(std::move(member));
  }
  return members;
}

std::vector<Tree> load_trees(const Node& members, std::int64_t n_features, std::int64_t n_classes) {
  const std::size_t n = members.as_array().size();
  if (n == 0) members.fail("expected at least one tree");
  std::vector<Tree> trees;
  trees.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    trees.push_back(n_classes == 0 ? Tree::load_regression(members[i], n_features)
                                   : Tree::load(members[i], n_features, n_classes));
  return trees;
}

}  // namespace mlpersist::ensemble
