#include "random_forest.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mlpersist/error.hpp>
#include <mlpersist/progress.hpp>
#include <mutex>
#include <thread>

#include "random.hpp"

namespace mlpersist::ensemble {
namespace {

using tree::Tree;

constexpr std::string_view kName = "RandomForestClassifier";

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

void RandomForestClassifier::validate_params(const RandomForestClassifierParams& p) const {
  tree::validate_growth_params(kName, p);
  if (p.n_estimators < 1) invalid_param("n_estimators must be >= 1");
  if (p.n_jobs && *p.n_jobs == 0)
    invalid_param("n_jobs must be None, >= 1, or negative (-1: all cores)");
}

double RandomForestClassifier::fit_cost(double n_samples, double n_features) const {
  // Each tree sorts its samples at every level of a balanced-ish tree, for every feature tried.
  return static_cast<double>(params_.n_estimators) * n_samples * std::log2(n_samples + 2) *
         n_features;
}

bool RandomForestClassifier::supports(Method m) const {
  return m == Method::kPredict || m == Method::kPredictProba;
}

void RandomForestClassifier::do_fit(const Matrix& X, const Vector& y) {
  validate_params(params_);  // parameters given to the constructor were never checked
  const tree::GrowthOptions options = tree::growth_options(kName, params_, X.cols());
  std::vector<double> classes;
  const tree::TrainingSet data = tree::encode_training_set(X, y, classes);
  tree::NumpyRandomState random_state(tree::initial_seed(params_.random_state));
  std::vector<std::uint32_t> seeds(static_cast<std::size_t>(params_.n_estimators));
  for (auto& seed : seeds) seed = tree::draw_seed(random_state);
  trees_ = fit_members(data, options, params_.bootstrap, seeds,
                       worker_count(params_.n_jobs, seeds.size()));
  classes_ = std::move(classes);
}

Matrix RandomForestClassifier::do_predict_proba(const Matrix& X) const {
  // Summed in member order, then divided once, as scikit-learn does: bit-identical results.
  Matrix proba = Matrix::Zero(X.rows(), static_cast<Eigen::Index>(classes_.size()));
  for (const Tree& t : trees_) t.accumulate_proba(X, proba);
  proba /= static_cast<double>(trees_.size());
  return proba;
}

Vector RandomForestClassifier::do_predict(const Matrix& X) const {
  return tree::class_of_row_max(do_predict_proba(X), classes_);
}

Vector RandomForestClassifier::feature_importances() const {
  Vector sum = Vector::Zero(n_features_in());
  std::int64_t grown = 0;
  for (const Tree& t : trees_) {
    if (t.node_count() < 2) continue;  // a single leaf has no importances to average
    sum += t.feature_importances(n_features_in());
    ++grown;
  }
  if (grown == 0) return sum;
  const Vector mean = sum / static_cast<double>(grown);
  return mean / mean.sum();
}

Value RandomForestClassifier::save_state(SaveContext&) const {
  Map m;
  tree::save_classes(m, classes_);
  Array members;
  members.reserve(trees_.size());
  for (const Tree& t : trees_) {
    Map member;
    t.save(member);
    members.emplace_back(std::move(member));
  }
  m.insert("estimators_", std::move(members));
  return m;
}

void RandomForestClassifier::load_state(const Node& state, LoadContext&) {
  std::vector<double> classes = tree::load_classes(state);
  const Node members = state["estimators_"];
  const std::size_t n = members.as_array().size();
  if (n == 0) members.fail("expected at least one tree");
  std::vector<Tree> trees;
  trees.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    trees.push_back(
        Tree::load(members[i], n_features_in(), static_cast<std::int64_t>(classes.size())));
  classes_ = std::move(classes);
  trees_ = std::move(trees);
}

}  // namespace mlpersist::ensemble
