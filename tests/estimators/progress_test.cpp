// The long fits report their progress to a ProgressScope, through the plugins, with the unit
// and total a bar needs, and a count that only moves forward.
#include <gtest/gtest.h>

#include <mlpersist/model_selection.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/progress.hpp>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace {

using namespace mlpersist;

// What one fit reported: each task's unit and total, and every (done, total) in order.
struct Reports {
  std::vector<std::string> units;
  std::vector<std::uint64_t> totals;
  std::vector<std::uint64_t> done;

  [[nodiscard]] ProgressScope scope() {
    return ProgressScope(
        [this](std::uint64_t d, std::uint64_t total) {
          done.push_back(d);
          EXPECT_EQ(total, totals.back());
        },
        [this](std::string_view unit, std::uint64_t total) {
          units.emplace_back(unit);
          totals.push_back(total);
        });
  }

  [[nodiscard]] bool increasing() const {
    for (std::size_t i = 1; i < done.size(); ++i)
      if (done[i] <= done[i - 1]) return false;
    return !done.empty();
  }
};

std::shared_ptr<Estimator> make(const std::string& type, const Map& params = {}) {
  auto est = test::registry().create(type);
  est->set_params(params);
  return est;
}

// The iterations a fitted estimator records in its state (n_iter_), summed over its parts.
std::uint64_t saved_n_iter(const Estimator& est) {
  SaveContext ctx;
  const Value state = est.save_state(ctx);
  std::uint64_t sum = 0;
  for (const std::int64_t n : state.as_map().find("n_iter_")->as_tensor().values<std::int64_t>())
    sum += static_cast<std::uint64_t>(n);
  return sum;
}

Reports fit_reporting(Estimator& est, const Dataset& d) {
  Reports r;
  const ProgressScope scope = r.scope();
  est.fit(d.X, d.y);
  return r;
}

TEST(FitProgress, RandomForestCountsEveryTreeOnce) {
  const Dataset d = test::load_dataset("iris");
  Map params;
  params.insert("n_estimators", 25);
  params.insert("random_state", 0);
  auto forest = make("ensemble.RandomForestClassifier", params);
  const Reports r = fit_reporting(*forest, d);
  EXPECT_EQ(r.units, (std::vector<std::string>{"trees"}));
  EXPECT_EQ(r.totals, (std::vector<std::uint64_t>{25}));
  EXPECT_TRUE(r.increasing());
  EXPECT_EQ(r.done.size(), 25u);
  EXPECT_EQ(r.done.back(), 25u);
}

TEST(FitProgress, RandomForestWithWorkersReportsFromTheCallingThreadUpToTheTotal) {
  const Dataset d = test::load_dataset("iris");
  Map params;
  params.insert("n_estimators", 40);
  params.insert("n_jobs", 3);
  params.insert("random_state", 0);
  auto forest = make("ensemble.RandomForestClassifier", params);
  const Reports r = fit_reporting(*forest, d);
  EXPECT_TRUE(r.increasing());
  EXPECT_EQ(r.done.back(), 40u);
}

TEST(FitProgress, KMeansCountsItsRuns) {
  const Dataset d = test::load_dataset("iris");
  Map params;
  params.insert("n_clusters", 3);
  params.insert("n_init", 4);
  params.insert("random_state", 0);
  auto kmeans = make("cluster.KMeans", params);
  const Reports r = fit_reporting(*kmeans, d);
  EXPECT_EQ(r.units, (std::vector<std::string>{"runs"}));
  EXPECT_EQ(r.done, (std::vector<std::uint64_t>{1, 2, 3, 4}));
}

TEST(FitProgress, SvcCountsSmoIterationsOfEveryPairWithoutAKnownTotal) {
  const Dataset d = test::load_dataset("iris");
  auto svc = make("svm.SVC");
  const Reports r = fit_reporting(*svc, d);
  EXPECT_EQ(r.units, (std::vector<std::string>{"iterations"}));
  EXPECT_EQ(r.totals, (std::vector<std::uint64_t>{0}));
  EXPECT_TRUE(r.increasing());
  EXPECT_EQ(r.done.back(), saved_n_iter(*svc));  // the three one-vs-one pairs together
}

TEST(FitProgress, LogisticRegressionCountsLbfgsIterationsUpToMaxIter) {
  const Dataset d = test::load_dataset("iris");
  auto model = make("linear_model.LogisticRegression");
  const Reports r = fit_reporting(*model, d);
  EXPECT_EQ(r.units, (std::vector<std::string>{"iterations"}));
  EXPECT_EQ(r.totals, (std::vector<std::uint64_t>{100}));  // max_iter: an upper bound
  EXPECT_TRUE(r.increasing());
  EXPECT_EQ(r.done.back(), saved_n_iter(*model));
}

TEST(FitProgress, CrossValidationCountsFoldsAndSilencesEachFoldsFit) {
  const Dataset d = test::load_dataset("iris");
  Map params;
  params.insert("n_estimators", 5);
  params.insert("random_state", 0);
  auto forest = make("ensemble.RandomForestClassifier", params);
  Reports r;
  {
    const ProgressScope scope = r.scope();
    (void)cross_validate(*forest, d.X, d.y, 3);
  }
  EXPECT_EQ(r.units, (std::vector<std::string>{"folds"}));
  EXPECT_EQ(r.done, (std::vector<std::uint64_t>{1, 2, 3}));
}

TEST(FitProgress, PipelineStepsReportInTurn) {
  const Dataset d = test::load_dataset("iris");
  auto pipeline = make("pipeline.Pipeline");
  dynamic_cast<Composite&>(*pipeline).set_steps(
      {{"scaler", make("preprocessing.StandardScaler")},
       {"logistic", make("linear_model.LogisticRegression")}});
  const Reports r = fit_reporting(*pipeline, d);
  EXPECT_EQ(r.units, (std::vector<std::string>{"iterations"}));  // the scaler has no loop
  EXPECT_TRUE(r.increasing());
}

TEST(FitProgress, NothingIsReportedWithoutAScope) {
  const Dataset d = test::load_dataset("iris");
  Reports r;
  { const ProgressScope scope = r.scope(); }
  make("svm.SVC")->fit(d.X, d.y);
  EXPECT_TRUE(r.units.empty());
  EXPECT_TRUE(r.done.empty());
}

}  // namespace
