#include "sqlite_db.hpp"

#include <mlpersist/error.hpp>
#include <string>

namespace mlpersist::sqlite {
namespace {

// Writers queue behind each other for at most this long before a push reports the store busy.
constexpr int kBusyTimeoutMs = 60000;

bool is_busy(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

}  // namespace

Db::Db(const std::string& path) : path_(path) {
  const int rc = sqlite3_open_v2(
      path.c_str(), &db_,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
      nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError(is_busy(rc) ? ErrorCode::kStoreUnavailable : ErrorCode::kIo,
                     "sqlite store '" + path + "': cannot open: " + why +
                         "; check that the directory exists and is writable");
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  exec("PRAGMA journal_mode=WAL");
  // FULL: a committed push survives a power loss, not only a process crash.
  exec("PRAGMA synchronous=FULL");
  exec("PRAGMA foreign_keys=ON");
}

Db::~Db() {
  sqlite3_close_v2(db_);
}

void Db::exec(const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return;
  const std::string why = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  fail(rc, std::string("'") + sql + "': " + why);
}

void Db::fail(int rc, std::string_view what) const {
  if (is_busy(rc))
    throw StoreError(ErrorCode::kStoreUnavailable,
                     "sqlite store '" + path_ + "': busy (" + std::string(what) +
                         "): another process held the database for too long; retry");
  throw StoreError(ErrorCode::kIo, "sqlite store '" + path_ + "': " + std::string(what) + ": " +
                                       sqlite3_errstr(rc) +
                                       "; check the file and its directory (disk full, "
                                       "permissions, not a database)");
}

Statement::Statement(Db& db, const char* sql) : db_(db), sql_(sql) {
  const int rc = sqlite3_prepare_v2(db.handle(), sql, -1, &stmt_, nullptr);
  if (rc != SQLITE_OK)
    db.fail(rc, std::string("preparing '") + sql + "': " + sqlite3_errmsg(db.handle()));
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::string_view text) {
  const int rc =
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) db_.fail(rc, "binding a parameter");
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) db_.fail(rc, "binding a parameter");
  return *this;
}

Statement& Statement::bind_blob(int index, std::span<const std::byte> bytes) {
  // SQLITE_STATIC: the caller's bytes outlive the step that reads them (no copy of a chunk).
  const int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_STATIC);
  if (rc != SQLITE_OK) db_.fail(rc, "binding a chunk");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail(rc, "running '" + sql_ + "'");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::column_int(int index) const {
  return sqlite3_column_int64(stmt_, index);
}

std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  const int size = sqlite3_column_bytes(stmt_, index);
  return text != nullptr ? std::string(reinterpret_cast<const char*>(text), size) : std::string();
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

std::string Statement::column_blob(int index) const {
  const void* data = sqlite3_column_blob(stmt_, index);
  const int size = sqlite3_column_bytes(stmt_, index);
  return data != nullptr ? std::string(static_cast<const char*>(data), size) : std::string();
}

Transaction::Transaction(Db& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace mlpersist::sqlite
