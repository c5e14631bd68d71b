// Several threads load and predict the same and different models at once, share one loaded
// model, and use a registry while plugins are still being loaded into it. Every output must be
// bit-identical to the single-threaded one. scripts/ci-hardening.sh runs this under
// ThreadSanitizer.

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <sstream>
#include <thread>

#include "test_support.hpp"

namespace {

using namespace mlpersist;
namespace fs = std::filesystem;

constexpr int kThreads = 8;
constexpr int kRounds = 12;

struct Case {
  std::string name;
  std::string bytes;
  fs::path file;
  Matrix expected;  // predict() on the iris features, computed by one thread
};

std::shared_ptr<Estimator> fit(const std::string& type, const Dataset& iris) {
  auto model = test::registry().create(type);
  if (type == "pipeline.Pipeline")
    dynamic_cast<Composite&>(*model).set_steps(
        {{"scaler", test::registry().create("preprocessing.StandardScaler")},
         {"svc", test::registry().create("svm.SVC")}});
  model->fit(iris.X, iris.y);
  return model;
}

std::vector<Case> make_cases(const Dataset& iris, const fs::path& dir) {
  std::vector<Case> cases;
  for (const std::string type :
       {"svm.SVC", "linear_model.LogisticRegression", "neighbors.KNeighborsClassifier",
        "tree.DecisionTreeClassifier", "naive_bayes.GaussianNB", "pipeline.Pipeline"}) {
    const auto model = fit(type, iris);
    for (const std::string& backend : test::backend_names()) {
      Case c{type + "/" + backend, dumps(test::registry(), *model, {.format = backend}),
             dir / (type + "." + backend), model->predict(iris.X)};
      dump(test::registry(), *model, c.file, {.format = backend});
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

bool same_bits(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())) == 0;
}

// One way of loading per round: bytes, a mapped file, a read file or a stream.
std::shared_ptr<Estimator> load_somehow(const Case& c, int round) {
  switch (round % 4) {
    case 0: return loads(test::registry(), c.bytes);
    case 1: return load(test::registry(), c.file, {.mmap = true});
    case 2: return load(test::registry(), c.file, {.mmap = false});
    default: {
      std::istringstream in(c.bytes);
      return load(test::registry(), in);
    }
  }
}

TEST(Concurrency, ThreadsLoadAndPredictTheSameAndDifferentModelsAtOnce) {
  const Dataset iris = test::load_dataset("iris");
  const std::vector<Case> cases = make_cases(iris, test::temp_dir());
  const auto shared = loads(test::registry(), cases.front().bytes);
  std::atomic<int> mismatches{0};
  std::atomic<int> errors{0};
  std::atomic<int> predictions{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        try {
          // Even rounds: every thread the same model; odd rounds: each its own.
          const Case& c =
              cases[round % 2 == 0 ? round / 2 % cases.size() : (t + round) % cases.size()];
          mismatches += !same_bits(load_somehow(c, t + round)->predict(iris.X), c.expected);
          mismatches += !same_bits(shared->predict(iris.X), cases.front().expected);
          predictions += 2;
        } catch (const std::exception&) {
          ++errors;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(predictions, 2 * kThreads * kRounds);
}

TEST(Concurrency, LookupsWhilePluginsAreStillLoading) {
  Registry registry;
  std::atomic<bool> loading{true};
  std::atomic<int> found{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < kThreads - 1; ++t) {
    readers.emplace_back([&] {
      while (loading) {
        if (registry.find_type("svm.SVC") != nullptr) ++found;
        (void)registry.types();
        (void)registry.plugins();
        try {
          (void)registry.backend("binary");
        } catch (const CompatibilityError&) {  // not loaded yet
        }
        // Readers that never pause starve the loader's exclusive lock (glibc's rwlock prefers
        // readers): under ThreadSanitizer that stretched this test to minutes.
        std::this_thread::yield();
      }
    });
  }
  const std::size_t loaded = registry.load_plugins({MLPERSIST_TEST_PLUGIN_DIR});
  loading = false;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(loaded, test::registry().plugins().size());
  EXPECT_TRUE(registry.failures().empty());
  const Dataset iris = test::load_dataset("iris");
  const auto svc = registry.create("svm.SVC");
  svc->fit(iris.X, iris.y);
  EXPECT_EQ(loads(registry, dumps(registry, *svc))->predict(iris.X), svc->predict(iris.X));
}

}  // namespace
