#pragma once

// Processes against one store, for every store plugin's fault tests: 8 pushing and 8 loading
// at once, and a push killed with SIGKILL in the middle of its transaction.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <set>

#include "store_fixture.hpp"

namespace mlpersist::test {

namespace fs = std::filesystem;

inline constexpr int kPushers = 8;
inline constexpr int kLoaders = 8;
inline constexpr int kPushesEach = 4;
inline constexpr int kLoadsEach = 6;

// Runs `body` in a child process; its exit status is 0 when body returned true. gtest's
// assertions do not cross the fork, so children report through the status and a log file.
inline pid_t spawn(const std::function<bool()>& body) {
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

inline int wait_for(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// A pusher appends "version hash" for every push that returned, so the parent can check that
// each is visible afterwards.
inline bool push_versions(const fs::path& dir, int id, const std::string& uri) {
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
inline bool load_versions(const fs::path& dir, int id, const std::string& uri) {
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

/// 8 processes push kPushesEach versions of "shared" while 8 load its latest version; then
/// every push that returned is visible with its bytes, and numbers were never given twice.
inline void expect_concurrent_pushes_and_loads(const fs::path& dir, const std::string& uri) {
  ModelStore store = ModelStore::open(registry(), uri, {.cache_dir = dir / "cache"});
  (void)store.push(as_bytes(artifact_bytes(*fitted_knn(20000))), "shared");
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
}

/// Pushes `artifact` as "killed" in a child that stops inside its transaction after the first
/// payload chunk, and kills it there with SIGKILL: no timing decides where the kill lands.
inline void kill_push_midway(const fs::path& dir, const std::string& uri,
                             const std::string& artifact) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = spawn([&] {
    ModelStore s = ModelStore::open(registry(), uri, {.cache_dir = dir / "cache"});
    PushOptions options;
    options.progress = [&](std::uint64_t done, std::uint64_t) {
      if (done < kStoreChunkSize) return;
      const char byte = 1;
      (void)::write(ready[1], &byte, 1);
      ::pause();
    };
    (void)s.push(as_bytes(artifact), "killed", options);
    return false;
  });
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::kill(child, SIGKILL);
  EXPECT_EQ(wait_for(child), 128 + SIGKILL);
  ::close(ready[0]);
  ::close(ready[1]);
}

}  // namespace mlpersist::test
