// The SQLite store under concurrent processes and a push killed with SIGKILL.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <mlpersist/error.hpp>
#include <mlpersist/store.hpp>
#include <set>
#include <sstream>

#include "store_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using namespace mlpersist;
using mlpersist::test::as_bytes;
using mlpersist::test::registry;

constexpr int kPushers = 8;
constexpr int kLoaders = 8;
constexpr int kPushesEach = 4;
constexpr int kLoadsEach = 6;

// Runs `body` in a child process; its exit status is 0 when body returned true. gtest's
// assertions do not cross the fork, so children report through the status and a log file.
pid_t spawn(const std::function<bool()>& body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    bool ok = false;
    try {
      ok = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child %d: %s\n", ::getpid(), e.what());
    }
    std::fflush(nullptr);
    ::_exit(ok ? 0 : 1);
  }
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// A pusher appends "version hash" for every push that returned, so the parent can check that
// each is visible afterwards.
bool push_versions(const fs::path& dir, int id, const std::string& uri) {
  ModelStore store = ModelStore::open(registry(), uri, {.cache_dir = dir / "cache"});
  std::ofstream log(dir / ("pushed." + std::to_string(id)));
  for (int i = 0; i < kPushesEach; ++i) {
    const std::string bytes = test::artifact_bytes(*test::fitted_knn(20000, id * 100 + i));
    const std::uint64_t v = store.push(as_bytes(bytes), "shared");
    log << v << ' ' << sha256_hex(as_bytes(bytes)) << std::endl;
  }
  return true;
}

// A loader fetches the latest version into a cache of its own (so every load reads the
// database) and verifies the whole payload, not lazily.
bool load_versions(const fs::path& dir, int id, const std::string& uri) {
  for (int i = 0; i < kLoadsEach; ++i) {
    const fs::path cache = dir / ("cache." + std::to_string(id) + "." + std::to_string(i));
    ModelStore store = ModelStore::open(registry(), uri, {.cache_dir = cache});
    const auto model = store.load(registry(), "shared", "latest", {.lazy_verification = false});
    if (model->n_features_in() != 4) return false;
    const StoredVersion v = store.resolve("shared", "latest");
    if (sha256_file(store.fetch(v)) != v.content_hash) return false;
  }
  return true;
}

TEST(SqliteStoreFaults, ConcurrentPushersAndLoadersSeeOnlyCompleteVersions) {
  const fs::path dir = test::temp_dir();
  const std::string uri = test::sqlite_uri(dir / "models.db");
  ModelStore store = test::open_sqlite_store(dir);
  (void)store.push(as_bytes(test::artifact_bytes(*test::fitted_knn(20000))), "shared");
  std::vector<pid_t> children;
  for (int i = 0; i < kPushers; ++i)
    children.push_back(spawn([&, i] { return push_versions(dir, i, uri); }));
  for (int i = 0; i < kLoaders; ++i)
    children.push_back(spawn([&, i] { return load_versions(dir, i, uri); }));
  for (pid_t pid : children) EXPECT_EQ(wait_for(pid), 0) << "child " << pid;
  std::set<std::uint64_t> numbers;
  for (int i = 0; i < kPushers; ++i) {
    std::ifstream log(dir / ("pushed." + std::to_string(i)));
    std::uint64_t v = 0;
    std::string hash;
    while (log >> v >> hash) {
      EXPECT_TRUE(numbers.insert(v).second) << "version " << v << " given twice";
      EXPECT_EQ(store.resolve("shared", std::to_string(v)).content_hash, hash);
    }
  }
  EXPECT_EQ(numbers.size(), std::size_t{kPushers * kPushesEach});
  EXPECT_EQ(store.versions("shared").size(), numbers.size() + 1);
  EXPECT_EQ(test::query_text(dir / "models.db", "PRAGMA integrity_check"), "ok");
}

TEST(SqliteStoreFaults, PushKilledMidwayLeavesNothingVisibleOrPartial) {
  const fs::path dir = test::temp_dir();
  const std::string uri = test::sqlite_uri(dir / "models.db");
  ModelStore store = test::open_sqlite_store(dir);
  (void)store.push(as_bytes(test::artifact_bytes(*test::fitted_svc())), "kept");
  const std::int64_t chunks_before =
      test::query_int(dir / "models.db", "SELECT COUNT(*) FROM chunks");
  const std::string big = test::artifact_bytes(*test::fitted_knn(300000));  // several chunks
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  // The child stops inside its push transaction, after its first chunk was written, and
  // tells the parent, which kills it there: no timing decides where the kill lands.
  const pid_t child = spawn([&] {
    ModelStore s = ModelStore::open(registry(), uri, {.cache_dir = dir / "cache"});
    PushOptions options;
    options.progress = [&](std::uint64_t done, std::uint64_t) {
      if (done < kStoreChunkSize) return;
      const char byte = 1;
      (void)::write(ready[1], &byte, 1);
      ::pause();
    };
    (void)s.push(as_bytes(big), "killed", options);
    return false;
  });
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::kill(child, SIGKILL);
  EXPECT_EQ(wait_for(child), 128 + SIGKILL);
  ::close(ready[0]);
  ::close(ready[1]);
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
