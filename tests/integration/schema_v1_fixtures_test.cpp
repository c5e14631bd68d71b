// The golden artifacts of schema era 1 (tests/fixtures/schema-v1) load with today's code, which
// migrates them, and give bit for bit the outputs the old code gave, in every backend.
#include "schema_v1_fixtures.hpp"

#include <gtest/gtest.h>

#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace {

using namespace mlpersist;

struct Golden {
  const char* model;
  const char* type;
  std::vector<Method> methods;  // those whose outputs the old code recorded
};

const Golden kGolden[] = {
    {"svc_iris", "svm.SVC", {Method::kPredict, Method::kDecisionFunction}},
    {"tree_iris", "tree.DecisionTreeClassifier", {Method::kPredict, Method::kPredictProba}},
    {"forest_iris", "ensemble.RandomForestClassifier", {Method::kPredict, Method::kPredictProba}},
    {"pipeline_iris", "pipeline.Pipeline", {Method::kPredict, Method::kDecisionFunction}},
    {"scaler_iris", "preprocessing.StandardScaler", {Method::kTransform}},
};

const char* const kBackends[] = {"binary", "json", "msgpack"};

class SchemaV1Fixture : public ::testing::TestWithParam<std::tuple<Golden, const char*>> {
 protected:
  const Golden& golden() const { return std::get<0>(GetParam()); }
  const char* backend() const { return std::get<1>(GetParam()); }
};

TEST_P(SchemaV1Fixture, IsStillTheOldCodesSchemaOneArtifact) {
  const Header h = inspect(test::schema_v1_artifact(golden().model, backend()));
  EXPECT_EQ(h.backend, backend());
  EXPECT_EQ(h.type_tag, golden().type);
  EXPECT_EQ(h.schema_version, 1u);
  for (const auto& [tag, version] : h.types) EXPECT_EQ(version, 1u) << tag;
}

TEST_P(SchemaV1Fixture, LoadsAndGivesTheOldOutputsBitForBit) {
  const Matrix X = test::load_dataset("iris").X;
  const auto model = load(test::registry(), test::schema_v1_artifact(golden().model, backend()));
  EXPECT_EQ(model->type_tag(), golden().type);
  for (const Method m : golden().methods) {
    SCOPED_TRACE(std::string(method_name(m)));
    EXPECT_TRUE(test::bit_identical(apply_method(*model, m, X),
                                    test::schema_v1_output(golden().model, method_name(m))));
  }
}

TEST_P(SchemaV1Fixture, ReadsUpgradedToTheSchemaTodaysPluginsWrite) {
  const Document doc =
      read_document(test::registry(), test::schema_v1_artifact(golden().model, backend()));
  for (const auto& [tag, version] : doc.header.types) {
    const TypeInfo* info = test::registry().find_type(tag);
    ASSERT_NE(info, nullptr) << tag;
    EXPECT_EQ(version, info->schema_version) << tag;
  }
  EXPECT_EQ(Node(doc.root, "").find("schema_version")->as_int(),
            test::registry().find_type(golden().type)->schema_version);
}

INSTANTIATE_TEST_SUITE_P(AllBackends, SchemaV1Fixture,
                         ::testing::Combine(::testing::ValuesIn(kGolden),
                                            ::testing::ValuesIn(kBackends)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param).model) + "_" +
                                  std::get<1>(info.param);
                         });

// The migrations a read records: {type, direction, from, to, path, plugin, description}.
std::vector<const Map*> migrations_of(const Document& doc) {
  std::vector<const Map*> out;
  const Value* log = doc.header.metadata.as_map().find("migrations");
  if (log == nullptr) return out;
  for (const Value& entry : log->as_array()) out.push_back(&entry.as_map());
  return out;
}

const Map* migration_at(const Document& doc, const std::string& type, const std::string& path) {
  for (const Map* m : migrations_of(doc))
    if (m->find("type")->as_string() == type && m->find("path")->as_string() == path) return m;
  return nullptr;
}

TEST(SchemaV1Pipeline, ItsSvcStepIsMigratedWhereItIsNested) {
  for (const char* backend : kBackends) {
    SCOPED_TRACE(backend);
    const Document doc =
        read_document(test::registry(), test::schema_v1_artifact("pipeline_iris", backend));
    const Map* svc = migration_at(doc, "svm.SVC", "state.steps[1].estimator");
    ASSERT_NE(svc, nullptr) << "no migration of the SVC step recorded";
    EXPECT_EQ(svc->find("from")->as_int(), 1);
    EXPECT_EQ(svc->find("to")->as_int(), 2);
    EXPECT_EQ(svc->find("plugin")->as_string(), "svm");
    EXPECT_FALSE(svc->find("description")->as_string().empty());
    for (const Map* m : migrations_of(doc))  // nothing else in this pipeline changed schema
      EXPECT_EQ(m->find("type")->as_string(), "svm.SVC");
    const Node step(doc.root, "");
    const Node svc_state = step["state"]["steps"][1]["estimator"]["state"];
    EXPECT_EQ(svc_state["kernel_"]["kernel"].as_string(), "poly");
    EXPECT_EQ(svc_state["kernel_"]["degree"].as_int(), 2);
    EXPECT_FALSE(svc_state.find("_gamma").has_value());
  }
}

TEST(SchemaV1Svc, TheRootIsMigratedAndRecordedOnce) {
  const Document doc =
      read_document(test::registry(), test::schema_v1_artifact("svc_iris", "binary"));
  ASSERT_EQ(migrations_of(doc).size(), 1u);
  const Map* m = migration_at(doc, "svm.SVC", "(root)");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->find("from")->as_int(), 1);
  EXPECT_EQ(m->find("to")->as_int(), 2);
}

TEST(SchemaV1Forest, EveryMemberTreeIsMigratedWithTheForest) {
  const Document doc =
      read_document(test::registry(), test::schema_v1_artifact("forest_iris", "binary"));
  ASSERT_EQ(migrations_of(doc).size(), 1u);
  EXPECT_NE(migration_at(doc, "ensemble.RandomForestClassifier", "(root)"), nullptr);
}

TEST(SchemaV1Svc, WithoutMigrationTheOldStateIsRefusedNotMisread) {
  try {
    (void)load(test::registry(), test::schema_v1_artifact("svc_iris", "binary"),
               {.migrate = false});
    ADD_FAILURE() << "a schema 1 SVC loaded without migration";
  } catch (const SchemaError& e) {
    EXPECT_NE(std::string(e.what()).find("schema_version"), std::string::npos) << e.what();
  }
}

}  // namespace
