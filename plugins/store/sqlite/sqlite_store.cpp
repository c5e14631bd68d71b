// The SQLite store's schema and its writes: push and alias moves.

#include "sqlite_store.hpp"

#include <mlpersist/error.hpp>
#include <string>

#include "store_push.hpp"

namespace mlpersist::sqlite {
namespace {

constexpr std::int64_t kSchemaVersion = 1;

}  // namespace

SqliteStore::SqliteStore(const std::string& path) : db_(path) {
  create_schema();
}

std::int64_t SqliteStore::schema_version() {
  Statement version(db_, "PRAGMA user_version");
  const std::int64_t found = version.step() ? version.column_int(0) : 0;
  if (found > kSchemaVersion)
    throw StoreError(ErrorCode::kIo, "sqlite store '" + db_.path() + "': schema version " +
                                         std::to_string(found) + " is newer than this plugin's " +
                                         std::to_string(kSchemaVersion) +
                                         "; upgrade the store_sqlite plugin");
  return found;
}

void SqliteStore::create_schema() {
  // Only a new database takes the write lock here; an existing one is read and used as it is.
  if (schema_version() == kSchemaVersion) return;
  Transaction tx(db_);
  if (schema_version() == kSchemaVersion) return;  // another process created it meanwhile
  db_.exec(store_sql::schema(store_sql::kSqlite).c_str());
  db_.exec("PRAGMA user_version = 1");
  tx.commit();
}

std::vector<std::uint64_t> SqliteStore::push(std::span<const NewVersion> versions,
                                             const ProgressFn& progress) {
  return store_sql::push_in_transaction<Transaction>(
      mutex_, db_, static_cast<store_sql::VersionWriter<std::int64_t>&>(*this), versions, progress);
}

std::int64_t SqliteStore::ensure_model(const std::string& name, const std::string& created_at) {
  Statement insert(db_, "INSERT OR IGNORE INTO models(name, created_at) VALUES(?1, ?2)");
  insert.bind(1, name).bind(2, created_at).run();
  return model_id(name);
}

std::uint64_t SqliteStore::next_version(const std::int64_t& model) {
  Statement next(db_, "SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE model_id = ?1");
  next.bind(1, model).step();
  return static_cast<std::uint64_t>(next.column_int(0));
}

std::int64_t SqliteStore::insert_version_row(const std::int64_t& model, std::uint64_t number,
                                             const NewVersion& v) {
  Statement insert(db_,
                   "INSERT INTO versions(model_id, version, content_hash, size, header, "
                   "created_at, pushed_by) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  insert.bind(1, model).bind(2, static_cast<std::int64_t>(number)).bind(3, v.content_hash);
  insert.bind(4, static_cast<std::int64_t>(v.size)).bind(5, v.header_json);
  insert.bind(6, v.created_at).bind(7, v.pushed_by).run();
  return sqlite3_last_insert_rowid(db_.handle());
}

void SqliteStore::insert_chunk(const std::int64_t& version, std::int64_t seq, const NewChunk& c) {
  // A chunk already stored (same SHA-256) is not written again: identical bytes once.
  const auto size = static_cast<std::int64_t>(c.bytes.size());
  Statement chunk(db_, "INSERT OR IGNORE INTO chunks(hash, size, data) VALUES(?1, ?2, ?3)");
  chunk.bind(1, c.hash).bind(2, size).bind_blob(3, c.bytes).run();
  Statement link(db_,
                 "INSERT INTO version_chunks(version_id, seq, hash, size) VALUES(?1, ?2, ?3, ?4)");
  link.bind(1, version).bind(2, seq).bind(3, c.hash).bind(4, size).run();
}

void SqliteStore::insert_field(const std::int64_t& version, const std::string& key,
                               const std::string& value) {
  Statement field(db_, "INSERT INTO fields(version_id, key, value) VALUES(?1, ?2, ?3)");
  field.bind(1, version).bind(2, key).bind(3, value).run();
}

std::int64_t SqliteStore::model_id(std::string_view name) {
  Statement find(db_, "SELECT id FROM models WHERE name = ?1");
  if (!find.bind(1, name).step())
    throw StoreError(ErrorCode::kNotFound, "sqlite store '" + db_.path() + "': no model named '" +
                                               std::string(name) +
                                               "'; 'mlpersist models STORE' lists the models");
  return find.column_int(0);
}

void SqliteStore::write_alias(const std::int64_t& model, const AliasInfo& move) {
  Statement previous(db_, "SELECT version FROM aliases WHERE model_id = ?1 AND alias = ?2");
  const bool existed = previous.bind(1, model).bind(2, move.alias).step();
  Statement upsert(db_,
                   "INSERT INTO aliases(model_id, alias, version, moved_at, moved_by) "
                   "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(model_id, alias) DO UPDATE SET "
                   "version = excluded.version, moved_at = excluded.moved_at, "
                   "moved_by = excluded.moved_by");
  upsert.bind(1, model).bind(2, move.alias).bind(3, static_cast<std::int64_t>(move.version));
  upsert.bind(4, move.moved_at).bind(5, move.moved_by).run();
  Statement history(db_,
                    "INSERT INTO alias_history(model_id, alias, version, previous, moved_at, "
                    "moved_by) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  history.bind(1, model).bind(2, move.alias).bind(3, static_cast<std::int64_t>(move.version));
  if (existed) history.bind(4, previous.column_int(0));
  history.bind(5, move.moved_at).bind(6, move.moved_by).run();
}

void SqliteStore::move_alias(const AliasInfo& move) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  const std::int64_t model = model_id(move.name);
  (void)resolve_version(model, move.name, VersionRef{move.version, {}});
  write_alias(model, move);
  tx.commit();
}

}  // namespace mlpersist::sqlite
