#include <mlpersist/error.hpp>
#include <mlpersist/model_selection.hpp>

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace {

using namespace mlpersist;

// The fold of each sample, as the reference files record it (cv_fold_of_sample).
std::vector<int> fold_of_sample(const std::vector<Split>& splits, Eigen::Index n) {
  std::vector<int> fold(static_cast<std::size_t>(n), -1);
  for (std::size_t f = 0; f < splits.size(); ++f)
    for (auto i : splits[f].test) fold[static_cast<std::size_t>(i)] = static_cast<int>(f);
  return fold;
}

std::vector<int> reference_folds(const std::string& name) {
  const auto ref = test::load_reference(name);
  std::vector<int> folds;
  for (const auto& v : ref["cv_fold_of_sample"].GetArray()) folds.push_back(v.GetInt());
  return folds;
}

TEST(ModelSelection, StratifiedKFoldMatchesScikitLearnOnIris) {
  const Dataset d = test::load_dataset("iris");
  EXPECT_EQ(fold_of_sample(stratified_kfold(d.y, 5), d.y.size()),
            reference_folds("iris__svc_rbf_scale"));
}

TEST(ModelSelection, KFoldMatchesScikitLearnOnDiabetes) {
  const Dataset d = test::load_dataset("diabetes");
  EXPECT_EQ(fold_of_sample(kfold(d.X.rows(), 5), d.X.rows()),
            reference_folds("diabetes__ridge"));
}

TEST(ModelSelection, StratifiedFoldsOfUnevenClassesInDataOrder) {
  Vector y(10);
  y << 2, 2, 1, 2, 1, 2, 2, 1, 2, 2;
  // Seven 2s are dealt 3/2/2 to the folds and three 1s 1/1/1; each class fills its folds in
  // the order its samples appear.
  const auto splits = stratified_kfold(y, 3);
  EXPECT_EQ(fold_of_sample(splits, 10), (std::vector<int>{0, 0, 0, 0, 1, 1, 1, 2, 2, 2}));
  for (const auto& s : splits) EXPECT_EQ(s.train.size() + s.test.size(), 10u);
}

TEST(ModelSelection, RejectsImpossibleSplits) {
  EXPECT_THROW((void)kfold(3, 4), UsageError);
  EXPECT_THROW((void)kfold(3, 1), UsageError);
  Vector y(4);
  y << 0, 0, 1, 1;
  EXPECT_THROW((void)stratified_kfold(y, 3), UsageError);
}

TEST(ModelSelection, CrossValidateSvcMatchesScikitLearnFoldScores) {
  const Dataset d = test::load_dataset("iris");
  const auto ref = test::load_reference("iris__svc_rbf_scale");
  const CvResult r = cross_validate(*test::registry().create("svm.SVC"), d.X, d.y, 5);
  EXPECT_EQ(r.splitter, "StratifiedKFold(n_splits=5)");
  EXPECT_EQ(r.metric, "accuracy");
  ASSERT_EQ(r.scores.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i)
    EXPECT_EQ(r.scores[i], ref["cv_scores"][static_cast<rapidjson::SizeType>(i)].GetDouble()) << i;
}

}  // namespace
