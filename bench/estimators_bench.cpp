// Fit and predict times of the iterative and ensemble estimators in C++ alone, on a 20,000 x 20
// synthetic classification set and a 20,000 x 20 regression set, and single-row predict latency
// as a C++ service sees it; `--rows=N` shrinks both sets (a quick check that every benchmark
// runs). The ratios against scikit-learn on the same arrays, in one interleaved run, are
// bench/estimators_sklearn_bench.py's.
//
//   make bench   (or: build/bin/estimators_bench --benchmark_filter=Fit)

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mlpersist/dataset.hpp>
#include <mlpersist/registry.hpp>
#include <random>
#include <string_view>

namespace {

using namespace mlpersist;

Eigen::Index kSamples = 20000;  // --rows=N sets it before the data sets are made
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
  d.X.resize(kSamples, kFeatures);
  d.y.resize(kSamples);
  for (Eigen::Index i = 0; i < kSamples; ++i) {
    const int label = static_cast<int>(i % 2);
    for (Eigen::Index j = 0; j < kFeatures; ++j)
      d.X(i, j) = noise(rng) + (j < kInformative ? (label ? 0.8 : -0.8) : 0.0);
    d.y(i) = flip(rng) ? 1 - label : label;
  }
  for (Eigen::Index j = 0; j < kFeatures; ++j) d.feature_names.push_back("x" + std::to_string(j));
  return d;
}

const Dataset& data() {
  static const Dataset d = make_classification();
  return d;
}

// y = X w + unit noise with w = 1, 2, ..., 10 on the first 10 of 20 standard normal features:
// half the features are irrelevant, as in make_regression(n_informative=10).
Dataset make_regression() {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  Dataset d;
  d.X.resize(kSamples, kFeatures);
  d.y.resize(kSamples);
  for (Eigen::Index i = 0; i < kSamples; ++i) {
    double target = normal(rng);
    for (Eigen::Index j = 0; j < kFeatures; ++j) {
      d.X(i, j) = normal(rng);
      if (j < 10) target += static_cast<double>(j + 1) * d.X(i, j);
    }
    d.y(i) = target;
  }
  for (Eigen::Index j = 0; j < kFeatures; ++j) d.feature_names.push_back("x" + std::to_string(j));
  return d;
}

const Dataset& regression_data() {
  static const Dataset d = make_regression();
  return d;
}

const Registry& registry() {
  static const Registry r = Registry::with_default_plugins();
  return r;
}

// The HistGradientBoosting estimators draw their validation split from random_state: seeded,
// every run fits the same model, as scikit-learn(random_state=0) does.
std::shared_ptr<Estimator> create(const char* type) {
  auto est = registry().create(type);
  if (std::string_view(type).starts_with("ensemble.HistGradientBoosting")) {
    Map params;
    params.insert("random_state", std::int64_t{0});
    est->set_params(params);
  }
  return est;
}

