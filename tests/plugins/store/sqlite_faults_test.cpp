// The SQLite store under concurrent processes and a push killed with SIGKILL.

#include <gtest/gtest.h>

#include <mlpersist/error.hpp>
#include <mlpersist/store.hpp>

#include "store_processes.hpp"

namespace {

namespace fs = std::filesystem;
using namespace mlpersist;
using mlpersist::test::as_bytes;

TEST(SqliteStoreFaults, ConcurrentPushersAndLoadersSeeOnlyCompleteVersions) {
  const fs::path dir = test::temp_dir();
  test::expect_concurrent_pushes_and_loads(dir, test::sqlite_uri(dir / "models.db"));
  EXPECT_EQ(test::query_text(dir / "models.db", "PRAGMA integrity_check"), "ok");
}

TEST(SqliteStoreFaults, PushKilledMidwayLeavesNothingVisibleOrPartial) {
  const fs::path dir = test::temp_dir();
  ModelStore store = test::open_sqlite_store(dir);
  (void)store.push(as_bytes(test::artifact_bytes(*test::fitted_svc())), "kept");
  const std::int64_t chunks_before =
      test::query_int(dir / "models.db", "SELECT COUNT(*) FROM chunks");
  const std::string big = test::artifact_bytes(*test::fitted_knn(300000));  // several chunks
  test::kill_push_midway(dir, test::sqlite_uri(dir / "models.db"), big);
  ModelStore after = test::open_sqlite_store(dir);
  ASSERT_EQ(after.models().size(), 1u);
  EXPECT_EQ(after.models()[0].name, "kept");
  EXPECT_THROW((void)after.versions("killed"), StoreError);
  EXPECT_EQ(test::query_int(dir / "models.db", "SELECT COUNT(*) FROM chunks"), chunks_before);
  EXPECT_EQ(test::query_text(dir / "models.db", "PRAGMA integrity_check"), "ok");
  // The store takes the same push afterwards.
  EXPECT_EQ(after.push(as_bytes(big), "killed"), 1u);
  after.pull("killed", "1", dir / "back.mlp");
  EXPECT_EQ(sha256_file(dir / "back.mlp"), sha256_hex(as_bytes(big)));
}

}  // namespace
