// The store commands of `mlpersist`, run as separate processes: push, pull, models, versions,
// alias, search, STORE#NAME@REF for the commands that read models, and migrate --all.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mlpersist/json_text.hpp>
#include <string>

#include "shell_quote.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using mlpersist::Value;
using mlpersist::test::run_cli;

using mlpersist::test::shell_quoted;

std::string read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class StoreCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = mlpersist::test::temp_dir();
    store_ = "sqlite://" + (dir_ / "models.db").string();
    // The command's cache; the variable is inherited by every command this test runs.
    ::setenv("MLPERSIST_CACHE_DIR", (dir_ / "cache").c_str(), 1);
  }

  // Runs the command and expects success; returns stdout.
  std::string ok(const std::string& args) {
    std::string out;
    std::string err;
    EXPECT_EQ(run_cli(args, &out, &err), 0) << args << "\n" << err;
    return out;
  }

  fs::path fit(const std::string& name, const std::string& extra = "") {
    const fs::path model = dir_ / name;
    (void)ok("fit svm.SVC --data " + iris() + " " + extra + " -o " + shell_quoted(model.string()));
    return model;
  }

  static std::string iris() {
    return shell_quoted((mlpersist::test::data_dir() / "iris.csv").string());
  }

  fs::path dir_;
  std::string store_;
};

TEST_F(StoreCli, PushPrintsVersionsAndPredictReadsByAlias) {
  const fs::path model = fit("churn.bin", "--meta owner=ml-team");
  EXPECT_EQ(ok("push " + shell_quoted(model.string()) + " " + store_ +
               " --name churn --alias production"),
            "1\n");
  EXPECT_EQ(ok("push " + shell_quoted(model.string()) + " " + store_ + " --name churn"), "2\n");
  const std::string from_file = ok("predict " + shell_quoted(model.string()) + " --data " + iris());
  EXPECT_EQ(ok("predict " + shell_quoted(store_ + "#churn@production") + " --data " + iris()),
            from_file);
  (void)ok("pull " + store_ + " churn@production -o " + shell_quoted((dir_ / "back.bin").string()));
  EXPECT_EQ(read_all(dir_ / "back.bin"), read_all(model));
  const std::string header = ok("inspect " + shell_quoted(store_ + "#churn@2") + " --json");
  EXPECT_NE(header.find("\"svm.SVC\""), std::string::npos) << header;
  EXPECT_EQ(ok("show " + shell_quoted(store_ + "#churn")),
            ok("show " + shell_quoted(model.string())));
  (void)ok("verify " + shell_quoted(store_ + "#churn@1") + " --data " + iris());
}

TEST_F(StoreCli, ModelsVersionsAliasAndSearch) {
  const fs::path model = fit("m.bin", "--meta owner=ml-team");
  (void)ok("push " + shell_quoted(model.string()) + " " + store_ + " --name churn");
  (void)ok("push " + shell_quoted(model.string()) + " " + store_ + " --name churn");
  (void)ok("alias " + store_ + " churn@2 staging");
  const Value models = mlpersist::parse_json_text(ok("models " + store_ + " --json"), "<models>",
                                                  mlpersist::Limits{});
  ASSERT_EQ(models.as_array().size(), 1u);
  const Value& churn = models.as_array()[0];
  EXPECT_EQ(churn.as_map().find("versions")->as_int(), 2);
  EXPECT_EQ(churn.as_map().find("aliases")->as_array().size(), 1u);
  const std::string versions = ok("versions " + store_ + " churn");
  EXPECT_NE(versions.find("churn@2"), std::string::npos) << versions;
  EXPECT_NE(versions.find("alias staging -> 2"), std::string::npos) << versions;
  const std::string found =
      ok("search " + store_ + " --where type=svm.SVC --where user.owner=ml-team");
  EXPECT_NE(found.find("churn@1"), std::string::npos) << found;
  EXPECT_NE(found.find("churn@2"), std::string::npos) << found;
  EXPECT_EQ(ok("search " + store_ + " --where user.owner=nobody"), "");
}

TEST_F(StoreCli, MissingNamesAndHostileNamesFailWithOneLine) {
  const fs::path model = fit("m.bin");
  std::string err;
  EXPECT_EQ(run_cli("push " + shell_quoted(model.string()) + " " + store_ +
                        " --name \"x'; DROP TABLE models;--\"",
                    nullptr, &err),
            1);
  EXPECT_NE(err.find("model name"), std::string::npos) << err;
  EXPECT_EQ(run_cli("predict " + shell_quoted(store_ + "#nothing@production") + " --data " + iris(),
                    nullptr, &err),
            1);
  EXPECT_NE(err.find("no model named 'nothing'"), std::string::npos) << err;
  // The allowlist applies to a stored model exactly as to a file.
  (void)ok("push " + shell_quoted(model.string()) + " " + store_ + " --name churn");
  EXPECT_EQ(run_cli("predict " + shell_quoted(store_ + "#churn") + " --data " + iris() +
                        " --allow-type tree.DecisionTreeClassifier",
                    nullptr, &err),
            1);
  EXPECT_NE(err.find("outside the allowed set"), std::string::npos) << err;
}

TEST_F(StoreCli, MigrateAllUpgradesStoredVersionsAndDryRunStoresNothing) {
  const fs::path v1 =
      fs::path(MLPERSIST_TEST_DATA_DIR) / ".." / "fixtures" / "schema-v1" / "svc_iris.binary.mlp";
  (void)ok("push " + shell_quoted(v1.string()) + " " + store_ + " --name old");
  const std::string dry = ok("migrate " + store_ + " --all --dry-run");
  EXPECT_NE(dry.find("old@1: would be upgraded"), std::string::npos) << dry;
  EXPECT_EQ(ok("versions " + store_ + " old").find("old@2"), std::string::npos);
  const std::string done = ok("migrate " + store_ + " --all");
  EXPECT_NE(done.find("old@1 -> old@2"), std::string::npos) << done;
  EXPECT_NE(ok("migrate " + store_ + " --all").find("up to date"), std::string::npos);
  // A single stored version migrates into the next version of its model.
  (void)ok("push " + shell_quoted(v1.string()) + " " + store_ + " --name single");
  EXPECT_NE(ok("migrate " + shell_quoted(store_ + "#single@1")).find("pushed single@2"),
            std::string::npos);
}

}  // namespace
