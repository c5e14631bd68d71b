// svm.SVC's schema 1 -> 2 change (the fitted kernel saved as state.kernel_) against the golden
// schema 1 artifacts: the hooks' results, their errors, and downgrades that give back exactly
// what the old code wrote.
#include "svc_migrations.hpp"

#include <gtest/gtest.h>

#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>

#include "schema_v1_fixtures.hpp"
#include "svc.hpp"
#include "test_support.hpp"

namespace {

using namespace mlpersist;
using test::member;

const char* const kBackends[] = {"binary", "json", "msgpack"};

// As the golden svc_iris was fitted: `mlpersist fit svm.SVC --data iris.csv --param C=10`.
std::shared_ptr<Estimator> golden_svc_refitted() {
  const Dataset d = test::load_dataset("iris");
  auto svc = test::registry().create("svm.SVC");
  svc->set_params(Map{}.insert("C", 10.0));
  svc->set_feature_names(d.feature_names);
  svc->fit(d.X, d.y);
  return svc;
}

// As the golden pipeline_iris was fitted (scaler, then a degree 2 polynomial SVC).
std::shared_ptr<Estimator> golden_pipeline_refitted() {
  const Dataset d = test::load_dataset("iris");
  auto p = test::registry().create("pipeline.Pipeline");
  dynamic_cast<Composite&>(*p).set_steps(
      {{"scaler", test::registry().create("preprocessing.StandardScaler")},
       {"svc", test::registry().create("svm.SVC")}});
  p->set_params(Map{}.insert("svc__kernel", "poly").insert("svc__degree", 2));
  p->set_feature_names(d.feature_names);
  p->fit(d.X, d.y);
  return p;
}

// The golden models holding an SVC, fitted again by today's code.
std::vector<std::pair<std::string, std::shared_ptr<Estimator>>> golden_refits() {
  return {{"svc_iris", golden_svc_refitted()}, {"pipeline_iris", golden_pipeline_refitted()}};
}

TEST(SvcMigration, UpgradeMovesGammaIntoTheFittedKernel) {
  const Document golden = test::read_schema_v1("svc_iris");
  const std::string before = test::encode_payload("binary", golden.root);  // a deep copy
  const Value up = svm::upgrade_svc_1_to_2(Node(golden.root, ""));
  EXPECT_TRUE(test::encode_payload("binary", golden.root) == before)
      << "the hook modified its input";
  const Node state = Node(up, "")["state"];
  EXPECT_FALSE(state.find("_gamma").has_value());
  const Node kernel = state["kernel_"];
  EXPECT_EQ(kernel.size(), 4u);
  EXPECT_EQ(kernel["kernel"].as_string(), "rbf");
  EXPECT_EQ(kernel["gamma"].value(), Node(golden.root, "")["state"]["_gamma"].value());
  EXPECT_EQ(kernel["degree"].value(), Value(3));
  EXPECT_EQ(kernel["coef0"].value(), Value(0.0));
  // Everything else is the golden document's, in the golden order, kernel_ last.
  Value expected = golden.root;
  Map& expected_state = member(expected, {"state"}).as_map();
  expected_state.erase("_gamma");
  expected_state.insert("kernel_", kernel.value());
  EXPECT_TRUE(up == expected);
}

TEST(SvcMigration, UpgradedGoldenDocumentIsWhatTodaysCodeSavesForTheSameFit) {
  for (const auto& [model, fitted] : golden_refits()) {
    SCOPED_TRACE(model);
    Document golden = test::read_schema_v1(model);
    upgrade_document(test::registry(), golden);
    EXPECT_TRUE(golden.root == test::saved_document(*fitted).root);
  }
}

TEST(SvcMigration, DowngradeGivesBackTheGoldenDocumentValueForValue) {
  for (const char* backend : kBackends) {
    for (const char* model : {"svc_iris", "pipeline_iris"}) {
      SCOPED_TRACE(std::string(model) + "." + backend);
      test::expect_downgrade_restores(test::read_schema_v1(model, backend), "svm.SVC");
    }
  }
}

TEST(SvcMigration, HooksAloneRoundTripTheGoldenDocument) {
  const Document golden = test::read_schema_v1("svc_iris", "json");
  const Value up = svm::upgrade_svc_1_to_2(Node(golden.root, ""));
  EXPECT_TRUE(svm::downgrade_svc_2_to_1(Node(up, "")) == golden.root);
}

TEST(SvcMigration, DowngradeOfAFreshModelIsWhatTheOldCodeWrote) {
  for (const auto& [model, fitted] : golden_refits()) {
    SCOPED_TRACE(model);
    Document fresh = test::saved_document(*fitted);
    downgrade_document(test::registry(), fresh, "svm.SVC", 1);
    EXPECT_TRUE(fresh.root == test::read_schema_v1(model).root);
  }
}

TEST(SvcMigration, DowngradePutsTheFittedKernelBackIntoTheParameters) {
  auto svc = golden_svc_refitted();
  svc->set_params(Map{}.insert("kernel", "linear").insert("degree", 5).insert("coef0", 2.0));
  const Value down = svm::downgrade_svc_2_to_1(Node(test::saved_document(*svc).root, ""));
  const Node params = Node(down, "")["params"];
  EXPECT_EQ(params["kernel"].as_string(), "rbf");  // a schema 1 reader builds the kernel from them
  EXPECT_EQ(params["degree"].as_int(), 3);
  EXPECT_EQ(params["coef0"].as_double(), 0.0);
  EXPECT_EQ(params["C"].as_double(), 10.0);
  EXPECT_EQ(Node(down, "")["state"]["_gamma"].as_double(),
            dynamic_cast<const svm::SVC&>(*svc).fitted_gamma());
}

TEST(SvcMigration, UnfittedDocumentsAreLeftAlone) {
  const Document unfitted = test::saved_document(*test::registry().create("svm.SVC"));
  EXPECT_TRUE(svm::upgrade_svc_1_to_2(Node(unfitted.root, "")) == unfitted.root);
  EXPECT_TRUE(svm::downgrade_svc_2_to_1(Node(unfitted.root, "")) == unfitted.root);
}

TEST(SvcMigration, UpgradeRefusesABrokenDocumentNamingThePath) {
  const Value golden = test::read_schema_v1("svc_iris").root;
  const auto broken = [&](std::initializer_list<std::string_view> keys, Value replacement) {
    Value doc = golden;
    member(doc, keys) = std::move(replacement);
    return doc;
  };
  Value no_gamma = golden;
  member(no_gamma, {"state"}).as_map().erase("_gamma");
  test::expect_hook_fails_at(svm::upgrade_svc_1_to_2, no_gamma, "state");
  test::expect_hook_fails_at(svm::upgrade_svc_1_to_2, no_gamma, "state.steps[1].estimator.state",
                             "state.steps[1].estimator");
  test::expect_hook_fails_at(svm::upgrade_svc_1_to_2, broken({"state", "_gamma"}, -1.0),
                             "state._gamma");
  test::expect_hook_fails_at(svm::upgrade_svc_1_to_2, broken({"state", "_gamma"}, "scale"),
                             "state._gamma");
  test::expect_hook_fails_at(svm::upgrade_svc_1_to_2, broken({"params", "kernel"}, "cubic"),
                             "params.kernel");
  test::expect_hook_fails_at(svm::upgrade_svc_1_to_2, broken({"params", "degree"}, -1),
                             "params.degree");
  test::expect_hook_fails_at(svm::upgrade_svc_1_to_2, broken({"params", "coef0"}, INFINITY),
                             "params.coef0");
}

TEST(SvcMigration, DowngradeRefusesAnInvalidKernelNamingThePath) {
  Value doc = test::saved_document(*golden_svc_refitted()).root;
  member(doc, {"state", "kernel_", "gamma"}) = 0.0;
  test::expect_hook_fails_at(svm::downgrade_svc_2_to_1, doc, "state.kernel_.gamma");
  member(doc, {"state"}).as_map().erase("kernel_");
  test::expect_hook_fails_at(svm::downgrade_svc_2_to_1, doc, "state");
}

TEST(SvcMigration, AFailingHookLeavesTheNestedDocumentUnchangedAndNamesIt) {
  Document golden = test::read_schema_v1("pipeline_iris");
  member(golden.root, {"state", "steps"})
      .as_array()[1]
      .as_map()
      .find("estimator")
      ->as_map()
      .find("state")
      ->as_map()
      .erase("_gamma");
  const Document before = golden;
  try {
    upgrade_document(test::registry(), golden);
    ADD_FAILURE() << "upgraded an SVC step without _gamma";
  } catch (const SchemaError& e) {
    EXPECT_NE(std::string(e.what()).find("'state.steps[1].estimator.state'"), std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(golden.root == before.root);
  EXPECT_TRUE(golden.header.metadata == before.header.metadata);
}

}  // namespace
