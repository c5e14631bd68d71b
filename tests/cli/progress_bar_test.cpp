// The command's progress bar: the line it formats, and when it draws (with a clock the test
// moves by hand).
#include "progress_bar.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <sstream>

namespace {

using namespace mlpersist::cli;

constexpr std::size_t kWide = 200;

std::string line(std::uint64_t done, std::uint64_t total, double elapsed, std::string_view unit,
                 std::size_t width = kWide) {
  return format_progress({"fitting", unit, done, total, elapsed}, width);
}

TEST(FormatBytes, UsesBinaryUnits) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1024), "1.0 KiB");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(23.0 * 1024 * 1024), "23.0 MiB");
  EXPECT_EQ(format_bytes(1.25 * 1024 * 1024 * 1024), "1.2 GiB");
  EXPECT_EQ(format_bytes(3.0 * 1024 * 1024 * 1024 * 1024 * 1024), "3072.0 TiB");
}

TEST(FormatDuration, ShowsMinutesOrHours) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(4.6), "0:05");
  EXPECT_EQ(format_duration(65), "1:05");
  EXPECT_EQ(format_duration(3723), "1:02:03");
  EXPECT_EQ(format_duration(-1), "--:--");
  EXPECT_EQ(format_duration(359999), "99:59:59");
  EXPECT_EQ(format_duration(1e30), "--:--");
  EXPECT_EQ(format_duration(std::numeric_limits<double>::infinity()), "--:--");
  EXPECT_EQ(format_duration(std::numeric_limits<double>::quiet_NaN()), "--:--");
}

TEST(FormatProgress, CountsWithPercentageBarRateAndTimeLeft) {
  // 25 trees in 5 s: 5 it/s, 75 left, 15 s.
  EXPECT_EQ(line(25, 100, 5, "trees", 60),
            "fitting  25% [##........] 25/100 trees  5.00 it/s  ETA 0:15");
}

TEST(FormatProgress, BytesInTheTotalsUnitWithAByteRate) {
  // 10 of 40 MiB in 2 s: 5 MiB/s, 30 MiB left, 6 s.
  const std::uint64_t mib = 1024 * 1024;
  EXPECT_EQ(line(10 * mib, 40 * mib, 2, kBytes, 60),
            "fitting  25% [##.......] 10.0/40.0 MiB  5.0 MiB/s  ETA 0:06");
  EXPECT_EQ(line(512, 2048, 1, kBytes, 60),
            "fitting  25% [###..........] 0.5/2.0 KiB  512 B/s  ETA 0:03");
}

TEST(FormatProgress, UnknownTotalHasNoBarNoPercentageNoTimeLeft) {
  EXPECT_EQ(line(12345, 0, 2, "iterations"), "fitting 12345 iterations  6172 it/s  elapsed 0:02");
  EXPECT_EQ(line(2048, 0, 1, kBytes), "fitting 2.0 KiB  2.0 KiB/s  elapsed 0:01");
}

TEST(FormatProgress, AtZeroTheRateAndTimeLeftAreUnknown) {
  EXPECT_EQ(line(0, 10, 0, "trees", 60),
            "fitting   0% [.............] 0/10 trees  -- it/s  ETA --:--");
  EXPECT_EQ(line(0, 10, 3, "trees", 60),
            "fitting   0% [.............] 0/10 trees  -- it/s  ETA --:--");
}

TEST(FormatProgress, AtTheEndShowsHowLongItTook) {
  EXPECT_EQ(line(10, 10, 4, "trees", 60),
            "fitting 100% [############] 10/10 trees  2.50 it/s  in 0:04");
  // More than announced (an upper bound that was passed) stays at 100%.
  EXPECT_EQ(line(12, 10, 4, "trees", 60),
            "fitting 100% [############] 12/10 trees  3.00 it/s  in 0:04");
}

TEST(FormatProgress, FitsTheWidthDroppingTheBarFirst) {
  for (std::size_t width : {10u, 40u, 60u, 80u, 120u}) {
    const std::string l = line(37, 100, 3, "iterations", width);
    EXPECT_LE(l.size(), width - 1) << l;
  }
  EXPECT_EQ(line(37, 100, 3, "iterations", 55),
            "fitting  37% 37/100 iterations  12.3 it/s  ETA 0:05");
  EXPECT_EQ(line(37, 100, 3, "iterations", 10), "fitting  ");
}

