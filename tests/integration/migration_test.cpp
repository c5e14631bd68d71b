// The migration machinery on real artifacts: golden schema-1 files, a failing hook, files from a
// newer deployment, forward-compatible additions, renames and downgrades registered by another
// plugin, and the header's records of what was applied.

#include <gtest/gtest.h>

#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>

#include "test_support.hpp"

namespace mlpersist::test {
namespace {

namespace fs = std::filesystem;

fs::path golden(const std::string& name) {
  return data_dir().parent_path() / "fixtures" / "schema-v1" / name;
}

LoadOptions without_migration() {
  LoadOptions o;
  o.migrate = false;
  return o;
}

const char* const kSvc = "svm.SVC";
const char* const kScaler = "preprocessing.StandardScaler";
const char* const kRidge = "linear_model.Ridge";

// A deployment that predates today's schema versions: every plugin of this build except svm and
// linear_model, whose SVC and Ridge it registers at schema version 1 — with today's classes,
// which read what a schema-1 reader reads and ignore the rest, as an older plugin does.
const Registry& older_deployment() {
  static const Registry r = [] {
    Registry reg;
    for (const auto& entry : fs::directory_iterator(Registry::default_plugin_dirs().front())) {
      const std::string stem = entry.path().stem().string();
      if (stem != "svm" && stem != "linear_model") reg.load_plugin(entry.path());
    }
    reg.add_static_plugin("old_plugins", "0.9.0", [](Registrar& r) {
      r.add_estimator(kSvc, 1, [] { return registry().create(kSvc)->clone(); });
      r.add_estimator(kRidge, 1, [] { return registry().create(kRidge)->clone(); });
    });
    return reg;
  }();
  return r;
}

Registry current_plus(std::string_view name, RegisterFunction extra) {
  Registry reg;
  reg.load_plugins(Registry::default_plugin_dirs());
  reg.add_static_plugin(name, "1.0.0", extra);
  return reg;
}

const Value& migrations_of(const Document& doc) {
  const Value* m = doc.header.metadata.as_map().find("migrations");
  if (m == nullptr) throw std::runtime_error("no migrations recorded");
  return *m;
}

std::string field(const Value& entry, const char* key) {
  const Value& v = *entry.as_map().find(key);
  return v.kind() == Kind::kString ? v.as_string() : std::to_string(v.as_int());
}

std::shared_ptr<Estimator> fitted(const char* tag, const Value& params = Map{}) {
  auto e = registry().create(tag);
  e->set_params(params);
  const Dataset iris = load_dataset("iris");
  e->fit(iris.X, iris.y);
  return e;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(Migration, GoldenSchemaOneFilesUpgradeAndRecordEachStep) {
  for (const std::string& backend : backend_names()) {
    const Document doc = read_document(registry(), golden("svc_iris." + backend + ".mlp"));
    EXPECT_EQ(doc.header.schema_version, registry().find_type(kSvc)->schema_version);
    EXPECT_EQ(doc.header.types.at(kSvc), registry().find_type(kSvc)->schema_version);
    const Array& steps = migrations_of(doc).as_array();
    ASSERT_EQ(steps.size(), registry().find_type(kSvc)->schema_version - 1u) << backend;
    EXPECT_EQ(field(steps[0], "type"), kSvc);
    EXPECT_EQ(field(steps[0], "direction"), "upgrade");
    EXPECT_EQ(field(steps[0], "from"), "1");
    EXPECT_EQ(field(steps[0], "to"), "2");
    EXPECT_EQ(field(steps[0], "path"), "(root)");
    EXPECT_EQ(field(steps[0], "plugin"), "svm");
  }
}

TEST(Migration, NestedDocumentsAreUpgradedWhereTheyLie) {
  const Document doc = read_document(registry(), golden("pipeline_iris.json.mlp"));
  bool svc_step = false;
  for (const Value& step : migrations_of(doc).as_array())
    if (field(step, "type") == kSvc) {
      svc_step = true;
      EXPECT_EQ(field(step, "path"), "state.steps[1].estimator");
    }
  EXPECT_TRUE(svc_step);
  EXPECT_EQ(doc.header.types.at(kSvc), registry().find_type(kSvc)->schema_version);
  EXPECT_NO_THROW((void)instantiate(registry(), doc));
}

TEST(Migration, NotMigratingLeavesOldDocumentsUnloadable) {
  const Document doc =
      read_document(registry(), golden("svc_iris.binary.mlp"), without_migration());
  EXPECT_EQ(doc.header.schema_version, 1u);
  EXPECT_FALSE(doc.header.metadata.as_map().contains("migrations"));
  const std::string what = message_of([&] { (void)instantiate(registry(), doc); });
  EXPECT_NE(what.find("LoadOptions::migrate"), std::string::npos) << what;
}

TEST(Migration, FailingHookNamesItselfAndThePathAndChangesNothing) {
  for (const char* file : {"svc_iris.msgpack.mlp", "pipeline_iris.msgpack.mlp"}) {
    Document doc = read_document(registry(), golden(file), without_migration());
    const bool nested = std::string(file).starts_with("pipeline");
    Value& root = doc.root;
    Value* svc = &root;
    if (nested) {
      Value& steps = *root.as_map().find("state")->as_map().find("steps");
      svc = steps.as_array()[1].as_map().find("estimator");
    }
    ASSERT_TRUE(svc->as_map().find("state")->as_map().erase("_gamma"));
    const Document before = doc;
    const std::string what = message_of([&] { upgrade_document(registry(), doc); });
    EXPECT_NE(what.find("upgrade hook of 'svm.SVC' from schema 1 to 2 (plugin 'svm')"),
              std::string::npos)
        << what;
    const std::string path = nested ? "state.steps[1].estimator" : "(root)";
    EXPECT_NE(what.find("document at '" + path + "'"), std::string::npos) << what;
    EXPECT_NE(what.find("_gamma"), std::string::npos) << what;
    EXPECT_EQ(doc.root, before.root);
    EXPECT_EQ(doc.header.types, before.header.types);
    EXPECT_EQ(doc.header.metadata, before.header.metadata);
  }
}

TEST(Migration, NewerSchemaIsRefusedBeforeDecodingInEveryBackend) {
  const auto svc = fitted(kSvc);
  for (const std::string& backend : backend_names()) {
    const std::string bytes = dumps(registry(), *svc, {.format = backend});
    try {
      (void)loads(older_deployment(), bytes);
      ADD_FAILURE() << backend << ": a schema-2 SVC loaded in a schema-1 deployment";
    } catch (const CompatibilityError& e) {
      const std::string what = e.what();
      EXPECT_EQ(e.code(), ErrorCode::kSchemaTooNew);
      EXPECT_NE(what.find("type 'svm.SVC' was saved with schema version 2, which needs a "
                          "reader of schema 2"),
                std::string::npos)
          << what;
      EXPECT_NE(what.find("plugin 'old_plugins' reads up to schema 1"), std::string::npos)
          << what;
    }
  }
}

TEST(Migration, NewerContainerIsRefusedInEveryBackend) {
  const auto svc = fitted(kSvc);
  for (const std::string& backend : backend_names()) {
    std::string bytes = dumps(registry(), *svc, {.format = backend});
    bytes[10] = kContainerVersion + 1;  // oldest container version that can read the file
    try {
      (void)loads(registry(), bytes);
      ADD_FAILURE() << backend;
    } catch (const CompatibilityError& e) {
      EXPECT_EQ(e.code(), ErrorCode::kContainerTooNew);
      EXPECT_NE(std::string(e.what()).find("Upgrade mlpersist"), std::string::npos);
    }
  }
}

Matrix golden_outputs(const std::string& name) {
  return read_csv(golden(name), "target", /*target_required=*/false).X;
}

// Ridge's schema 2 only added the optional solver_: files keep min_reader_version 1.
TEST(Migration, AdditiveChangeKeepsOlderReadersWorkingBothWays) {
  const Dataset diabetes = load_dataset("diabetes");
  const Matrix old_predictions = golden_outputs("ridge_diabetes.predict.csv");
  for (const std::string& backend : backend_names()) {
    // Old file, new reader: the identity upgrade, the same predictions bit for bit.
    const auto upgraded = load(registry(), golden("ridge_diabetes." + backend + ".mlp"));
    EXPECT_TRUE(bit_identical(Matrix(upgraded->predict(diabetes.X)), old_predictions));
    // New file (written by today's code, committed), old reader: it loads and ignores solver_.
    const fs::path written_today = data_dir().parent_path() / "fixtures" / "schema-v2" /
                                   ("ridge_diabetes." + backend + ".mlp");
    EXPECT_EQ(inspect(written_today).min_reader_versions.at(kRidge), 1u);
    const auto old_reader = load(older_deployment(), written_today);
    EXPECT_TRUE(bit_identical(Matrix(old_reader->predict(diabetes.X)), old_predictions));
  }
}

// SVC's schema 2 was breaking: an old reader refuses today's files (see NewerSchemaIs...) and
// today's code writes schema-1 files for it through the downgrade hook.
TEST(Migration, DowngradeWritesWhatTheOldCodeWrote) {
  const fs::path file = temp_dir() / "ridge.mlp";
  auto ridge = registry().create(kRidge);
  ridge->set_params(Map{}.insert("alpha", 0.5));
  const Dataset diabetes = load_dataset("diabetes");
  ridge->fit(diabetes.X, diabetes.y);
  dump(registry(), *ridge, file, {.format = "msgpack"});
  Document doc = read_document(registry(), file);
  downgrade_document(registry(), doc, kRidge, 1);
  EXPECT_EQ(doc.header.types.at(kRidge), 1u);
  EXPECT_TRUE(doc.header.min_reader_versions.empty());
  const Document golden_doc =
      read_document(registry(), golden("ridge_diabetes.msgpack.mlp"), without_migration());
  EXPECT_EQ(*doc.root.as_map().find("state"), *golden_doc.root.as_map().find("state"));
  EXPECT_EQ(field(migrations_of(doc).as_array().back(), "direction"), "downgrade");

  const std::string missing =
      message_of([&] { downgrade_document(registry(), doc, kRidge, 3); });
  EXPECT_NE(missing.find("versions 1 to 2 exist"), std::string::npos) << missing;
}

TEST(Migration, RenamedTagLoadsThroughAnotherPluginsRename) {
  // A file written when the scaler's tag still carried scikit-learn's private module path.
  Document doc = read_document(registry(), golden("scaler_iris.json.mlp"), without_migration());
  const std::string old_tag = "preprocessing._data.StandardScaler";
  *doc.root.as_map().find("type") = old_tag;
  doc.header.type_tag = old_tag;
  doc.header.types = {{old_tag, 1}};
  const fs::path file = temp_dir() / "renamed.mlp";
  write_document(registry(), doc, "json", file);

  const std::string unknown = message_of([&] { (void)load(registry(), file); });
  EXPECT_NE(unknown.find("no loaded plugin provides type(s): " + old_tag), std::string::npos)
      << unknown;

  const Registry with_rename = current_plus("compat", [](Registrar& r) {
    r.add_rename("preprocessing._data.StandardScaler", "preprocessing.StandardScaler");
  });
  const Document migrated = read_document(with_rename, file);
  EXPECT_EQ(migrated.header.type_tag, kScaler);
  const Array& steps = migrations_of(migrated).as_array();
  ASSERT_GE(steps.size(), 1u);
  EXPECT_EQ(field(steps[0], "direction"), "rename");
  EXPECT_EQ(field(steps[0], "renamed_from"), old_tag);
  EXPECT_EQ(field(steps[0], "plugin"), "compat");
  const Dataset iris = load_dataset("iris");
  EXPECT_TRUE(bit_identical(instantiate(with_rename, migrated)->transform(iris.X),
                            load(registry(), golden("scaler_iris.json.mlp"))->transform(iris.X)));
}

TEST(Migration, DuplicateHooksAreRefusedAtRegistration) {
  Registry reg;
  reg.load_plugins(Registry::default_plugin_dirs());
  try {
    reg.add_static_plugin("again", "1.0.0", [](Registrar& r) {
      r.add_upgrade("svm.SVC", 1, "a second 1 -> 2", [](const Node& d) { return d.value(); });
    });
    ADD_FAILURE() << "a second SVC 1 -> 2 hook was accepted";
  } catch (const PluginError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kDuplicate);
    EXPECT_NE(std::string(e.what()).find("already registered by plugin 'svm'"), std::string::npos);
  }
  EXPECT_EQ(reg.find_migration(kSvc, 1, MigrationDirection::kUpgrade)->info.plugin, "svm");
}

}  // namespace
}  // namespace mlpersist::test
