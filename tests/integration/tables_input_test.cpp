// Mixed tables at the estimator boundary (issue 14, items 1 and 6): what each estimator is given
// and refuses, the fitted signature, and hostile states of the new types.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <mlpersist/document.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/spec.hpp>
#include <mlpersist/verify.hpp>

#include "test_support.hpp"

namespace mlpersist {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Table people() {
  Table t;
  t.add_column(Column::number("age", {31, 45, kNaN, 22, 60, 38}));
  t.add_column(Column::string("city", {"oslo", "lima", std::nullopt, "oslo", "Zürich", "lima"}));
  return t;
}

Labels outcome() {
  return Labels(std::vector<std::string>{"stay", "churn", "stay", "churn", "stay", "stay"});
}

std::shared_ptr<Estimator> make(const std::string& tag, Value params = Map{}) {
  Map spec;
  spec.insert("type", tag);
  spec.insert("params", std::move(params));
  return build_estimator(test::registry(), spec);
}

std::string usage_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no UsageError";
  return "";
}

TEST(TablesInput, AStringColumnGivenToANumericEstimatorNamesItAndTheEncoders) {
  auto svc = make("svm.SVC");
  const std::string e = usage_error([&] { svc->fit(people(), outcome()); });
  EXPECT_NE(e.find("column 'city' holds strings"), std::string::npos) << e;
  EXPECT_NE(e.find("OneHotEncoder"), std::string::npos) << e;
}

TEST(TablesInput, MissingValuesAreRefusedNamingTheColumnUnlessTheEstimatorTakesThem) {
  Table t;
  t.add_column(Column::number("income", {1, kNaN, 3}));
  auto lr = make("linear_model.LogisticRegression");
  const Labels y(Vector(Vector::LinSpaced(3, 0, 1).array().round()));
  const std::string e = usage_error([&] { lr->fit(t, y); });
  EXPECT_NE(e.find("column 'income' has a missing value (NaN) in row 1"), std::string::npos) << e;
  EXPECT_NE(e.find("SimpleImputer"), std::string::npos) << e;
  auto imputer = make("impute.SimpleImputer");
  imputer->fit(t, Labels());
  EXPECT_EQ(imputer->transform(t)(1, 0), 2.0);
}

// ColumnTransformer(SimpleImputer on age, OneHotEncoder on city) + a tree, fitted on people().
std::shared_ptr<Estimator> tree_pipeline() {
  Map params;
  params.insert("steps", Array{Array{"ct", "compose.ColumnTransformer"},
                               Array{"clf", "tree.DecisionTreeClassifier"}});
  params.insert("ct__transformers",
                Array{Array{"num", "impute.SimpleImputer", Array{"age"}},
                      Array{"cat", "preprocessing.OneHotEncoder", Array{"city"}}});
  auto model = make("pipeline.Pipeline", params);
  model->fit(people(), outcome());
  return model;
}

TEST(TablesInput, StringLabelsGiveSortedClassesAndStringPredictions) {
  auto model = tree_pipeline();
  EXPECT_EQ(model->class_labels(), (std::vector<std::string>{"churn", "stay"}));
  const Labels predicted = model->predict(people());
  ASSERT_TRUE(predicted.is_string());
  EXPECT_EQ(predicted.strings(), outcome().strings()) << "a tree fits its training set";
  EXPECT_EQ(model->predict_proba(people()).cols(), 2);
  auto loaded = loads(test::registry(), dumps(test::registry(), *model));
  EXPECT_EQ(loaded->predict(people()).strings(), predicted.strings());
  EXPECT_EQ(loaded->feature_types_in(),
            (std::vector<ColumnType>{ColumnType::kNumber, ColumnType::kString}));
}

TEST(TablesInput, ARegressorRefusesStringLabels) {
  Table t;
  t.add_column(Column::number("x", {1, 2}));
  const std::string e = usage_error([&] {
    make("linear_model.Ridge")->fit(t, Labels(std::vector<std::string>{"a", "b"}));
  });
  EXPECT_NE(e.find("only classifiers take string labels"), std::string::npos) << e;
}

TEST(TablesInput, PredictRefusesOtherColumnNamesOrTypesSayingWhich) {
  auto encoder = make("preprocessing.OrdinalEncoder");
  encoder->fit(people(), Labels());
  Table renamed;
  renamed.add_column(Column::number("years", people().column(0).numbers));
  renamed.add_column(people().column(1));
  EXPECT_NE(usage_error([&] {
              (void)encoder->transform(renamed);
            }).find("column 0 is named 'years', but was 'age' in fit"),
            std::string::npos);
  Table retyped;
  retyped.add_column(people().column(0));
  retyped.add_column(Column::number("city", {1, 2, 3, 4, 5, 6}));
  EXPECT_NE(usage_error([&] {
              (void)encoder->transform(retyped);
            }).find("column 1 ('city') holds numbers, but held strings in fit"),
            std::string::npos);
}

