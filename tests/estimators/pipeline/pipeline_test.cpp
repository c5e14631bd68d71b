// Pipeline: nested typed documents, scikit-learn parity, deep parameters, validation.
#include <gtest/gtest.h>

#include <mlpersist/error.hpp>
#include <mlpersist/model_selection.hpp>
#include <mlpersist/persist.hpp>

#include "parity.hpp"
#include "schema_v1_fixtures.hpp"
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

// Every fitted attribute of scikit-learn's StandardScaler -> SVC pipeline, at the tightest
// bounds that hold. The scaler computes its statistics as scikit-learn's
// _incremental_mean_and_var does, in the same order, so they are equal (measured: 0); the SVC
// retraces libsvm's path on the scaled rows (n_iter_ agrees exactly, so its stopping tolerance
// tol=1e-3 never shows), and its support vectors and coefficients are equal too (measured: 0),
// bounded here as in svc_test.cpp by the kernel's rounding (1e-13 relative). Decision values
// add a sum over the support vectors (measured: 1.7e-15 relative). x86-64 only, as svc_test.cpp
// says why.
constexpr double kStatisticTolerance = 0;
constexpr double kSvcTolerance = 1e-13;
constexpr double kDecisionTolerance = 2e-14;

TEST(Pipeline, ScalerThenSvcMatchesScikitLearn) {
  const Dataset d = test::load_dataset("iris");
  const auto ref = test::load_reference("iris__pipeline_scaler_svc_rbf");
  const auto& fitted = ref["fitted"];
  auto p = scaler_svc();
  p->fit(d.X, d.y);
  Document doc = test::saved_document(*p);
  const Value& steps = test::member(doc.root, {"state", "steps"});
  const Value& scaler = *steps.as_array()[0].as_map().find("estimator");
  const Value& svc = *steps.as_array()[1].as_map().find("estimator");
  test::expect_fitted_state(scaler.as_map().find("state")->as_map(), fitted, "scaler.",
                            {{"mean_", kStatisticTolerance},
                             {"var_", kStatisticTolerance},
                             {"scale_", kStatisticTolerance},
                             {"n_samples_seen_", 0}});
  test::expect_svc_state_matches(svc.as_map().find("state")->as_map(), fitted, "svc.",
                                 kSvcTolerance, kSvcTolerance);
  test::expect_fitted_state(doc.root, fitted, "", {{"n_features_in_", 0}});
  test::expect_fitted_state(scaler, fitted, "scaler.", {{"n_features_in_", 0}});
  test::expect_fitted_state(svc, fitted, "svc.", {{"n_features_in_", 0}});

  EXPECT_TRUE(test::bit_identical(p->predict(d.X), test::json_vector(ref["predict_train"])));
  const double df_error = test::max_rel_error(p->decision_function(d.X),
                                              test::json_matrix(ref["decision_function_train"]));
  test::report("decision_function max rel error", df_error);
  EXPECT_LE(df_error, kDecisionTolerance);
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

// The flattened `scaler__with_mean` and the scaler's own with_mean are written from one value;
// a file where they differ is refused, not loaded with a scaler whose state no longer follows.
TEST(Pipeline, LoadRejectsFlattenedParametersThatDifferFromTheSteps) {
  const Dataset d = test::load_dataset("iris");
  auto p = scaler_svc();
  p->fit(d.X, d.y);
  const std::string message =
      test::expect_rejected_edit_in(*p, "params", "scaler__with_mean", false, "state.steps");
  EXPECT_NE(message.find("scaler__with_mean"), std::string::npos) << message;
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
