// The model store's speed, as ratios measured in one run (`make bench`): push and pull of a
// large model against raw write()/read() of the same file, a load of a cached model against a
// local file load, and 1,000 loads of a small model by name and by alias (p50 / p99).
// MLPERSIST_BENCH_STORE_MB sets the large model's size (default 256); MLPERSIST_BENCH_PG_URI
// adds the same push and pull against a PostgreSQL store.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mlpersist/persist.hpp>
#include <mlpersist/store.hpp>
#include <random>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds(const std::function<void()>& f) {
  const auto start = Clock::now();
  f();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median_of(int runs, const std::function<void()>& f) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) t.push_back(seconds(f));
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void raw_write(const fs::path& file, const std::string& bytes) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  for (std::size_t at = 0; at < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + at, bytes.size() - at);
    if (n <= 0) break;
    at += static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
}

std::string raw_read(const fs::path& file) {
  std::string out(fs::file_size(file), '\0');
  const int fd = ::open(file.c_str(), O_RDONLY);
  for (std::size_t at = 0; at < out.size();) {
    const ssize_t n = ::read(fd, out.data() + at, out.size() - at);
    if (n <= 0) break;
    at += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return out;
}

std::shared_ptr<mlpersist::Estimator> knn_of_mb(const mlpersist::Registry& registry, long mb) {
  const Eigen::Index rows = mb * (1 << 20) / 40;  // 4 doubles of X and one of y per row
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal;
  mlpersist::Matrix X(rows, 4);
  mlpersist::Vector y(rows);
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < 4; ++j) X(i, j) = normal(rng);
    y(i) = static_cast<double>(i % 3);
  }
  auto knn = registry.create("neighbors.KNeighborsClassifier");
  knn->fit(X, y);
  return knn;
}

void push_and_pull(mlpersist::ModelStore& store, const fs::path& file, const fs::path& dir,
                   double write_s, double read_s, const char* label) {
  const double push_s = seconds([&] { (void)store.push(file, "big"); });
  fs::remove_all(store.cache_dir());
  const double pull_s = seconds([&] { store.pull("big", "latest", dir / "pulled.mlp"); });
  std::printf("| %s push | %.0f ms | %.2fx raw write() |\n", label, push_s * 1e3, write_s / push_s);
  std::printf("| %s pull (fetch, verify, write) | %.0f ms | %.2fx raw read() |\n", label,
              pull_s * 1e3, read_s / pull_s);
}

void small_loads(const mlpersist::Registry& registry, mlpersist::ModelStore& store,
                 const fs::path& dir) {
  auto svc = registry.create("svm.SVC");
  mlpersist::Matrix X(30, 2);
  mlpersist::Vector y(30);
  for (int i = 0; i < 30; ++i) X(i, 0) = i, X(i, 1) = i % 7, y(i) = i % 2;
  svc->fit(X, y);
  mlpersist::dump(registry, *svc, dir / "small.mlp");
  (void)store.push(dir / "small.mlp", "small", {.aliases = {"production"}});
  for (const char* ref : {"1", "production"}) {
    std::vector<double> t;
    for (int i = 0; i < 1000; ++i)
      t.push_back(seconds([&] { (void)store.load(registry, "small", ref); }));
    std::sort(t.begin(), t.end());
    std::printf("| 1,000 small loads by %s | p50 %.1f us, p99 %.1f us | |\n",
                ref[0] == '1' ? "version" : "alias", t[500] * 1e6, t[990] * 1e6);
  }
}

}  // namespace

int main() {
  const char* mb_env = std::getenv("MLPERSIST_BENCH_STORE_MB");
  const long mb = mb_env != nullptr ? std::atol(mb_env) : 256;
  const fs::path dir = fs::temp_directory_path() / "mlpersist-store-bench";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto registry = mlpersist::Registry::with_default_plugins();
  const fs::path file = dir / "big.mlp";
  mlpersist::dump(registry, *knn_of_mb(registry, mb), file);
  const std::string bytes = raw_read(file);
  const double write_s = median_of(3, [&] { raw_write(dir / "raw.bin", bytes); });
  const double read_s = median_of(3, [&] { (void)raw_read(file); });
  std::printf("| benchmark (%ld MB model) | time | ratio |\n|---|---:|---|\n", mb);
  std::printf("| raw write() + fsync / read() | %.0f / %.0f ms | |\n", write_s * 1e3, read_s * 1e3);
  auto store = mlpersist::ModelStore::open(registry, "sqlite://" + (dir / "models.db").string(),
                                           {.cache_dir = dir / "cache"});
  push_and_pull(store, file, dir, write_s, read_s, "sqlite");
  if (const char* pg = std::getenv("MLPERSIST_BENCH_PG_URI"); pg != nullptr) {
    auto pg_store = mlpersist::ModelStore::open(registry, pg, {.cache_dir = dir / "pgcache"});
    push_and_pull(pg_store, file, dir, write_s, read_s, "postgresql");
  }
  const double local = median_of(20, [&] { (void)mlpersist::load(registry, file); });
  const double cached = median_of(20, [&] { (void)store.load(registry, "big", "latest"); });
  std::printf("| load, local file / cached store version | %.3f / %.3f ms | %.2fx |\n", local * 1e3,
              cached * 1e3, local / cached);
  small_loads(registry, store, dir);
  fs::remove_all(dir);
}