TEST(TablesInput, AnUnknownCategoryNamesColumnValueAndRow) {
  auto encoder = make("preprocessing.OneHotEncoder");
  encoder->fit(people(), Labels());
  Table t = people().slice_rows(0, 3);
  Table unseen;
  unseen.add_column(t.column(0));
  unseen.add_column(Column::string("city", {"oslo", "lima", "atlantis"}));
  const std::string e = usage_error([&] { (void)encoder->transform(unseen); });
  EXPECT_NE(e.find("unknown category 'atlantis' in column 'city' (row 2)"), std::string::npos) << e;
}

// Categories sort by code point, as numpy sorts str: 'Z' (U+005A) before 'l'.
TEST(TablesInput, MissingIsACategoryOfItsOwnLast) {
  auto encoder = make("preprocessing.OneHotEncoder");
  encoder->fit(people(), Labels());
  const auto names = encoder->get_feature_names_out();
  EXPECT_EQ(names, (std::vector<std::string>{"age_22.0", "age_31.0", "age_38.0", "age_45.0",
                                             "age_60.0", "age_nan", "city_Zürich", "city_lima",
                                             "city_oslo", "city_nan"}));
}

// A hostile file may pair any state with any signature: each mismatch is a SchemaError.
TEST(TablesInput, HostileEncoderStatesAreRefused) {
  auto encoder = make("preprocessing.OneHotEncoder");
  encoder->fit(people(), Labels());
  test::expect_rejected_edit(*encoder, "categories_", Array{Array{"a"}, Array{"b"}},
                             "categories_[0]");
  test::expect_rejected_edit(
      *encoder, "categories_",
      Array{Tensor::from_values(std::span<const double>(std::vector<double>{3, 1})), Array{"b"}},
      "categories_[0]");
  test::expect_rejected_edit(*encoder, "categories_", Array{Value(Array{"x"})});
  test::expect_rejected_edit(*encoder, "drop_idx_", Array{0, 0});
  auto ordinal = make("preprocessing.OrdinalEncoder");
  ordinal->fit(people(), Labels());
  test::expect_rejected_edit(
      *ordinal, "categories_",
      Array{Tensor::from_values(std::span<const double>(std::vector<double>{1})), Array{"a", "a"}},
      "categories_[1]");
}

// integer_columns_ only renames categories ("x_1" for "x_1.0"), but a file may name any column.
TEST(TablesInput, HostileIntegerColumnsAreRefusedWithTheirPath) {
  Table t;
  Column count = Column::number("count", {1, 2, 1});
  count.integral = true;  // as the CSV reader marks an int64 column
  t.add_column(std::move(count));
  t.add_column(Column::number("rate", {1.5, 2, 2}));
  t.add_column(Column::string("city", {"oslo", "lima", "oslo"}));
  auto encoder = make("preprocessing.OneHotEncoder");
  encoder->fit(t, Labels());
  ASSERT_EQ(encoder->get_feature_names_out()[0], "count_1");
  test::expect_rejected_edit(*encoder, "integer_columns_", Array{1}, "integer_columns_[0]");
  test::expect_rejected_edit(*encoder, "integer_columns_", Array{2}, "integer_columns_[0]");
  test::expect_rejected_edit(*encoder, "integer_columns_", Array{0, 0}, "integer_columns_[1]");
  test::expect_rejected_edit(*encoder, "integer_columns_", Array{3}, "integer_columns_[0]");
}

// A table's verification record (metadata.verification.table) replays exactly; a hostile one
// is refused with its path, or by Limits::max_verification_values, before anything is predicted.
TEST(TablesInput, TableVerificationRecordsReplayAndHostileOnesAreRefused) {
  auto model = tree_pipeline();
  const Value record = make_verification_record(*model, people());
  const VerificationReport ok = replay_verification(*model, record, true);
  ASSERT_FALSE(ok.methods.empty());
  EXPECT_TRUE(ok.passed());
  EXPECT_TRUE(ok.methods[0].labels) << ok.methods[0].method;
  const auto edited = [&](const std::function<void(Array&)>& edit) {
    Value copy = record;
    edit(copy.as_map().find("table")->as_array());
    return copy;
  };
  const auto schema_error = [&](const Value& hostile) {
    try {
      (void)replay_verification(*model, hostile, true);
    } catch (const SchemaError& e) {
      return std::string(e.what());
    }
    return std::string("no SchemaError");
  };
  const Value bad_type = edited([](Array& t) { *t[0].as_map().find("type") = Value("date"); });
  EXPECT_NE(schema_error(bad_type).find("metadata.verification.table[0].type"), std::string::npos)
      << schema_error(bad_type);
  const Value short_column = edited([](Array& t) {
    Array& values = t[1].as_map().find("values")->as_array();
    values.pop_back();
  });
  EXPECT_NE(schema_error(short_column).find("metadata.verification.table[1].values"),
            std::string::npos)
      << schema_error(short_column);
  const Value number_in_strings =
      edited([](Array& t) { t[1].as_map().find("values")->as_array()[0] = Value(1.0); });
  EXPECT_NE(schema_error(number_in_strings).find("table[1].values[0]"), std::string::npos)
      << schema_error(number_in_strings);
  Limits small;
  small.max_verification_values = 4;
  try {
    (void)replay_verification(*model, record, true, small);
    ADD_FAILURE() << "12 values replayed under a limit of 4";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kLimitExceeded) << e.what();
  }
}

