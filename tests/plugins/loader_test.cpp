#include <mlpersist/error.hpp>
#include <mlpersist/registry.hpp>

#include <gtest/gtest.h>

#include <filesystem>

#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using mlpersist::ErrorCode;
using mlpersist::PluginError;
using mlpersist::Registry;

fs::path fixture(const std::string& name) {
  return fs::path(MLPERSIST_FIXTURE_DIR) / name / ("fixture_" + name + ".so");
}

// Runs `f`, expecting a PluginError whose message names the plugin file and contains `needle`.
template <class F>
void expect_plugin_error(F f, const fs::path& file, const std::string& needle, ErrorCode code) {
  try {
    f();
    FAIL() << "expected a PluginError for " << file;
  } catch (const PluginError& e) {
    EXPECT_EQ(e.code(), code);
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(PluginLoader, LoadsPluginAndReportsWhatItRegistered) {
  Registry r;
  const auto& info = r.load_plugin(fixture("good"));
  EXPECT_EQ(info.name, "fixture_good");
  EXPECT_EQ(info.version, "1.2.3");
  EXPECT_EQ(info.path, fixture("good"));
  ASSERT_EQ(info.type_tags, std::vector<std::string>{"test.Constant"});
  ASSERT_NE(r.find_type("test.Constant"), nullptr);
  EXPECT_EQ(r.find_type("test.Constant")->plugin, "fixture_good");
  EXPECT_EQ(r.create("test.Constant")->type_tag(), "test.Constant");
}

TEST(PluginLoader, RefusesPluginBuiltForAnotherAbiBeforeRunningIt) {
  Registry r;
  // The fixture's register function aborts: reaching it would kill the test.
  expect_plugin_error([&] { r.load_plugin(fixture("wrong_abi")); }, fixture("wrong_abi"),
                      "built for plugin ABI", ErrorCode::kPlugin);
  EXPECT_TRUE(r.plugins().empty());
}

TEST(PluginLoader, RefusesLibraryWithoutEntrySymbol) {
  Registry r;
  expect_plugin_error([&] { r.load_plugin(fixture("no_entry")); }, fixture("no_entry"),
                      "has no 'mlpersist_plugin' entry", ErrorCode::kPlugin);
}

TEST(PluginLoader, RefusesFileThatIsNotALibrary) {
  Registry r;
  const fs::path garbage = fs::path(MLPERSIST_FIXTURE_DIR) / "not_a_library" / "garbage.so";
  expect_plugin_error([&] { r.load_plugin(garbage); }, garbage, "not a loadable shared library",
                      ErrorCode::kPlugin);
}

TEST(PluginLoader, RefusesDuplicateTypeTagAndKeepsTheFirst) {
  Registry r;
  r.load_plugin(fixture("good"));
  expect_plugin_error([&] { r.load_plugin(fixture("duplicate")); }, fixture("duplicate"),
                      "type tag 'test.Constant' is already provided by plugin 'fixture_good'",
                      ErrorCode::kDuplicate);
  EXPECT_EQ(r.plugins().size(), 1u);
  EXPECT_EQ(r.find_type("test.Constant")->plugin, "fixture_good");
}

TEST(PluginLoader, FailingRegisterFunctionLeavesNoTrace) {
  Registry r;
  expect_plugin_error([&] { r.load_plugin(fixture("throwing")); }, fixture("throwing"),
                      "configuration file missing", ErrorCode::kPlugin);
  EXPECT_EQ(r.find_type("test.Staged"), nullptr);
  EXPECT_TRUE(r.plugins().empty());
}

TEST(PluginLoader, BadPluginsAreRecordedAndTheOthersStillLoad) {
  Registry r;
  const fs::path fixtures(MLPERSIST_FIXTURE_DIR);
  const std::size_t loaded =
      r.load_plugins({fixtures / "wrong_abi", fixtures / "no_entry", fixtures / "not_a_library",
                      fixtures / "throwing", fixtures / "good", fixtures / "duplicate",
                      MLPERSIST_TEST_PLUGIN_DIR, fixtures / "missing_directory"});
  EXPECT_GE(loaded, 4u);  // fixture_good and the three format backends at least
  EXPECT_NE(r.find_type("test.Constant"), nullptr);
  for (const char* backend : {"binary", "json", "msgpack"})
    EXPECT_NO_THROW((void)r.backend(backend)) << backend;
  const auto failures = r.failures();
  ASSERT_EQ(failures.size(), 6u);
  for (const auto& f : failures) EXPECT_FALSE(f.reason.empty()) << f.path;
  EXPECT_NE(failures.back().reason.find("cannot read plugin directory"), std::string::npos);
}

TEST(PluginLoader, UnknownTypeAndBackendErrorsListWhatIsKnown) {
  Registry r;
  r.load_plugin(fixture("good"));
  try {
    (void)r.create("svm.Nope");
    FAIL();
  } catch (const mlpersist::CompatibilityError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnknownTypeTag);
    EXPECT_NE(std::string(e.what()).find("test.Constant"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)r.backend("yaml"), mlpersist::CompatibilityError);
}

}  // namespace