void fit(benchmark::State& state, const char* type) {
  for (auto _ : state) {
    auto est = create(type);
    est->fit(data().X, data().y);
    benchmark::DoNotOptimize(est.get());
  }
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(kSamples),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

void predict(benchmark::State& state, const char* type) {
  auto est = create(type);
  est->fit(data().X, data().y);
  double accuracy = 0;
  for (auto _ : state) {
    const Vector p = est->predict(data().X);
    accuracy = (p.array() == data().y.array()).cast<double>().mean();
    benchmark::DoNotOptimize(accuracy);
  }
  state.counters["train_accuracy"] = accuracy;
}

std::shared_ptr<Estimator> fitted_regressor(const char* type) {
  auto est = registry().create(type);
  est->fit(regression_data().X, regression_data().y);
  return est;
}

void fit_regressor(benchmark::State& state, const char* type) {
  (void)regression_data();  // made outside the timed loop
  for (auto _ : state) benchmark::DoNotOptimize(fitted_regressor(type).get());
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(kSamples),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

void predict_regressor(benchmark::State& state, const char* type) {
  const auto est = fitted_regressor(type);
  double r2 = 0;
  for (auto _ : state) {
    r2 = est->score(regression_data().X, regression_data().y);
    benchmark::DoNotOptimize(r2);
  }
  state.counters["train_r2"] = r2;
}

// What a service answering one request at a time sees: predict on a single row, in µs.
void predict_one_row(benchmark::State& state, const char* type) {
  const auto est = fitted_regressor(type);
  const Matrix& X = regression_data().X;
  Eigen::Index row = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(est->predict(X.row(row)));
    row = (row + 1) % X.rows();
  }
}

#define MLPERSIST_REGRESSOR_BENCH(name, tag, fit_unit, fit_iterations)                           \
  BENCHMARK_CAPTURE(fit_regressor, name, tag)->Unit(fit_unit)->Iterations(fit_iterations);       \
  BENCHMARK_CAPTURE(predict_regressor, name, tag)->Unit(benchmark::kMillisecond)->Iterations(3); \
  BENCHMARK_CAPTURE(predict_one_row, name, tag)->Unit(benchmark::kMicrosecond)

MLPERSIST_REGRESSOR_BENCH(SVR, "svm.SVR", benchmark::kSecond, 1);
MLPERSIST_REGRESSOR_BENCH(Lasso, "linear_model.Lasso", benchmark::kMillisecond, 10);
MLPERSIST_REGRESSOR_BENCH(ElasticNet, "linear_model.ElasticNet", benchmark::kMillisecond, 10);
MLPERSIST_REGRESSOR_BENCH(KNeighborsRegressor, "neighbors.KNeighborsRegressor",
                          benchmark::kMillisecond, 10);
MLPERSIST_REGRESSOR_BENCH(DecisionTreeRegressor, "tree.DecisionTreeRegressor",
                          benchmark::kMillisecond, 3);
MLPERSIST_REGRESSOR_BENCH(RandomForestRegressor, "ensemble.RandomForestRegressor",
                          benchmark::kSecond, 1);
MLPERSIST_REGRESSOR_BENCH(ExtraTreesRegressor, "ensemble.ExtraTreesRegressor", benchmark::kSecond,
                          1);
MLPERSIST_REGRESSOR_BENCH(GradientBoostingRegressor, "ensemble.GradientBoostingRegressor",
                          benchmark::kSecond, 1);

BENCHMARK_CAPTURE(fit, SVC, "svm.SVC")->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK_CAPTURE(fit, LogisticRegression, "linear_model.LogisticRegression")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK_CAPTURE(fit, RandomForest, "ensemble.RandomForestClassifier")
    ->Unit(benchmark::kSecond)
    ->Iterations(1);
BENCHMARK_CAPTURE(fit, HistGradientBoostingClassifier, "ensemble.HistGradientBoostingClassifier")
    ->Unit(benchmark::kSecond)
    ->Iterations(1);
BENCHMARK_CAPTURE(fit, HistGradientBoostingRegressor, "ensemble.HistGradientBoostingRegressor")
    ->Unit(benchmark::kSecond)
    ->Iterations(1);
BENCHMARK_CAPTURE(predict, SVC, "svm.SVC")->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK_CAPTURE(predict, LogisticRegression, "linear_model.LogisticRegression")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(predict, RandomForest, "ensemble.RandomForestClassifier")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

BENCHMARK_CAPTURE(predict, HistGradientBoostingClassifier,
                  "ensemble.HistGradientBoostingClassifier")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK_CAPTURE(predict, HistGradientBoostingRegressor, "ensemble.HistGradientBoostingRegressor")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

// What a service answering one request at a time sees: predict on a single row.
void predict_one_classified_row(benchmark::State& state, const char* type) {
  auto est = create(type);
  est->fit(data().X, data().y);
  const Matrix row = data().X.topRows(1);
  for (auto _ : state) benchmark::DoNotOptimize(est->predict(row));
}

BENCHMARK_CAPTURE(predict_one_classified_row, HistGradientBoostingClassifier,
                  "ensemble.HistGradientBoostingClassifier")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(predict_one_classified_row, HistGradientBoostingRegressor,
                  "ensemble.HistGradientBoostingRegressor")
    ->Unit(benchmark::kMicrosecond);

// The tree classifiers of issue 15 with their defaults (100 trees, or 100 boosting stages).
#define MLPERSIST_CLASSIFIER_BENCH(name, tag)                                          \
  BENCHMARK_CAPTURE(fit, name, tag)->Unit(benchmark::kSecond)->Iterations(1);          \
  BENCHMARK_CAPTURE(predict, name, tag)->Unit(benchmark::kMillisecond)->Iterations(3); \
  BENCHMARK_CAPTURE(predict_one_classified_row, name, tag)->Unit(benchmark::kMicrosecond)

MLPERSIST_CLASSIFIER_BENCH(ExtraTreesClassifier, "ensemble.ExtraTreesClassifier");
MLPERSIST_CLASSIFIER_BENCH(GradientBoostingClassifier, "ensemble.GradientBoostingClassifier");

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--rows=", 7) == 0) kSamples = std::max(1L, std::atol(argv[i] + 7));
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
