#pragma once

// A thin RAII layer over SQLite's C API: a connection, prepared statements with bound
// parameters (the only way user data reaches SQL), and transactions that roll back unless
// committed. Errors become StoreError: busy or locked is kStoreUnavailable (retryable).

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace mlpersist::sqlite {

class Db {
 public:
  /// Opens (creating) the database file in WAL mode with a busy timeout.
  explicit Db(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  /// Runs SQL text written in this plugin (never user data).
  void exec(const char* sql);
  [[nodiscard]] sqlite3* handle() const noexcept { return db_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// Throws the StoreError for result code `rc` of an operation described by `what`.
  [[noreturn]] void fail(int rc, std::string_view what) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  Statement(Db& db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Parameters are numbered from 1, as in SQL's `?1`.
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_blob(int index, std::span<const std::byte> bytes);
  /// Advances; true when a row is available.
  bool step();
  /// Runs a statement that returns no rows.
  void run();
  /// Rewinds to run again with new bindings.
  void reset();

  [[nodiscard]] std::int64_t column_int(int index) const;
  [[nodiscard]] std::string column_text(int index) const;
  [[nodiscard]] bool column_is_null(int index) const;
  [[nodiscard]] std::string column_blob(int index) const;

 private:
  Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;  // for messages
};

/// BEGIN IMMEDIATE (the write lock up front, so two writers never deadlock upgrading a read
/// lock); rolled back on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

}  // namespace mlpersist::sqlite
