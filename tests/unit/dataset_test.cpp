#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <sstream>

#include "test_support.hpp"

namespace {

using namespace mlpersist;

TEST(Dataset, ReadsIrisExactly) {
  const Dataset d = test::load_dataset("iris");
  EXPECT_EQ(d.X.rows(), 150);
  EXPECT_EQ(d.X.cols(), 4);
  EXPECT_EQ(d.feature_names,
            (std::vector<std::string>{"sepal_length", "sepal_width", "petal_length", "petal_width"}));
  EXPECT_EQ(d.X(0, 0), 5.1);
  EXPECT_EQ(d.y(149), 2.0);
}

TEST(Dataset, TargetColumnMayBeAnywhereAndOptional) {
  const Dataset d = parse_csv("a,label,b\n1,0,2\n3,1,4\n", "t.csv", "label", true);
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(d.X(1, 1), 4.0);
  EXPECT_EQ(d.y(1), 1.0);
  const Dataset p = parse_csv("a,b\n1,2\n", "t.csv", "target", false);
  EXPECT_EQ(p.y.size(), 0);
  EXPECT_THROW((void)parse_csv("a,b\n1,2\n", "t.csv", "target", true), UsageError);
}

TEST(Dataset, BadCellNamesFileLineAndColumn) {
  try {
    (void)parse_csv("a,target\n1,0\nx,1\n", "data.csv", "target", true);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("data.csv:3: column 'a': 'x' is not a number"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW((void)parse_csv("a,target\n1\n", "d.csv", "target", true), UsageError);
  EXPECT_THROW((void)parse_csv("", "d.csv", "target", true), UsageError);
}

TEST(Dataset, WrittenNumbersParseBackBitExactly) {
  std::mt19937_64 rng(7);
  Matrix m(200, 3);
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    std::uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    m.data()[i] = std::isfinite(v) ? v : 0.5;
  }
  std::ostringstream out;
  write_csv(out, {"x", "y", "target"}, m);
  const Dataset d = parse_csv(out.str(), "mem", "target", true);
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    EXPECT_EQ(std::memcmp(&d.X(r, 0), &m(r, 0), 8), 0);
    EXPECT_EQ(std::memcmp(&d.y(r), &m(r, 2), 8), 0);
  }
}

}  // namespace