TEST(FormatProgress, RatesScaleWithSuffixes) {
  EXPECT_NE(line(4'560'000, 0, 1, "iterations").find(" 4.56M it/s"), std::string::npos);
  EXPECT_NE(line(12'345, 0, 1, "iterations").find(" 12.3k it/s"), std::string::npos);
  EXPECT_NE(line(950, 0, 1, "iterations").find(" 950 it/s"), std::string::npos);
  EXPECT_NE(line(42, 0, 1, "iterations").find(" 42.0 it/s"), std::string::npos);
}

// A bar on a string stream, with a clock the test sets.
struct ProgressBarTiming : ::testing::Test {
  std::ostringstream out;
  double now = 100.0;
  ProgressBar make(bool enabled = true) {
    return ProgressBar(out, "saving", "trees",
                       {.enabled = enabled, .width = 60, .clock = [this] { return now; }});
  }
  [[nodiscard]] std::ptrdiff_t count(char c) const {
    const std::string text = out.str();
    return std::count(text.begin(), text.end(), c);
  }
};

TEST_F(ProgressBarTiming, StaysQuietDuringTheFirstSecond) {
  ProgressBar bar = make();
  now += 0.5;
  bar.update(1, 10);
  now += 0.49;
  bar.update(2, 10);
  bar.finish();
  EXPECT_EQ(out.str(), "");
}

TEST_F(ProgressBarTiming, DrawsAfterTheDelayAndEndsTheLine) {
  ProgressBar bar = make();
  now += 1.0;
  bar.update(5, 10);
  EXPECT_EQ(out.str(), "\rsaving  50% [######.......] 5/10 trees  5.00 it/s  ETA 0:01");
  now += 1.0;
  bar.update(10, 10);
  bar.finish();
  EXPECT_TRUE(out.str().ends_with("10/10 trees  5.00 it/s  in 0:02\n")) << out.str();
  bar.finish();  // idempotent
  EXPECT_EQ(out.str().back(), '\n');
  EXPECT_EQ(count('\n'), 1);
}

TEST_F(ProgressBarTiming, RedrawsAtMostTenTimesASecond) {
  ProgressBar bar = make();
  now += 1.0;
  bar.update(1, 100);
  for (int i = 2; i <= 50; ++i) {
    now += 0.01;  // 0.49 s of updates every 10 ms
    bar.update(static_cast<std::uint64_t>(i), 100);
  }
  EXPECT_EQ(count('\r'), 5);
}

TEST_F(ProgressBarTiming, FinishDrawsTheLastStateEvenBetweenRedraws) {
  ProgressBar bar = make();
  now += 1.0;
  bar.update(1, 4);
  now += 0.01;
  bar.update(4, 4);  // too soon to redraw
  bar.finish();
  EXPECT_TRUE(out.str().ends_with("4/4 trees  3.96 it/s  in 0:01\n")) << out.str();
}

TEST_F(ProgressBarTiming, DisabledBarNeverDraws) {
  ProgressBar bar = make(/*enabled=*/false);
  now += 5;
  bar.update(5, 10);
  bar.finish();
  EXPECT_EQ(out.str(), "");
}

TEST_F(ProgressBarTiming, NewTaskResetsCountAndRateButNotTheDelay) {
  ProgressBar bar = make();
  now += 0.9;
  bar.start("folds", 5);
  now += 0.2;  // 1.1 s into the operation, 0.2 s into the folds
  bar.update(1, 5);
  EXPECT_EQ(out.str(), "\rsaving  20% [##............] 1/5 folds  5.00 it/s  ETA 0:01");
}

TEST_F(ProgressBarTiming, ShorterLineBlanksWhatTheLongerOneLeft) {
  ProgressBar bar = make();
  now += 1.0;
  bar.update(5, 10);
  const std::size_t first = out.str().size() - 1;
  bar.start("it", 0);
  now += 1.0;
  bar.update(3, 0);
  const std::string second = out.str().substr(first + 1);
  EXPECT_EQ(second.size(), first + 1);  // '\r' and the same width as the first line
  EXPECT_TRUE(second.starts_with("\rsaving 3 it  3.00 it/s  elapsed 0:01 ")) << second;
}

TEST_F(ProgressBarTiming, DestructorEndsTheLine) {
  {
    ProgressBar bar = make();
    now += 2.0;
    bar.update(1, 2);
  }
  EXPECT_EQ(out.str().back(), '\n');
}

TEST_F(ProgressBarTiming, ScopeFeedsFitProgressToTheBar) {
  ProgressBar bar = make();
  {
    const mlpersist::ProgressScope scope = bar.scope();
    mlpersist::ProgressTask task("runs", 2);
    now += 1.0;
    task.advance();
  }
  EXPECT_NE(out.str().find("1/2 runs"), std::string::npos) << out.str();
}

}  // namespace
