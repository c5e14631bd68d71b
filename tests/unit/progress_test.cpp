// ProgressScope and ProgressTask: how the progress of a fit reaches whoever asked for it.
#include <gtest/gtest.h>

#include <mlpersist/progress.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace mlpersist;

// Everything a scope received, in order: "start trees 3", "1/3", ...
struct Recorder {
  std::vector<std::string> events;

  ProgressScope scope() {
    return ProgressScope(
        [this](std::uint64_t done, std::uint64_t total) {
          events.push_back(std::to_string(done) + "/" + std::to_string(total));
        },
        [this](std::string_view unit, std::uint64_t total) {
          events.push_back("start " + std::string(unit) + " " + std::to_string(total));
        });
  }
};

using Events = std::vector<std::string>;

TEST(ProgressTask, DoesNothingWithoutAScope) {
  ProgressTask task("trees", 3);
  task.report(1);
  task.advance(2);
  EXPECT_EQ(task.done(), 3u);  // still counted, so advance() stays right once a scope appears
  EXPECT_EQ(task.total(), 3u);
}

TEST(ProgressTask, ReportsStartThenEachStepToTheScope) {
  Recorder r;
  const ProgressScope scope = r.scope();
  ProgressTask task("trees", 3);
  task.advance();
  task.report(3);
  EXPECT_EQ(r.events, (Events{"start trees 3", "1/3", "3/3"}));
}

TEST(ProgressTask, IgnoresReportsThatDoNotMoveForward) {
  Recorder r;
  const ProgressScope scope = r.scope();
  ProgressTask task("iterations", 0);
  task.report(5);
  task.report(5);
  task.report(2);
  task.advance(0);
  EXPECT_EQ(r.events, (Events{"start iterations 0", "5/0"}));
}

TEST(ProgressTask, NestedTaskIsSilentSoTheOuterUnitKeepsCounting) {
  Recorder r;
  const ProgressScope scope = r.scope();
  ProgressTask folds("folds", 2);
  for (int fold = 0; fold < 2; ++fold) {
    ProgressTask iterations("iterations", 100);
    iterations.report(50);
    folds.advance();
  }
  EXPECT_EQ(r.events, (Events{"start folds 2", "1/2", "2/2"}));
}

TEST(ProgressTask, TasksThatFollowOneAnotherEachReport) {
  Recorder r;
  const ProgressScope scope = r.scope();
  {
    ProgressTask first("runs", 1);
    first.advance();
  }
  ProgressTask second("iterations", 2);
  second.advance();
  EXPECT_EQ(r.events, (Events{"start runs 1", "1/1", "start iterations 2", "1/2"}));
}

TEST(ProgressScope, InnerScopeReceivesUntilItEndsThenTheOuterAgain) {
  Recorder outer;
  Recorder inner;
  const ProgressScope outer_scope = outer.scope();
  ProgressTask outer_task("folds", 2);
  {
    const ProgressScope inner_scope = inner.scope();
    ProgressTask inner_task("trees", 1);  // the inner scope's first task, so it reports
    inner_task.advance();
  }
  outer_task.advance();
  EXPECT_EQ(inner.events, (Events{"start trees 1", "1/1"}));
  EXPECT_EQ(outer.events, (Events{"start folds 2", "1/2"}));
}

TEST(ProgressScope, EndsWithItsLifetime) {
  Recorder r;
  { const ProgressScope scope = r.scope(); }
  ProgressTask task("trees", 1);
  task.advance();
  EXPECT_TRUE(r.events.empty());
}

TEST(ProgressScope, IsPerThread) {
  Recorder r;
  const ProgressScope scope = r.scope();
  std::thread([] {
    ProgressTask task("trees", 1);
    task.advance();
  }).join();
  EXPECT_TRUE(r.events.empty());
}

TEST(ProgressScope, EmptyCallbacksAreAllowed) {
  const ProgressScope scope{ProgressFn{}};
  ProgressTask task("trees", 1);
  task.advance();
  EXPECT_EQ(task.done(), 1u);
}

TEST(ProgressTask, ThrowingStartLeavesTheScopeUsable) {
  bool fail = true;
  Events events;
  const ProgressScope scope(
      [&](std::uint64_t done, std::uint64_t) { events.push_back(std::to_string(done)); },
      [&](std::string_view, std::uint64_t) {
        if (std::exchange(fail, false)) throw std::runtime_error("cancelled");
      });
  EXPECT_THROW(ProgressTask("trees", 1), std::runtime_error);
  ProgressTask task("trees", 1);  // not shadowed by the task whose construction failed
  task.advance();
  EXPECT_EQ(events, (Events{"1"}));
}

TEST(ProgressTask, ExceptionFromTheCallbackLeavesTheReportingCall) {
  const ProgressScope scope(
      [](std::uint64_t, std::uint64_t) { throw std::runtime_error("cancelled"); });
  ProgressTask task("trees", 2);
  EXPECT_THROW(task.advance(), std::runtime_error);
}

}  // namespace
