// The model store's speed, as ratios measured in one interleaved run (`make bench`): push and
// pull of a large model against raw write()/read() of the same bytes and against PostgreSQL's
// own large objects (lo_creat/lo_write/lo_read through libpq), each round doing every
// operation once on that round's fresh bytes (so no push finds its chunks stored already);
// then a load of a cached model against a local file load, and 1,000 loads of a small model by
// version and by alias (p50 / p99). MLPERSIST_BENCH_STORE_MB sets the large model's size
// (default 256), MLPERSIST_BENCH_ROUNDS the rounds (default 5); MLPERSIST_BENCH_PG_URI (set by
// bench/with_postgresql.sh, which starts a throwaway server) adds PostgreSQL.

#include <fcntl.h>
#include <libpq-fe.h>
#include <libpq/libpq-fs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <mlpersist/persist.hpp>
#include <mlpersist/provenance.hpp>
#include <mlpersist/store.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"

namespace {

namespace fs = std::filesystem;
using bench::time_s;

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

// PostgreSQL's own way to keep large bytes, the baseline for the postgresql store: one large
// object written and read in 4 MiB pieces, each in its own transaction.
class LargeObjects {
 public:
  explicit LargeObjects(const char* uri) : conn_(PQconnectdb(uri)) {
    if (PQstatus(conn_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_));
  }
  ~LargeObjects() { PQfinish(conn_); }
  LargeObjects(const LargeObjects&) = delete;
  LargeObjects& operator=(const LargeObjects&) = delete;

  Oid write(const std::string& bytes) {
    exec("BEGIN");
    const Oid oid = lo_creat(conn_, INV_READ | INV_WRITE);
    const int fd = lo_open(conn_, oid, INV_WRITE);
    for (std::size_t at = 0; at < bytes.size(); at += kPiece)
      if (lo_write(conn_, fd, bytes.data() + at, std::min(kPiece, bytes.size() - at)) < 0)
        throw std::runtime_error(PQerrorMessage(conn_));
    lo_close(conn_, fd);
    exec("COMMIT");
    return oid;
  }
  std::string read(Oid oid, std::size_t size) {
    std::string out(size, '\0');
    exec("BEGIN");
    const int fd = lo_open(conn_, oid, INV_READ);
    for (std::size_t at = 0; at < size;) {
      const int n = lo_read(conn_, fd, out.data() + at, std::min(kPiece, size - at));
      if (n <= 0) throw std::runtime_error(PQerrorMessage(conn_));
      at += static_cast<std::size_t>(n);
    }
    lo_close(conn_, fd);
    exec("COMMIT");
    return out;
  }
  void remove(Oid oid) { lo_unlink(conn_, oid); }

 private:
  static constexpr std::size_t kPiece = std::size_t{4} << 20;
  void exec(const char* sql) {
    PGresult* r = PQexec(conn_, sql);
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) throw std::runtime_error(PQerrorMessage(conn_));
  }
  PGconn* conn_;
};

