#pragma once

// Shared by the store tests: a fresh SQLite store in the test's directory, models to push,
// and direct reads of the database file to check what a push left behind.

#include <sqlite3.h>

#include <filesystem>
#include <mlpersist/persist.hpp>
#include <mlpersist/store.hpp>
#include <random>
#include <string>

#include "test_support.hpp"

namespace mlpersist::test {

inline std::string sqlite_uri(const std::filesystem::path& db) {
  return "sqlite://" + std::filesystem::absolute(db).string();
}

/// A new store "models.db" in `dir`, with its cache in `dir`/cache.
inline ModelStore open_sqlite_store(const std::filesystem::path& dir) {
  return ModelStore::open(registry(), sqlite_uri(dir / "models.db"), {.cache_dir = dir / "cache"});
}

/// An SVC fitted on iris (a small artifact: one header chunk and one payload chunk).
inline std::shared_ptr<Estimator> fitted_svc() {
  static const Dataset iris = load_dataset("iris");
  auto svc = registry().create("svm.SVC");
  svc->fit(iris.X, iris.y);
  return svc;
}

/// A k-NN classifier that keeps `rows` x 4 random training rows: an artifact of rows x 40
/// bytes, over several store chunks when rows is large.
inline std::shared_ptr<Estimator> fitted_knn(Eigen::Index rows, unsigned seed = 1) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Matrix X(rows, 4);
  Vector y(rows);
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < 4; ++j) X(i, j) = normal(rng);
    y(i) = static_cast<double>(i % 3);
  }
  auto knn = registry().create("neighbors.KNeighborsClassifier");
  knn->fit(X, y);
  return knn;
}

inline std::string artifact_bytes(const Estimator& model, SaveOptions options = {}) {
  return dumps(registry(), model, options);
}

inline std::span<const std::byte> as_bytes(const std::string& s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

/// The first column of the first row of `sql` run on the database file (test-written SQL).
inline std::int64_t query_int(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  std::int64_t out = -1;
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW)
    out = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return out;
}

inline std::string query_text(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  std::string out = "<no row>";
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW)
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return out;
}

/// Runs test-written SQL that changes the database (to damage it on purpose).
inline void execute(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READWRITE, nullptr);
  sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(handle);
}

}  // namespace mlpersist::test
