// Plugin trust: a plugin file, its directory or a directory above them that users other than
// root and us could write to is refused, unless the application explicitly allows it.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <mlpersist/error.hpp>
#include <mlpersist/registry.hpp>

#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using mlpersist::ErrorCode;
using mlpersist::PluginError;
using mlpersist::PluginTrust;
using mlpersist::Registry;

constexpr PluginTrust kAllowWritable{.allow_writable_by_others = true};

// A private copy of the good fixture plugin: dir/plugins/good.so, both with safe modes.
fs::path copy_good_plugin(const fs::path& dir) {
  fs::create_directories(dir / "plugins");
  fs::permissions(dir, fs::perms(0755));
  fs::permissions(dir / "plugins", fs::perms(0755));
  const fs::path file = dir / "plugins" / "good.so";
  fs::copy_file(fs::path(MLPERSIST_FIXTURE_DIR) / "good" / "fixture_good.so", file);
  fs::permissions(file, fs::perms(0644));
  return file;
}

void expect_refused(const std::function<void()>& load, const fs::path& culprit,
                    const std::string& why) {
  try {
    load();
    FAIL() << "loaded a plugin others could have replaced";
  } catch (const PluginError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsafePermissions) << e.what();
    EXPECT_NE(std::string(e.what()).find("'" + culprit.string() + "'"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--allow-writable-plugins"), std::string::npos);
  }
}

TEST(PluginTrust, LoadsAPluginOnlyRootOrWeCanWrite) {
  const fs::path file = copy_good_plugin(mlpersist::test::temp_dir());
  Registry r;
  r.load_plugin(file);
  EXPECT_NE(r.find_type("test.Constant"), nullptr);
}

TEST(PluginTrust, RefusesAWorldWritablePluginFileUnlessAllowed) {
  const fs::path file = copy_good_plugin(mlpersist::test::temp_dir());
  fs::permissions(file, fs::perms(0666));
  Registry r;
  expect_refused([&] { r.load_plugin(file); }, file, "writable by every user (mode 0666)");
  EXPECT_EQ(r.find_type("test.Constant"), nullptr);
  r.load_plugin(file, kAllowWritable);
  EXPECT_NE(r.find_type("test.Constant"), nullptr);
}

TEST(PluginTrust, RefusesAPluginDirectoryOthersMayAddFilesTo) {
  const fs::path file = copy_good_plugin(mlpersist::test::temp_dir());
  const fs::path dir = file.parent_path();
  // Even with the sticky bit: whoever may add a .so to it has it loaded.
  fs::permissions(dir, fs::perms(01777));
  Registry r;
  EXPECT_EQ(r.load_plugins({dir}), 0u);
  ASSERT_EQ(r.failures().size(), 1u);
  EXPECT_EQ(r.failures()[0].path, dir);
  EXPECT_NE(r.failures()[0].reason.find("writable by every user"), std::string::npos)
      << r.failures()[0].reason;
  Registry allowing;
  EXPECT_EQ(allowing.load_plugins({dir}, kAllowWritable), 1u);
}

TEST(PluginTrust, RefusesAnAncestorOthersMayRenameEntriesOf) {
  const fs::path top = mlpersist::test::temp_dir();
  const fs::path file = copy_good_plugin(top / "shared");
  fs::permissions(top / "shared", fs::perms(0777));
  Registry r;
  expect_refused([&] { r.load_plugin(file); }, fs::canonical(top / "shared"),
                 "without the sticky bit");
  // The sticky bit stops others from renaming what they do not own, as in /tmp.
  fs::permissions(top / "shared", fs::perms(01777));
  EXPECT_NO_THROW(r.load_plugin(file));
}

TEST(PluginTrust, FollowsSymlinksToTheRealFile) {
  const fs::path top = mlpersist::test::temp_dir();
  const fs::path real = copy_good_plugin(top / "real");
  fs::permissions(real, fs::perms(0666));
  copy_good_plugin(top / "linked");
  fs::remove(top / "linked" / "plugins" / "good.so");
  fs::create_symlink(real, top / "linked" / "plugins" / "good.so");
  Registry r;
  expect_refused([&] { r.load_plugin(top / "linked" / "plugins" / "good.so"); },
                 fs::canonical(real), "writable by every user");
}

TEST(PluginTrust, RefusesAPluginOwnedByAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file away";
  const fs::path file = copy_good_plugin(mlpersist::test::temp_dir());
  ASSERT_EQ(::chown(file.c_str(), 65534, 65534), 0);  // nobody
  Registry r;
  expect_refused([&] { r.load_plugin(file); }, file, "owned by another user (uid 65534)");
}

}  // namespace