TEST(TablesInput, HostileImputerAndColumnTransformerStatesAreRefused) {
  auto imputer = make("impute.SimpleImputer");
  Table numbers;
  numbers.add_column(Column::number("a", {1, kNaN}));
  imputer->fit(numbers, Labels());
  test::expect_rejected_edit(*imputer, "statistics_", Array{"x"});
  test::expect_rejected_edit(*imputer, "indicator_", Map{}, "indicator_");
  Map params;
  params.insert("transformers", Array{Value(Array{"a", "impute.SimpleImputer", Array{"age"}})});
  auto ct = make("compose.ColumnTransformer", params);
  ct->fit(people(), Labels());
  test::expect_rejected_edit(*ct, "transformers_", Array{}, "transformers_");
}

// Found by fuzz_load_columntransformer: a flattened `scale__feature_range` that differs from the
// scaler's own was applied after the scaler had checked min_ against its own, so the model
// loaded and then could not be saved and loaded again. Now it is refused; NaN parameters
// (SimpleImputer's missing_values) still agree with themselves.
TEST(TablesInput, FlattenedParametersMustAgreeWithTheTransformersOwn) {
  Map params;
  params.insert("transformers",
                Array{Value(Array{"scale", "preprocessing.MinMaxScaler", Array{"age"}}),
                      Value(Array{"impute", "impute.SimpleImputer", Array{"age"}})});
  Table ages;
  ages.add_column(Column::number("age", {31, 45, 22, 60}));
  auto ct = make("compose.ColumnTransformer", params);
  ct->fit(ages, Labels());
  const auto back = loads(test::registry(), dumps(test::registry(), *ct, {.format = "json"}));
  EXPECT_TRUE(std::isnan(back->get_params().as_map().find("impute__missing_values")->as_double()));
  for (const double low : {-0.0, -1.0}) {
    const std::string message = test::expect_rejected_edit_in(
        *ct, "params", "scale__feature_range", Array{low, 1.0}, "state.transformers_");
    EXPECT_NE(message.find("scale__feature_range"), std::string::npos) << message;
  }
}

TEST(TablesInput, StringClassLabelsMustBeSortedAndOnAClassifier) {
  Table t;
  t.add_column(Column::number("x", {0, 1, 2, 3}));
  auto tree = make("tree.DecisionTreeClassifier");
  tree->fit(t, Labels(std::vector<std::string>{"b", "a", "b", "a"}));
  const auto file = test::temp_dir() / "labels.mlp";
  dump(test::registry(), *tree, file);
  Document doc = read_document(test::registry(), file);
  *doc.root.as_map().find("class_labels_") = Array{"b", "a"};
  EXPECT_THROW((void)instantiate(test::registry(), doc), SchemaError);
}

// A one-element Array of an Array is spelled Array{Value(Array{...})}: clang reads
// Array{Array{...}} as a copy of the inner array (no nesting), g++ as a list of one array.
TEST(TablesInput, SpecErrorsNameTheJsonPath) {
  Map params;
  params.insert("transformers",
                Array{Value(Array{"a", "preprocessing.OneHotEncoder", Array{"x"}})});
  params.insert("a__drop", "middle");
  const std::string e = usage_error([&] { (void)make("compose.ColumnTransformer", params); });
  EXPECT_NE(e.find("$.params"), std::string::npos) << e;
  EXPECT_NE(e.find("drop must be None, 'first' or 'if_binary'"), std::string::npos) << e;
  Map nested;
  nested.insert("steps", Array{Value(Array{"ct", "compose.ColumnTransformer"})});
  nested.insert("ct__transformers", Array{Value(Array{"a", "no.SuchType", Array{"x"}})});
  const std::string n = usage_error([&] { (void)make("pipeline.Pipeline", nested); });
  EXPECT_NE(n.find("$.params.ct__.a__: unknown estimator type 'no.SuchType'"), std::string::npos)
      << n;
}

}  // namespace
}  // namespace mlpersist
