// Pipeline: nested typed documents, scikit-learn parity, deep parameters, validation.
#include <gtest/gtest.h>

#include <mlpersist/error.hpp>
#include <mlpersist/model_selection.hpp>
#include <mlpersist/persist.hpp>

#include "test_support.hpp"

namespace {

using namespace mlpersist;

std::shared_ptr<Estimator> scaler_svc() {
  auto p = test::registry().create("pipeline.Pipeline");
  dynamic_cast<Composite&>(*p).set_steps(
      {{"scaler", test::registry().create("preprocessing.StandardScaler")},
       {"svc", test::registry().create("svm.SVC")}});
  return p;
}

TEST(Pipeline, ScalerThenSvcMatchesScikitLearn) {
  const Dataset d = test::load_dataset("iris");
  const auto ref = test::load_reference("iris__pipeline_scaler_svc_rbf");
  auto p = scaler_svc();
  p->fit(d.X, d.y);
  const Vector predicted = p->predict(d.X);
  const Vector expected = test::json_vector(ref["predict_train"]);
  EXPECT_GE((predicted.array() == expected.array()).count(), 149) << "of 150";
  EXPECT_LE((p->decision_function(d.X) - test::json_matrix(ref["decision_function_train"]))
                .cwiseAbs()
                .maxCoeff(),
            1e-3);
  const CvResult cv = cross_validate(*p, d.X, d.y, 5);
  for (std::size_t i = 0; i < 5; ++i)
    EXPECT_EQ(cv.scores[i], ref["cv_scores"][static_cast<rapidjson::SizeType>(i)].GetDouble());
}

TEST(Pipeline, DeepParametersReachTheSteps) {
  auto p = scaler_svc();
  Map m;
  m.insert("svc__C", 10.0).insert("scaler__with_mean", false);
  p->set_params(m);
  const Value params = p->get_params();
  EXPECT_EQ(params.as_map().find("svc__C")->as_double(), 10.0);
  EXPECT_FALSE(params.as_map().find("scaler__with_mean")->as_bool());
  EXPECT_EQ(p->repr().rfind("Pipeline(steps=[('scaler', StandardScaler(", 0), 0u) << p->repr();
  Map bad;
  bad.insert("svc__C", 5.0).insert("svc__kernel", "cubic");
  EXPECT_THROW(p->set_params(bad), UsageError);
  EXPECT_EQ(p->get_params().as_map().find("svc__C")->as_double(), 10.0) << "unchanged after error";
  Map unknown_step;
  unknown_step.insert("pca__n_components", 2);
  EXPECT_THROW(p->set_params(unknown_step), UsageError);
}

TEST(Pipeline, NestedStepsRoundTripBitIdentical) {
  const Dataset d = test::load_dataset("iris");
  auto p = scaler_svc();
  p->set_feature_names(d.feature_names);
  p->fit(d.X, d.y);
  test::expect_round_trips_bit_identical(*p, d.X);
  const auto back = loads(test::registry(), dumps(test::registry(), *p, {.format = "json"}));
  EXPECT_EQ(back->repr(), p->repr());
}

// KMeans as a transformer: the next step is fitted on one distance per cluster, so KMeans must
// report that width, or a genuine pipeline would save and then be refused at load.
TEST(Pipeline, KMeansDistancesFeedTheNextStep) {
  const Dataset d = test::load_dataset("iris");
  auto kmeans = test::registry().create("cluster.KMeans");
  Map params;
  params.insert("n_clusters", 3).insert("n_init", 1);
  kmeans->set_params(params);
  auto p = test::registry().create("pipeline.Pipeline");
  dynamic_cast<Composite&>(*p).set_steps(
      {{"kmeans", kmeans}, {"lr", test::registry().create("linear_model.LogisticRegression")}});
  p->fit(d.X, d.y);
  EXPECT_EQ(dynamic_cast<Composite&>(*p).steps()[0].second->n_features_out(), 3);
  test::expect_round_trips_bit_identical(*p, d.X);
}

TEST(Pipeline, HeaderListsEveryNestedType) {
  const Dataset d = test::load_dataset("iris");
  auto p = scaler_svc();
  p->fit(d.X, d.y);
  const auto file = test::temp_dir() / "pipe.bin";
  dump(test::registry(), *p, file);
  const Header h = inspect(file);
  EXPECT_EQ(h.type_tag, "pipeline.Pipeline");
  EXPECT_EQ(h.types.size(), 3u);
  EXPECT_EQ(h.types.count("preprocessing.StandardScaler"), 1u);
  EXPECT_EQ(h.types.count("svm.SVC"), 1u);
}

TEST(Pipeline, LoadRejectsStepsThatDoNotChain) {
  const Dataset d = test::load_dataset("iris");
  auto p = scaler_svc();
  p->fit(d.X, d.y);
  const auto file = test::temp_dir() / "pipe.bin";
  dump(test::registry(), *p, file);
  Document doc = read_document(test::registry(), file);
  // The SVC step now claims 3 input columns while the scaler produces 4.
  Value& svc = doc.root.as_map().find("state")->as_map().find("steps")->as_array()[1];
  *svc.as_map().find("estimator")->as_map().find("n_features_in_") = 3;
  try {
    (void)instantiate(test::registry(), doc);
    FAIL();
  } catch (const SchemaError& e) {
    EXPECT_NE(std::string(e.what()).find("state.steps[1]"), std::string::npos) << e.what();
  }
}

TEST(Pipeline, RejectsNonTransformerBeforeTheEnd) {
  auto p = test::registry().create("pipeline.Pipeline");
  EXPECT_THROW(dynamic_cast<Composite&>(*p).set_steps(
                   {{"svc", test::registry().create("svm.SVC")},
                    {"scaler", test::registry().create("preprocessing.StandardScaler")}}),
               UsageError);
  EXPECT_THROW(p->fit(Matrix::Ones(3, 2), Vector::Ones(3)), UsageError) << "no steps";
}

}  // namespace
