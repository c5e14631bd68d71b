// Registry lookups that every loader shares: renames resolve the same way for load, inspect,
// the allowlist and migrate, and a cycle among plugins' renames is an error, not a hang.
#include <gtest/gtest.h>

#include <mlpersist/error.hpp>
#include <mlpersist/registry.hpp>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace mlpersist {
namespace {

// A registry with the build's plugins and one more static plugin registering `extra`.
Registry with(RegisterFunction extra) {
  Registry reg;
  reg.load_plugins(Registry::default_plugin_dirs());
  reg.add_static_plugin("renames", "1.0.0", extra);
  return reg;
}

TEST(Registry, ResolveFollowsAChainOfRenamesAndReportsEachHop) {
  const Registry reg = with([](Registrar& r) {
    r.add_rename("old.Svc", "older.Svc");
    r.add_rename("older.Svc", "svm.SVC");
  });
  std::vector<const RenameInfo*> hops;
  const TypeInfo* info = reg.resolve("old.Svc", &hops);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->type_tag, "svm.SVC");
  ASSERT_EQ(hops.size(), 2U);
  EXPECT_EQ(hops[0]->new_tag, "older.Svc");
  EXPECT_EQ(hops[1]->new_tag, "svm.SVC");
  EXPECT_EQ(hops[1]->plugin, "renames");
}

TEST(Registry, ResolveOfARegisteredTagTakesNoHop) {
  std::vector<const RenameInfo*> hops;
  ASSERT_NE(test::registry().resolve("svm.SVC", &hops), nullptr);
  EXPECT_TRUE(hops.empty());
  EXPECT_EQ(test::registry().resolve("no.SuchType", &hops), nullptr);
}

TEST(Registry, ARenameCycleIsACompatibilityErrorNamingTheTag) {
  const Registry reg = with([](Registrar& r) {
    r.add_rename("a.Loop", "b.Loop");
    r.add_rename("b.Loop", "a.Loop");
  });
  try {
    (void)reg.resolve("a.Loop");
    FAIL() << "a rename cycle resolved";
  } catch (const CompatibilityError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnknownTypeTag);
    EXPECT_NE(std::string(e.what()).find("'a.Loop' is renamed in a cycle"), std::string::npos)
        << e.what();
  }
}

TEST(Registry, AChainLongerThanTheHopLimitIsRefusedLikeACycle) {
  const Registry reg = with([](Registrar& r) {
    for (int i = 0; i <= Registry::kMaxRenameHops; ++i)
      r.add_rename("chain.T" + std::to_string(i), "chain.T" + std::to_string(i + 1));
    r.add_rename("chain.T" + std::to_string(Registry::kMaxRenameHops + 1), "svm.SVC");
  });
  EXPECT_THROW((void)reg.resolve("chain.T0"), CompatibilityError);
  // The last kMaxRenameHops renames of the chain are within the limit.
  const TypeInfo* info = reg.resolve("chain.T2");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->type_tag, "svm.SVC");
}

}  // namespace
}  // namespace mlpersist
