// The PostgreSQL store's schema and its writes: push and alias moves.

#include "pg_store.hpp"

#include <mlpersist/error.hpp>
#include <string>

#include "store_push.hpp"

namespace mlpersist::postgresql {
namespace {

// Serialises schema creation between processes that open a new database at once
// (CREATE TABLE IF NOT EXISTS alone races on the catalog).
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(7305624001)";

}  // namespace

PgStore::PgStore(const std::string& uri) : db_(uri) {
  create_schema();
}

void PgStore::create_schema() {
  Transaction tx(db_);
  db_.exec(kSchemaLock);
  db_.exec_script(store_sql::schema(store_sql::kPostgresql).c_str());
  tx.commit();
}

std::vector<std::uint64_t> PgStore::push(std::span<const NewVersion> versions,
                                         const ProgressFn& progress) {
  return store_sql::push_in_transaction<Transaction>(
      mutex_, db_, static_cast<store_sql::VersionWriter<std::string>&>(*this), versions, progress);
}

std::string PgStore::ensure_model(const std::string& name, const std::string& created_at) {
  db_.exec("INSERT INTO models(name, created_at) VALUES($1, $2) ON CONFLICT (name) DO NOTHING",
           {{name}, {created_at}});
  // The row lock numbers concurrent pushers of one model in turn.
  return model_id(name, /*lock=*/true);
}

std::uint64_t PgStore::next_version(const std::string& model) {
  const Result next =
      db_.exec("SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE model_id = $1", {{model}});
  return static_cast<std::uint64_t>(next.integer(0, 0));
}

std::string PgStore::insert_version_row(const std::string& model, std::uint64_t number,
                                        const NewVersion& v) {
  const Result inserted = db_.exec(
      "INSERT INTO versions(model_id, version, content_hash, size, header, created_at, "
      "pushed_by) VALUES($1, $2, $3, $4, $5, $6, $7) RETURNING id",
      {{model},
       {to_text(static_cast<std::int64_t>(number))},
       {v.content_hash},
       {to_text(static_cast<std::int64_t>(v.size))},
       {v.header_json},
       {v.created_at},
       {v.pushed_by}});
  return inserted.text(0, 0);
}

void PgStore::insert_chunk(const std::string& version, std::int64_t seq, const NewChunk& c) {
  // ON CONFLICT: identical bytes are stored once, even when two pushes race.
  const std::string size = to_text(static_cast<std::int64_t>(c.bytes.size()));
  const std::string_view bytes(reinterpret_cast<const char*>(c.bytes.data()), c.bytes.size());
  db_.exec("INSERT INTO chunks(hash, size, data) VALUES($1, $2, $3) ON CONFLICT (hash) DO NOTHING",
           {{c.hash}, {size}, {bytes, /*binary=*/true}});
  db_.exec("INSERT INTO version_chunks(version_id, seq, hash, size) VALUES($1, $2, $3, $4)",
           {{version}, {to_text(seq)}, {c.hash}, {size}});
}

void PgStore::insert_field(const std::string& version, const std::string& key,
                           const std::string& value) {
  db_.exec("INSERT INTO fields(version_id, key, value) VALUES($1, $2, $3)",
           {{version}, {key}, {value}});
}

std::string PgStore::model_id(std::string_view name, bool lock) {
  const Result r = db_.exec(lock ? "SELECT id FROM models WHERE name = $1 FOR UPDATE"
                                 : "SELECT id FROM models WHERE name = $1",
                            {{name}});
  if (r.rows() == 0)
    throw StoreError(ErrorCode::kNotFound, "postgresql store '" + db_.name() +
                                               "': no model named '" + std::string(name) +
                                               "'; 'mlpersist models STORE' lists the models");
  return r.text(0, 0);
}

void PgStore::write_alias(const std::string& model, const AliasInfo& move) {
  const Result previous =
      db_.exec("SELECT version FROM aliases WHERE model_id = $1 AND alias = $2 FOR UPDATE",
               {{model}, {move.alias}});
  const std::string version = to_text(static_cast<std::int64_t>(move.version));
  db_.exec(
      "INSERT INTO aliases(model_id, alias, version, moved_at, moved_by) VALUES($1, $2, $3, $4, "
      "$5) ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version, moved_at = "
      "excluded.moved_at, moved_by = excluded.moved_by",
      {{model}, {move.alias}, {version}, {move.moved_at}, {move.moved_by}});
  const char* history =
      previous.rows() > 0
          ? "INSERT INTO alias_history(model_id, alias, version, moved_at, moved_by, previous) "
            "VALUES($1, $2, $3, $4, $5, $6)"
          : "INSERT INTO alias_history(model_id, alias, version, moved_at, moved_by) "
            "VALUES($1, $2, $3, $4, $5)";
  std::vector<Param> params{{model}, {move.alias}, {version}, {move.moved_at}, {move.moved_by}};
  const std::string before = previous.rows() > 0 ? previous.text(0, 0) : std::string();
  if (previous.rows() > 0) params.push_back({before});
  db_.exec(history, params);
}

void PgStore::move_alias(const AliasInfo& move) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  const std::string model = model_id(move.name, /*lock=*/true);
  (void)resolve_version(model, move.name, VersionRef{move.version, {}});
  write_alias(model, move);
  tx.commit();
}

}  // namespace mlpersist::postgresql
