#pragma once

// The golden artifacts of schema era 1 (tests/fixtures/schema-v1, see its README.md): written by
// the code before the first schema changes and never regenerated. Tests decode them as the old
// code wrote them and compare today's code against them and against the old code's outputs.

#include <filesystem>
#include <initializer_list>
#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "test_support.hpp"

namespace mlpersist::test {

/// tests/fixtures/schema-v1.
inline std::filesystem::path schema_v1_dir() {
  return std::filesystem::path(MLPERSIST_TEST_DATA_DIR).parent_path() / "fixtures" / "schema-v1";
}

/// `<model>.<backend>.mlp`, e.g. ("svc_iris", "json").
inline std::filesystem::path schema_v1_artifact(std::string_view model, std::string_view backend) {
  return schema_v1_dir() / (std::string(model) + "." + std::string(backend) + ".mlp");
}

/// The artifact's document exactly as the old code wrote it: decoded, not migrated.
inline Document read_schema_v1(std::string_view model, std::string_view backend = "binary") {
  return read_document(registry(), schema_v1_artifact(model, backend), {.migrate = false});
}

/// What the old code's `mlpersist predict --method <method>` wrote for `model` on all of iris
/// (`<model>.<method>.csv`), one column for predict.
inline Matrix schema_v1_output(std::string_view model, std::string_view method) {
  const auto file = schema_v1_dir() / (std::string(model) + "." + std::string(method) + ".csv");
  return read_csv(file, "target", /*target_required=*/false).X;
}

/// The document today's code saves for `estimator` (no envelope, default header).
inline Document saved_document(const Estimator& estimator) {
  SaveContext ctx;
  return {Header{}, ctx.save_nested(estimator)};
}

/// The member of a (nested) map at `keys`, for editing a test's copy of a document.
inline Value& member(Value& map, std::initializer_list<std::string_view> keys) {
  Value* v = &map;
  for (const std::string_view key : keys) {
    v = v->as_map().find(key);
    if (v == nullptr) throw std::out_of_range("no member '" + std::string(key) + "'");
  }
  return *v;
}

/// Expects `hook` (a MigrationFunction) to refuse `document`, read at `root` (the path of a
/// nested document), with a SchemaError naming the document path `blamed`.
template <class Hook>
void expect_hook_fails_at(const Hook& hook, const Value& document, const std::string& blamed,
                          const std::string& root = "") {
  try {
    (void)hook(Node(document, root));
    ADD_FAILURE() << "the hook accepted a document broken at '" << blamed << "'";
  } catch (const SchemaError& e) {
    EXPECT_NE(std::string(e.what()).find("document path '" + blamed + "'"), std::string::npos)
        << e.what();
  }
}

/// Upgrading `golden` (as read_schema_v1 gives it) with the registered hooks and downgrading
/// `type` back to schema 1 gives back exactly the document the old code wrote.
inline void expect_downgrade_restores(const Document& golden, std::string_view type) {
  Document doc = golden;
  upgrade_document(registry(), doc);
  EXPECT_FALSE(doc.root == golden.root) << "nothing was migrated";
  downgrade_document(registry(), doc, type, 1);
  EXPECT_TRUE(doc.root == golden.root);
}

}  // namespace mlpersist::test
