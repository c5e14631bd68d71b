// Fit and predict times of the iterative and ensemble estimators on a 20,000 x 20 synthetic
// classification set (regressors: a 20,000 x 20 regression set), so that they can be compared
// with scikit-learn on the same data: `--data_out=FILE` and `--regression_out=FILE` write the
// sets as CSV for `sklearn` to read. PredictOne is the latency of one row (what a service sees).
//
//   make bench   (or: build/bin/estimators_bench --benchmark_filter=Fit)

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mlpersist/dataset.hpp>
#include <mlpersist/registry.hpp>
#include <random>

namespace {

using namespace mlpersist;

// 20,000 rows; `--rows=N` (before any benchmark flag) runs a quick check at another size.
Eigen::Index g_samples = 20000;
constexpr Eigen::Index kFeatures = 20;
constexpr Eigen::Index kInformative = 5;

// Two classes whose means differ on the first kInformative features, unit-variance noise on
// all of them, and 5% of labels flipped (like make_classification's flip_y): a problem that is
// not separable, so solvers do real work.
Dataset make_classification() {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::bernoulli_distribution flip(0.05);
  Dataset d;
  d.X.resize(g_samples, kFeatures);
  d.y.resize(g_samples);
  for (Eigen::Index i = 0; i < g_samples; ++i) {
    const int label = static_cast<int>(i % 2);
    for (Eigen::Index j = 0; j < kFeatures; ++j)
      d.X(i, j) = noise(rng) + (j < kInformative ? (label ? 0.8 : -0.8) : 0.0);
    d.y(i) = flip(rng) ? 1 - label : label;
  }
  for (Eigen::Index j = 0; j < kFeatures; ++j) d.feature_names.push_back("x" + std::to_string(j));
  return d;
}

// y = a linear function of the first kInformative features plus a product and a sine of two of
// them (something trees must approximate piecewise) and unit noise.
Dataset make_regression() {
  std::mt19937_64 rng(43);
  std::normal_distribution<double> normal(0.0, 1.0);
  Dataset d;
  d.X.resize(g_samples, kFeatures);
  d.y.resize(g_samples);
  for (Eigen::Index i = 0; i < g_samples; ++i) {
    for (Eigen::Index j = 0; j < kFeatures; ++j) d.X(i, j) = normal(rng);
    double y = normal(rng) + 3 * d.X(i, 0) * d.X(i, 1) + 5 * std::sin(d.X(i, 2));
    for (Eigen::Index j = 0; j < kInformative; ++j) y += static_cast<double>(j + 1) * d.X(i, j);
    d.y(i) = y;
  }
  for (Eigen::Index j = 0; j < kFeatures; ++j) d.feature_names.push_back("x" + std::to_string(j));
  return d;
}

const Dataset& data() {
  static const Dataset d = make_classification();
  return d;
}

const Dataset& regression_data() {
  static const Dataset d = make_regression();
  return d;
}

// The data set for `type`: regressors get the regression set.
const Dataset& data_for(const char* type) {
  return std::strstr(type, "Regressor") != nullptr ? regression_data() : data();
}

const Registry& registry() {
  static const Registry r = Registry::with_default_plugins();
  return r;
}

void fit(benchmark::State& state, const char* type) {
  const Dataset& d = data_for(type);
  for (auto _ : state) {
    auto est = registry().create(type);
    est->fit(d.X, d.y);
    benchmark::DoNotOptimize(est.get());
  }
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(g_samples),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

void predict(benchmark::State& state, const char* type) {
  const Dataset& d = data_for(type);
  auto est = registry().create(type);
  est->fit(d.X, d.y);
  double score = 0;
  for (auto _ : state) {
    const Vector p = est->predict(d.X);
    benchmark::DoNotOptimize(p.data());
  }
  score = est->score(d.X, d.y);
  state.counters["train_score"] = score;
}

void predict_one(benchmark::State& state, const char* type) {
  const Dataset& d = data_for(type);
  auto est = registry().create(type);
  est->fit(d.X, d.y);
  const Matrix row = d.X.topRows(1);
  for (auto _ : state) {
    const Vector p = est->predict(row);
    benchmark::DoNotOptimize(p.data());
  }
}

// The tree types of issue 15, fitted with their defaults (100 trees, or 100 boosting stages).
#define MLPERSIST_TREE_BENCHMARKS(name, type)                                           \
  BENCHMARK_CAPTURE(fit, name, type)->Unit(benchmark::kSecond)->Iterations(1);          \
  BENCHMARK_CAPTURE(predict, name, type)->Unit(benchmark::kMillisecond)->Iterations(3); \
  BENCHMARK_CAPTURE(predict_one, name, type)->Unit(benchmark::kMicrosecond)

MLPERSIST_TREE_BENCHMARKS(DecisionTreeRegressor, "tree.DecisionTreeRegressor");
MLPERSIST_TREE_BENCHMARKS(RandomForestRegressor, "ensemble.RandomForestRegressor");
MLPERSIST_TREE_BENCHMARKS(ExtraTreesClassifier, "ensemble.ExtraTreesClassifier");
MLPERSIST_TREE_BENCHMARKS(ExtraTreesRegressor, "ensemble.ExtraTreesRegressor");
MLPERSIST_TREE_BENCHMARKS(GradientBoostingClassifier, "ensemble.GradientBoostingClassifier");
MLPERSIST_TREE_BENCHMARKS(GradientBoostingRegressor, "ensemble.GradientBoostingRegressor");

BENCHMARK_CAPTURE(fit, SVC, "svm.SVC")->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK_CAPTURE(fit, LogisticRegression, "linear_model.LogisticRegression")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK_CAPTURE(fit, RandomForest, "ensemble.RandomForestClassifier")
    ->Unit(benchmark::kSecond)
    ->Iterations(1);
BENCHMARK_CAPTURE(predict, SVC, "svm.SVC")->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK_CAPTURE(predict, LogisticRegression, "linear_model.LogisticRegression")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(predict, RandomForest, "ensemble.RandomForestClassifier")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--rows=", 7) == 0) g_samples = std::max(10L, std::atol(argv[i] + 7));
  for (int i = 1; i < argc; ++i) {
    const bool classification = std::strncmp(argv[i], "--data_out=", 11) == 0;
    if (classification || std::strncmp(argv[i], "--regression_out=", 17) == 0) {
      const Dataset& d = classification ? data() : regression_data();
      std::ofstream out(std::strchr(argv[i], '=') + 1);
      auto names = d.feature_names;
      names.push_back("target");
      Matrix all(g_samples, kFeatures + 1);
      all << d.X, d.y;
      write_csv(out, names, all);
      return out ? 0 : 1;
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
