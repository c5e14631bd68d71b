// Fit and predict times of the iterative and ensemble estimators on a 20,000 x 20 synthetic
// classification set, so that they can be compared with scikit-learn on the same data:
// `--data_out=FILE` writes the set as CSV for `sklearn` to read.
//
//   make bench   (or: build/bin/estimators_bench --benchmark_filter=Fit)

#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <mlpersist/dataset.hpp>
#include <mlpersist/registry.hpp>
#include <random>
#include <string_view>

namespace {

using namespace mlpersist;

constexpr Eigen::Index kSamples = 20000;
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
void predict_one_row(benchmark::State& state, const char* type) {
  auto est = create(type);
  est->fit(data().X, data().y);
  const Matrix row = data().X.topRows(1);
  for (auto _ : state) benchmark::DoNotOptimize(est->predict(row));
}

BENCHMARK_CAPTURE(predict_one_row, HistGradientBoostingClassifier,
                  "ensemble.HistGradientBoostingClassifier")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(predict_one_row, HistGradientBoostingRegressor,
                  "ensemble.HistGradientBoostingRegressor")
    ->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--data_out=", 11) == 0) {
      std::ofstream out(argv[i] + 11);
      auto names = data().feature_names;
      names.push_back("target");
      Matrix all(kSamples, kFeatures + 1);
      all << data().X, data().y;
      write_csv(out, names, all);
      return out ? 0 : 1;
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