std::shared_ptr<mlpersist::Estimator> knn_of_mb(const mlpersist::Registry& registry, long mb,
                                                unsigned seed) {
  const Eigen::Index rows = mb * (1 << 20) / 40;  // 4 doubles of X and one of y per row
  std::mt19937_64 rng(seed);
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

// Every operation's times over the rounds, by name, in the order first measured.
struct Timings {
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> times;
  void add(const std::string& name, double s) {
    if (!times.contains(name)) order.push_back(name);
    times[name].push_back(s);
  }
  [[nodiscard]] double median(const std::string& name) const {
    return bench::median(times.at(name));
  }
};

void print(const Timings& t, const std::map<std::string, std::string>& baseline) {
  std::printf(
      "| operation | median | min | max | vs baseline (median) |\n|---|---:|---:|---:|---|\n");
  for (const std::string& name : t.order) {
    const auto [lo, hi] = std::minmax_element(t.times.at(name).begin(), t.times.at(name).end());
    std::string ratio;
    if (const auto b = baseline.find(name); b != baseline.end()) {
      char text[96];
      std::snprintf(text, sizeof text, "%.2fx the time of %s", t.median(name) / t.median(b->second),
                    b->second.c_str());
      ratio = text;
    }
    std::printf("| %s | %.3f ms | %.3f ms | %.3f ms | %s |\n", name.c_str(), t.median(name) * 1e3,
                *lo * 1e3, *hi * 1e3, ratio.c_str());
  }
}

struct Stores {
  mlpersist::ModelStore sqlite;
  std::optional<mlpersist::ModelStore> pg;
  std::unique_ptr<LargeObjects> lo;
};

// One round: every operation once on this round's bytes, in a fixed interleaved order.
void round(Stores& s, const fs::path& file, const fs::path& dir, Timings& t) {
  const std::string bytes = raw_read(file);
  t.add("raw write()+fsync", time_s([&] { raw_write(dir / "raw.bin", bytes); }));
  t.add("raw read()", time_s([&] { (void)raw_read(dir / "raw.bin"); }));
  const auto push_pull = [&](mlpersist::ModelStore& store, const std::string& label) {
    t.add(label + " push", time_s([&] { (void)store.push(file, "big"); }));
    fs::remove_all(store.cache_dir());  // a pull that fetches, verifies and writes
    t.add(label + " pull", time_s([&] { store.pull("big", "latest", dir / "pulled.mlp"); }));
  };
  push_pull(s.sqlite, "sqlite");
  if (!s.pg) return;
  push_pull(*s.pg, "postgresql");
  Oid oid = 0;
  t.add("pg large object write", time_s([&] { oid = s.lo->write(bytes); }));
  t.add("pg large object read", time_s([&] { (void)s.lo->read(oid, bytes.size()); }));
  s.lo->remove(oid);
}

void big_model(const mlpersist::Registry& registry, Stores& s, long mb, int rounds,
               const fs::path& dir) {
  Timings t;
  const fs::path file = dir / "big.mlp";
  for (int r = 0; r < rounds; ++r) {
    mlpersist::dump(registry, *knn_of_mb(registry, mb, static_cast<unsigned>(r + 1)), file);
    round(s, file, dir, t);
  }
  std::printf("\n%ld MB model, %d interleaved rounds:\n\n", mb, rounds);
  print(t, {{"sqlite push", "raw write()+fsync"},
            {"sqlite pull", "raw read()"},
            {"postgresql push", "pg large object write"},
            {"postgresql pull", "pg large object read"},
            {"pg large object write", "raw write()+fsync"},
            {"pg large object read", "raw read()"}});
  // Cached loads: the cache trusts a verified file's note only once its ctime is 1 s old
  // (store_cache.cpp), so wait that out after the first (fetching) load.
  (void)s.sqlite.load(registry, "big", "latest");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  Timings loads;
  for (int i = 0; i < 20; ++i) {
    loads.add("local file load", time_s([&] { (void)mlpersist::load(registry, file); }));
    loads.add("cached store load", time_s([&] { (void)s.sqlite.load(registry, "big", "latest"); }));
    // What a hit would cost if every hit hashed the file (the cache's note avoids it).
    loads.add("SHA-256 of the cached file", time_s([&] { (void)mlpersist::sha256_file(file); }));
  }
  std::printf("\n20 interleaved loads of the last round's model:\n\n");
  print(loads, {{"cached store load", "local file load"},
                {"SHA-256 of the cached file", "local file load"}});
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
  (void)store.load(registry, "small", "1");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  std::printf("\n");
  for (const char* ref : {"1", "production"}) {
    std::vector<double> t;
    for (int i = 0; i < 1000; ++i)
      t.push_back(time_s([&] { (void)store.load(registry, "small", ref); }));
    std::sort(t.begin(), t.end());
    std::printf("1,000 small-model loads by %s: p50 %.1f us, p99 %.1f us, max %.1f us\n",
                ref[0] == '1' ? "version" : "alias", t[500] * 1e6, t[990] * 1e6, t[999] * 1e6);
  }
}

}  // namespace

int main() {
  const char* mb_env = std::getenv("MLPERSIST_BENCH_STORE_MB");
  const long mb = mb_env != nullptr ? std::atol(mb_env) : 256;
  const char* rounds_env = std::getenv("MLPERSIST_BENCH_ROUNDS");
  const int rounds = rounds_env != nullptr ? std::max(1, std::atoi(rounds_env)) : 5;
  const fs::path dir = fs::temp_directory_path() / "mlpersist-store-bench";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto registry = mlpersist::Registry::with_default_plugins();
  Stores s{mlpersist::ModelStore::open(registry, "sqlite://" + (dir / "models.db").string(),
                                       {.cache_dir = dir / "cache"}),
           std::nullopt, nullptr};
  if (const char* pg = std::getenv("MLPERSIST_BENCH_PG_URI"); pg != nullptr) {
    s.pg = mlpersist::ModelStore::open(registry, pg, {.cache_dir = dir / "pgcache"});
    s.lo = std::make_unique<LargeObjects>(pg);
  } else {
    std::printf(
        "MLPERSIST_BENCH_PG_URI is not set: PostgreSQL is left out "
        "(bench/with_postgresql.sh runs a throwaway server)\n");
  }
  big_model(registry, s, mb, rounds, dir);
  small_loads(registry, s.sqlite, dir);
  fs::remove_all(dir);
}
