// WeightedMedian: scikit-learn's running weighted median, including where its step-by-step
// bookkeeping parts from the textbook median (forests' absolute_error trees depend on it: see
// ForestRegression.AbsoluteErrorForestsGrowScikitLearnsTrees).
#include "weighted_median.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <random>
#include <utility>
#include <vector>

namespace {

using mlpersist::tree::WeightedMedian;

// A median set of these (value, weight) records, pushed in order, its buffer `capacity` long.
WeightedMedian pushed(std::initializer_list<std::pair<double, double>> records,
                      std::size_t capacity = 0) {
  WeightedMedian m(capacity);
  for (const auto& [value, weight] : records) m.push(value, weight);
  return m;
}

TEST(WeightedMedian, UnitWeightsGiveTheMiddleOrTheMeanOfTheTwoMiddles) {
  WeightedMedian m = pushed({{5.0, 1.0}, {1.0, 1.0}, {3.0, 1.0}}, 2);  // grows past capacity
  EXPECT_EQ(m.median(), 3.0);
  m.push(7.0, 1.0);
  EXPECT_EQ(m.median(), 4.0);
  m.remove(1.0, 1.0);
  EXPECT_EQ(m.median(), 5.0);
  EXPECT_EQ(m.size(), 3U);
}

TEST(WeightedMedian, HeavyRecordsPullTheMedian) {
  WeightedMedian m = pushed({{1.0, 1.0}, {2.0, 5.0}, {0.5, 2.0}});
  EXPECT_EQ(m.median(), 2.0);  // 3 of 8 below 2
  m.push(0.0, 2.0);
  EXPECT_EQ(m.median(), 1.5);  // exactly half (5 of 10) up to 1: the mean of 1 and 2
}

TEST(WeightedMedian, MovesSmallestFirst) {
  WeightedMedian from = pushed({{4.0, 1.0}, {2.0, 1.0}, {9.0, 1.0}}), to;
  from.move_smallest_to(to);
  EXPECT_EQ(to.median(), 2.0);
  EXPECT_EQ(from.median(), 6.5);
  from.move_smallest_to(to);
  EXPECT_EQ(to.median(), 3.0);
  EXPECT_EQ(from.median(), 9.0);
}

// Removing a record equal to the median that sat below k counts, as in scikit-learn, as a
// removal above it: the weight below k is not reduced, and the median of {1 (weight 3), 2
// (weight 3)} comes out 2 where the textbook says 1.5.
TEST(WeightedMedian, KeepsScikitLearnsBookkeepingAfterRemovingAMedianRecord) {
  WeightedMedian m = pushed({{1.0, 3.0}, {1.0, 2.0}, {2.0, 3.0}});
  EXPECT_EQ(m.median(), 1.0);
  m.remove(1.0, 2.0);
  EXPECT_EQ(m.median(), 2.0);
}

TEST(WeightedMedian, RemovingWhatIsNotThereChangesNoRecord) {
  WeightedMedian m = pushed({{1.0, 1.0}, {3.0, 1.0}});
  m.remove(1.0, 2.0);  // same value, other weight
  EXPECT_EQ(m.size(), 2U);
  m.clear();
  EXPECT_EQ(m.size(), 0U);
  m.remove(1.0, 1.0);
  EXPECT_EQ(m.size(), 0U);
}

// Arbitrary pushes and removals of tied values and weights reach states the criterion's own
// sequences may not (k past the live records, records never written): reads stay within the
// buffer (the sanitizer builds check it) and every median is a finite number.
TEST(WeightedMedian, ArbitrarySequencesStayInBounds) {
  std::mt19937 gen(7);
  std::uniform_int_distribution<int> small(1, 4), steps(2, 12);
  for (int sequence = 0; sequence < 20000; ++sequence) {
    WeightedMedian m(2);
    std::vector<std::pair<double, double>> live;
    for (int step = steps(gen); step > 0; --step) {
      if (!live.empty() && small(gen) <= 2) {
        const auto at = live.begin() + static_cast<std::ptrdiff_t>(gen() % live.size());
        m.remove(at->first, at->second);
        live.erase(at);
      } else {
        live.emplace_back(small(gen), small(gen));
        m.push(live.back().first, live.back().second);
      }
      ASSERT_EQ(m.size(), live.size());
      if (m.size() > 0) {
        ASSERT_TRUE(std::isfinite(m.median()));
      }
    }
  }
}

}  // namespace
