#include "common/classes.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <mlpersist/error.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/value.hpp>
#include <string>
#include <vector>

namespace {

using namespace mlpersist;

Vector vector_of(std::vector<double> values) {
  return Eigen::Map<const Vector>(values.data(), static_cast<Eigen::Index>(values.size()));
}

TEST(Classes, LabelsEncodeAsNumpyUniqueAndBack) {
  const Vector y = vector_of({3, -1, 3, 0.5, -1});
  const std::vector<double> classes = common::unique_labels(y);
  EXPECT_EQ(classes, (std::vector<double>{-1, 0.5, 3}));
  EXPECT_EQ(common::class_indices<std::int32_t>(classes, y),
            (std::vector<std::int32_t>{2, 0, 2, 1, 0}));
  EXPECT_EQ(common::class_indices<double>(classes, y), (std::vector<double>{2, 0, 2, 1, 0}));
}

TEST(Classes, RowMaximumPicksTheFirstOnTies) {
  Matrix scores(3, 3);
  scores << 0.1, 0.7, 0.2,  //
      0.5, 0.2, 0.5,        //
      -3, -1, -1;
  EXPECT_EQ(common::labels_of_row_max(scores, {10, 20, 30}), vector_of({20, 10, 20}));
}

// The error read_classes throws for `classes`, or "" when it accepts them.
std::string refusal(const Value& classes, std::size_t min_count) {
  const Value state = Map{}.insert("classes_", classes);
  try {
    (void)common::read_classes(Node(state, "state")["classes_"], min_count);
    return "";
  } catch (const SchemaError& e) {
    return e.what();
  }
}

Value tensor_of(std::vector<double> values) {
  return Tensor::from_values(std::span<const double>(values));
}

TEST(Classes, ReadAcceptsStrictlyIncreasingFiniteLabels) {
  const Value state = Map{}.insert("classes_", tensor_of({-2, 0, 7.5}));
  EXPECT_EQ(common::read_classes(Node(state, "state")["classes_"], 2),
            (std::vector<double>{-2, 0, 7.5}));
  EXPECT_EQ(refusal(tensor_of({4}), 1), "");
}

TEST(Classes, ReadRefusesWhatPredictCannotMapBack) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const auto& bad : {tensor_of({1, 0}), tensor_of({0, 1, 1}), tensor_of({0, nan}),
                          tensor_of({}), Value(Array{0.0, 1.0})}) {
    const std::string message = refusal(bad, 1);
    EXPECT_NE(message.find("state.classes_"), std::string::npos) << message;
  }
  EXPECT_NE(refusal(tensor_of({1}), 2).find("expected at least 2 classes"), std::string::npos);
  const Value int_classes = Tensor::from_values(std::span<const std::int64_t>({0, 1}));
  EXPECT_NE(refusal(int_classes, 1), "");
}

}  // namespace
