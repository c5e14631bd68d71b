// `mlpersist fit --spec` and `predict` on a mixed table (issue 14, items 2 and 4).

#include <gtest/gtest.h>

#include <fstream>
#include <mlpersist/dataset.hpp>
#include <mlpersist/persist.hpp>
#include <sstream>

#include "shell_quote.hpp"
#include "test_support.hpp"

namespace mlpersist {
namespace {

namespace fs = std::filesystem;

using mlpersist::test::shell_quoted;

TEST(TablesCli, FitSpecThenPredictPrintsStringLabels) {
  const fs::path model = test::temp_dir() / "churn.bin";
  const fs::path data = test::data_dir() / "churn.csv";
  std::string out, err;
  ASSERT_EQ(
      test::run_cli(
          "fit --spec " + shell_quoted(test::data_dir() / "specs" / "churn__random_forest.json") +
              " --data " + shell_quoted(data) + " --target churn -o " + shell_quoted(model),
          &out, &err),
      0)
      << err;
  ASSERT_EQ(test::run_cli("predict " + shell_quoted(model) + " --data " + shell_quoted(data) +
                              " --target churn",
                          &out, &err),
            0)
      << err;
  // The same model fitted in process predicts the same labels.
  CsvOptions options;
  options.target = "churn";
  const TableDataset table = read_table_csv(data, options);
  const auto loaded = load(test::registry(), model);
  std::string expected = "prediction\n";
  const Labels predicted = loaded->predict(table.X);  // kept: strings() refers into it
  for (const std::string& label : predicted.strings()) expected += label + "\n";
  EXPECT_EQ(out, expected);
  EXPECT_NE(out.find("\nchurn\n"), std::string::npos);
  EXPECT_NE(out.find("\nstay\n"), std::string::npos);
}

TEST(TablesCli, CategoricalColumnsAndTypeChecksAtPredictTime) {
  const fs::path dir = test::temp_dir();
  {
    std::ofstream f(dir / "zip.csv");
    f << "zip,amount,target\n75001,1.5,a\n10115,,b\n75001,2.5,a\n10115,3.5,b\n";
    std::ofstream g(dir / "spec.json");
    g << R"({"type": "pipeline.Pipeline", "params": {
      "steps": [["ct", "compose.ColumnTransformer"], ["tree", "tree.DecisionTreeClassifier"]],
      "ct__transformers": [["zip", "preprocessing.OneHotEncoder", ["zip"]],
                           ["amount", "impute.SimpleImputer", ["amount"]]]}})";
    std::ofstream h(dir / "typed.csv");
    h << "zip,amount\n75001,x\n";
  }
  std::string out, err;
  ASSERT_EQ(test::run_cli("fit --spec " + shell_quoted(dir / "spec.json") + " --data " +
                              shell_quoted(dir / "zip.csv") + " --categorical zip -o " +
                              shell_quoted(dir / "zip.bin"),
                          &out, &err),
            0)
      << err;
  ASSERT_EQ(test::run_cli("predict " + shell_quoted(dir / "zip.bin") + " --data " +
                              shell_quoted(dir / "zip.csv"),
                          &out, &err),
            0)
      << err;
  EXPECT_EQ(out, "prediction\na\nb\na\nb\n") << "zip read as strings, as in fit";
  EXPECT_NE(test::run_cli("predict " + shell_quoted(dir / "zip.bin") + " --data " +
                              shell_quoted(dir / "typed.csv"),
                          &out, &err),
            0);
  EXPECT_NE(err.find("column 1 ('amount') holds strings, but held numbers in fit"),
            std::string::npos)
      << err;
}

// --cv on a table with strings, its scores in the metadata, and verify replaying them and the
// table's verification records from the CSV; a changed CSV fails.
TEST(TablesCli, CrossValidatedTableFitIsVerified) {
  const fs::path dir = test::temp_dir();
  const fs::path data = dir / "churn.csv";
  fs::copy_file(test::data_dir() / "churn.csv", data);
  const fs::path model = dir / "churn.mlp";
  std::string out, err;
  ASSERT_EQ(
      test::run_cli(
          "fit --spec " +
              shell_quoted(test::data_dir() / "specs" / "churn__logistic_regression.json") +
              " --data " + shell_quoted(data) + " --target churn --cv 3 -o " + shell_quoted(model),
          &out, &err),
      0)
      << err;
  EXPECT_NE(out.find("cross-validation (StratifiedKFold(n_splits=3), accuracy):"),
            std::string::npos)
      << out;
  const std::string with_data = " --data " + shell_quoted(data);
  ASSERT_EQ(test::run_cli("verify --json " + shell_quoted(model) + with_data, &out, &err), 0)
      << out << err;
  EXPECT_NE(out.find("\"rerun\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"verification_records\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"compared_as\": \"labels\""), std::string::npos) << out;
  EXPECT_EQ(out.find("\"passed\": false"), std::string::npos) << out;

  // One label changed: the data no longer matches and the folds score differently.
  std::ifstream in(data);
  std::stringstream text;
  text << in.rdbuf();
  std::string csv = text.str();
  const auto first_stay = csv.find(",stay\n");
  ASSERT_NE(first_stay, std::string::npos);
  csv.replace(first_stay, 6, ",churn\n");
  std::ofstream(data, std::ios::trunc) << csv;
  EXPECT_EQ(test::run_cli("verify " + shell_quoted(model) + with_data, &out, &err), 1);
  EXPECT_NE(out.find("changed since training"), std::string::npos) << out;
}

TEST(TablesCli, BadSpecsAndBadCsvGetErrorsWithTheirPlace) {
  const fs::path dir = test::temp_dir();
  {
    std::ofstream f(dir / "bad.json");
    f << R"({"type": "compose.ColumnTransformer", "params": {"transformers": [["a", 1, ["x"]]]}})";
    std::ofstream g(dir / "ragged.csv");
    g << "x,target\n1,a\n2\n";
  }
  std::string out, err;
  EXPECT_NE(test::run_cli("fit --spec " + shell_quoted(dir / "bad.json") + " --data " +
                              shell_quoted(test::data_dir() / "churn.csv") + " -o " +
                              shell_quoted(dir / "x.bin"),
                          &out, &err),
            0);
  EXPECT_NE(err.find("$.params"), std::string::npos) << err;
  EXPECT_NE(
      test::run_cli("fit tree.DecisionTreeClassifier --data " + shell_quoted(dir / "ragged.csv") +
                        " -o " + shell_quoted(dir / "y.bin"),
                    &out, &err),
      0);
  EXPECT_NE(err.find("ragged.csv:3:"), std::string::npos) << err;
}

}  // namespace
}  // namespace mlpersist
