// Every registered estimator type through the CLI: fit in one process, predict in another with
// every method it supports, and the outputs equal the in-process model's, bit for bit.
#include <gtest/gtest.h>

#include <mlpersist/persist.hpp>
#include <sstream>

#include "shell_quote.hpp"
#include "test_support.hpp"

namespace {

using namespace mlpersist;
namespace fs = std::filesystem;

// The data set a type is fitted on: regressors on diabetes, everything else on iris.
std::string data_for(const Estimator& e) {
  return e.kind() == EstimatorKind::kRegressor ? "diabetes" : "iris";
}

using mlpersist::test::shell_quoted;

// CSV text the CLI would print for `values` with `header`.
std::string csv(const std::vector<std::string>& header, const Matrix& values) {
  std::ostringstream out;
  write_csv(out, header, values);
  return out.str();
}

std::vector<std::string> column_names(Eigen::Index n) {
  std::vector<std::string> names;
  for (Eigen::Index i = 0; i < n; ++i) names.push_back(std::to_string(i));
  return names;
}

void check_type(const std::string& type, const std::string& extra_args, Estimator& reference) {
  SCOPED_TRACE(type);
  const std::string dataset = data_for(reference);
  const fs::path csv_file = test::data_dir() / (dataset + ".csv");
  const fs::path model = test::temp_dir() / "model.bin";
  std::string out, err;
  ASSERT_EQ(test::run_cli("fit " + type + " --data " + shell_quoted(csv_file) + " " + extra_args +
                              " -o " + shell_quoted(model),
                          &out, &err),
            0)
      << err;
  const Dataset d = test::load_dataset(dataset);
  reference.set_feature_names(d.feature_names);
  reference.fit(d.X, d.y);
  for (Method m :
       {Method::kPredict, Method::kDecisionFunction, Method::kPredictProba, Method::kTransform}) {
    if (!reference.supports(m)) continue;
    const std::string name(method_name(m));
    ASSERT_EQ(test::run_cli("predict " + shell_quoted(model) + " --data " + shell_quoted(csv_file) +
                                " --method " + name,
                            &out, &err),
              0)
        << name << ": " << err;
    if (m == Method::kPredict) {
      EXPECT_EQ(out, csv({"prediction"}, reference.predict(d.X))) << name;
    } else {
      const Matrix expected = m == Method::kDecisionFunction ? reference.decision_function(d.X)
                              : m == Method::kPredictProba   ? reference.predict_proba(d.X)
                                                             : reference.transform(d.X);
      EXPECT_EQ(out, csv(column_names(expected.cols()), expected)) << name;
    }
  }
}

// Randomised estimators are seeded so that the CLI's fit and the in-process fit agree.
std::string seeded(Estimator& e) {
  const Value params = e.get_params();
  if (!params.as_map().contains("random_state")) return "";
  Map m;
  m.insert("random_state", 0);
  e.set_params(m);
  return "--param random_state=0";
}

TEST(CliEstimators, EveryTypeFitsAndPredictsAcrossProcesses) {
  std::size_t checked = 0;
  for (const TypeInfo& t : test::registry().types()) {
    // Composites need steps: Pipeline's test is below, ColumnTransformer's in tables_cli_test.
    if (t.type_tag == "pipeline.Pipeline" || t.type_tag == "compose.ColumnTransformer") continue;
    auto reference = test::registry().create(t.type_tag);
    check_type(t.type_tag, seeded(*reference), *reference);
    ++checked;
  }
  EXPECT_GE(checked, 1u);
}

TEST(CliEstimators, PipelineWithStepsAndDeepParameters) {
  auto reference = test::registry().create("pipeline.Pipeline");
  dynamic_cast<Composite&>(*reference)
      .set_steps({{"scaler", test::registry().create("preprocessing.StandardScaler")},
                  {"svc", test::registry().create("svm.SVC")}});
  Map params;
  params.insert("svc__C", 10.0);
  reference->set_params(params);
  check_type("pipeline.Pipeline",
             "--step scaler=preprocessing.StandardScaler --step svc=svm.SVC --param svc__C=10",
             *reference);
}

TEST(CliEstimators, CrossValidationScoresArePrintedAndKept) {
  const fs::path model = test::temp_dir() / "svc.bin";
  std::string out, err;
  ASSERT_EQ(test::run_cli("fit svm.SVC --cv 5 --data '" + (test::data_dir() / "iris.csv").string() +
                              "' -o '" + model.string() + "'",
                          &out, &err),
            0)
      << err;
  // scikit-learn's cross_val_score(SVC(), X, y, cv=5) on iris, from the reference file.
  EXPECT_NE(out.find("(StratifiedKFold(n_splits=5), accuracy): 0.9666666666666667 "
                     "0.9666666666666667 0.9666666666666667 0.9333333333333333 1\n"),
            std::string::npos)
      << out;
  const Header h = inspect(model);
  const Value* cv = h.metadata.as_map().find("cross_validation");
  ASSERT_NE(cv, nullptr);
  EXPECT_EQ(cv->as_map().find("scores")->as_array().size(), 5u);
}

}  // namespace
