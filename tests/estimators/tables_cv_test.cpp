// Cross-validation on a mixed table (issue 14, `fit --cv` on tables): the row gather, the folds
// of string labels, the scores of the churn pipeline fold by fold, and scikit-learn's.

#include <gtest/gtest.h>

#include <fstream>
#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/model_selection.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/spec.hpp>
#include <sstream>

#include "test_support.hpp"

namespace mlpersist {
namespace {

constexpr std::size_t kRows = 600;  // enough for three folds of every class, and quick

TableDataset churn() {
  CsvOptions options;
  options.target = "churn";
  TableDataset d = read_table_csv(test::data_dir() / "churn.csv", options);
  std::vector<std::string> labels = d.y.strings();
  labels.resize(kRows);
  return {d.X.slice_rows(0, kRows), Labels(std::move(labels)), d.target_name};
}

Value json_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return parse_json_text(text.str(), file.string(), Limits{});
}

std::shared_ptr<Estimator> pipeline(const std::string& name) {
  return build_estimator(test::registry(),
                         json_file(test::data_dir() / "specs" / ("churn__" + name + ".json")));
}

std::shared_ptr<Estimator> logistic_pipeline() {
  return pipeline("logistic_regression");
}

TEST(TablesCv, TakeRowsCopiesTheListedRowsInOrder) {
  Table t;
  t.add_column(Column::number("n", {0, 1, 2, 3}));
  t.add_column(Column::string("s", {"a", std::nullopt, "c", "d"}));
  const Table picked = take_rows(t, {3, 1, 1});
  ASSERT_EQ(picked.rows(), 3u);
  EXPECT_EQ(picked.column(0).numbers, (std::vector<double>{3, 1, 1}));
  EXPECT_EQ(picked.column(1).strings, (std::vector<StringCell>{"d", std::nullopt, std::nullopt}));
  EXPECT_EQ(picked.names(), t.names());
  EXPECT_NE(&picked.column(0), &t.column(0)) << "a fold shares no column with the table";
  EXPECT_THROW((void)take_rows(t, {4}), UsageError);
  EXPECT_THROW((void)take_rows(t, {-1}), UsageError);
  const Labels y = take_rows(Labels(std::vector<std::string>{"x", "y", "z", "w"}), {2, 0});
  EXPECT_EQ(y.strings(), (std::vector<std::string>{"z", "x"}));
}

// StratifiedKFold numbers classes by first appearance, so the codes of string labels give the
// folds that the numbers of the same labels give.
TEST(TablesCv, StringLabelsAreStratifiedAsTheirCodes) {
  const std::vector<std::string> labels{"stay", "churn", "stay", "stay", "churn", "stay", "churn"};
  const std::vector<Split> by_code =
      stratified_kfold(encode_labels(labels, sorted_classes(labels)), 2);
  Vector numbers(7);
  numbers << 5, 9, 5, 5, 9, 5, 9;
  const std::vector<Split> by_number = stratified_kfold(numbers, 2);
  ASSERT_EQ(by_code.size(), by_number.size());
  for (std::size_t f = 0; f < by_code.size(); ++f) EXPECT_EQ(by_code[f].test, by_number[f].test);
}

TEST(TablesCv, ScoresAreTheAccuracyOfEachFoldFittedAlone) {
  const TableDataset d = churn();
  const auto prototype = logistic_pipeline();
  const CvResult r = cross_validate(*prototype, d.X, d.y, 3);
  EXPECT_EQ(r.splitter, "StratifiedKFold(n_splits=3)");
  EXPECT_EQ(r.metric, "accuracy");
  const auto& labels = d.y.strings();
  const auto splits = stratified_kfold(encode_labels(labels, sorted_classes(labels)), 3);
  ASSERT_EQ(r.scores.size(), splits.size());
  double sum = 0;
  for (std::size_t f = 0; f < splits.size(); ++f) {
    auto model = prototype->clone();
    model->fit(take_rows(d.X, splits[f].train), take_rows(d.y, splits[f].train));
    const Labels predicted = model->predict(take_rows(d.X, splits[f].test));
    std::size_t right = 0;
    for (std::size_t i = 0; i < splits[f].test.size(); ++i)
      right += predicted.strings()[i] == labels[static_cast<std::size_t>(splits[f].test[i])];
    const double accuracy = static_cast<double>(right) / static_cast<double>(splits[f].test.size());
    EXPECT_EQ(r.scores[f], accuracy) << "fold " << f;
    sum += accuracy;
  }
  EXPECT_DOUBLE_EQ(r.mean, sum / 3);
  EXPECT_GT(r.mean, 0.6) << "the churn pipeline predicts better than chance";
}

// scikit-learn's cross_val_score(model, X, y, cv=5) on the whole table, from
// tests/data/gen_tables_references.py: the same folds and the same predictions give the same
// accuracies, exactly.
TEST(TablesCv, ScoresEqualScikitLearnsCrossValScore) {
  CsvOptions options;
  options.target = "churn";
  const TableDataset d = read_table_csv(test::data_dir() / "churn.csv", options);
  const Value reference = json_file(test::data_dir() / "references" / "churn__cv.json");
  const Node scores = Node(reference, "churn__cv.json")["scores"];
  ASSERT_EQ(scores.as_map().size(), 2u);
  for (const auto& [name, expected] : scores.as_map()) {
    const CvResult r = cross_validate(*pipeline(name), d.X, d.y, 5);
    ASSERT_EQ(r.scores.size(), expected.as_array().size()) << name;
    for (std::size_t f = 0; f < r.scores.size(); ++f)
      EXPECT_EQ(r.scores[f], expected.as_array()[f].as_double()) << name << " fold " << f;
  }
}

// Regressors get plain KFold and R² of their numeric predictions, fold by fold.
TEST(TablesCv, RegressorsAreScoredWithR2OnKFold) {
  const TableDataset d = churn();
  const Table X = take_rows(d.X, [] {
    std::vector<Eigen::Index> rows(60);
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<Eigen::Index>(i);
    return rows;
  }());
  Vector target(60);
  for (Eigen::Index i = 0; i < 60; ++i) target(i) = 0.5 * static_cast<double>(i % 7) + 1;
  const Labels y(target);
  Map params;
  params.insert(
      "steps", Array{Array{"ct", "compose.ColumnTransformer"}, Array{"reg", "linear_model.Ridge"}});
  params.insert("ct__transformers",
                Array{Array{"num", "impute.SimpleImputer", Array{"tenure", "age"}},
                      Array{"cat", "preprocessing.OneHotEncoder", Array{"contract"}}});
  params.insert("ct__cat__handle_unknown", "ignore");
  Map spec;
  spec.insert("type", "pipeline.Pipeline");
  spec.insert("params", std::move(params));
  const auto prototype = build_estimator(test::registry(), spec);
  const CvResult r = cross_validate(*prototype, X, y, 3);
  EXPECT_EQ(r.splitter, "KFold(n_splits=3)");
  EXPECT_EQ(r.metric, "r2");
  const auto splits = kfold(60, 3);
  ASSERT_EQ(r.scores.size(), 3u);
  for (std::size_t f = 0; f < 3; ++f) {
    auto model = prototype->clone();
    model->fit(take_rows(X, splits[f].train), take_rows(y, splits[f].train));
    const Labels predicted = model->predict(take_rows(X, splits[f].test));
    EXPECT_EQ(r.scores[f], r2_score(take_rows(target, splits[f].test), predicted.numbers()))
        << "fold " << f;
  }
  EXPECT_THROW((void)cross_validate(*prototype, X, Labels(std::vector<std::string>(60, "a")), 3),
               UsageError);
}

TEST(TablesCv, EstimatorsWithoutATableScoreAreRefused) {
  const TableDataset d = churn();
  Map spec;
  spec.insert("type", "preprocessing.OneHotEncoder");
  spec.insert("params", Map{});
  const auto encoder = build_estimator(test::registry(), spec);
  EXPECT_THROW((void)cross_validate(*encoder, d.X, d.y, 3), UsageError);
  EXPECT_THROW((void)cross_validate(*logistic_pipeline(), d.X, Labels(), 3), UsageError);
}

}  // namespace
}  // namespace mlpersist
