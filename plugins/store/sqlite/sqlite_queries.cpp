// The SQLite store's reads: versions by reference, chunks, listings, alias history, search.

#include <mlpersist/error.hpp>
#include <string>

#include "sqlite_store.hpp"
#include "store_sql.hpp"

namespace mlpersist::sqlite {
namespace {

using store_sql::kVersionColumns;

StoredVersion version_row(const Statement& row) {
  StoredVersion v;
  v.name = row.column_text(0);
  v.version = static_cast<std::uint64_t>(row.column_int(1));
  v.content_hash = row.column_text(2);
  v.size = static_cast<std::uint64_t>(row.column_int(3));
  v.header_json = row.column_text(4);
  v.created_at = row.column_text(5);
  v.pushed_by = row.column_text(6);
  return v;
}

AliasInfo alias_row(const Statement& row, std::string name) {
  AliasInfo a;
  a.name = std::move(name);
  a.alias = row.column_text(0);
  a.version = static_cast<std::uint64_t>(row.column_int(1));
  if (!row.column_is_null(2)) a.previous = static_cast<std::uint64_t>(row.column_int(2));
  a.moved_at = row.column_text(3);
  a.moved_by = row.column_text(4);
  return a;
}

}  // namespace

std::uint64_t SqliteStore::resolve_version(std::int64_t model, std::string_view name,
                                           const VersionRef& ref) {
  const std::string where = "sqlite store '" + db_.path() + "': model '" + std::string(name) + "'";
  if (!ref.alias.empty()) {
    Statement q(db_, "SELECT version FROM aliases WHERE model_id = ?1 AND alias = ?2");
    if (!q.bind(1, model).bind(2, ref.alias).step())
      throw StoreError(ErrorCode::kNotFound, where + " has no alias '" + ref.alias +
                                                 "'; 'mlpersist versions STORE NAME' lists them");
    return static_cast<std::uint64_t>(q.column_int(0));
  }
  Statement q(db_, ref.version ? "SELECT version FROM versions WHERE model_id = ?1 AND version = ?2"
                               : "SELECT MAX(version) FROM versions WHERE model_id = ?1");
  q.bind(1, model);
  if (ref.version) q.bind(2, static_cast<std::int64_t>(*ref.version));
  if (!q.step() || q.column_is_null(0))
    throw StoreError(ErrorCode::kNotFound,
                     where + " has no version " +
                         (ref.version ? std::to_string(*ref.version) : std::string("at all")) +
                         "; 'mlpersist versions STORE NAME' lists them");
  return static_cast<std::uint64_t>(q.column_int(0));
}

std::vector<ChunkRef> SqliteStore::chunks_of(std::int64_t version_id) {
  Statement q(db_, "SELECT hash, size FROM version_chunks WHERE version_id = ?1 ORDER BY seq");
  q.bind(1, version_id);
  std::vector<ChunkRef> chunks;
  while (q.step())
    chunks.push_back({q.column_text(0), static_cast<std::uint64_t>(q.column_int(1))});
  return chunks;
}

StoredVersion SqliteStore::find(std::string_view name, const VersionRef& ref) {
  std::lock_guard lock(mutex_);
  const std::int64_t model = model_id(name);
  const std::uint64_t number = resolve_version(model, name, ref);
  Statement q(db_,
              (std::string(kVersionColumns) + "WHERE v.model_id = ?1 AND v.version = ?2").c_str());
  q.bind(1, model).bind(2, static_cast<std::int64_t>(number));
  if (!q.step())
    throw StoreError(ErrorCode::kNotFound, "sqlite store '" + db_.path() + "': version " +
                                               std::to_string(number) + " of '" +
                                               std::string(name) + "' vanished");
  StoredVersion v = version_row(q);
  v.chunks = chunks_of(q.column_int(7));
  return v;
}

std::string SqliteStore::read_chunk(std::string_view hash) {
  std::lock_guard lock(mutex_);
  Statement q(db_, "SELECT data FROM chunks WHERE hash = ?1");
  if (!q.bind(1, hash).step())
    throw StoreError(ErrorCode::kNotFound, "sqlite store '" + db_.path() + "': chunk " +
                                               std::string(hash) +
                                               " is missing; the store is damaged");
  return q.column_blob(0);
}

std::vector<ModelSummary> SqliteStore::models() {
  std::lock_guard lock(mutex_);
  Statement q(db_,
              "SELECT m.name, COUNT(v.id), COALESCE(MAX(v.version), 0) FROM models m "
              "LEFT JOIN versions v ON v.model_id = m.id GROUP BY m.id ORDER BY m.name");
  std::vector<ModelSummary> out;
  while (q.step())
    out.push_back({q.column_text(0),
                   static_cast<std::uint64_t>(q.column_int(1)),
                   static_cast<std::uint64_t>(q.column_int(2)),
                   {}});
  Statement a(db_,
              "SELECT a.alias, a.version, NULL, a.moved_at, a.moved_by, m.name FROM aliases a "
              "JOIN models m ON m.id = a.model_id ORDER BY m.name, a.alias");
  while (a.step())
    for (ModelSummary& m : out)
      if (m.name == a.column_text(5)) m.aliases.push_back(alias_row(a, m.name));
  return out;
}

std::vector<StoredVersion> SqliteStore::versions(std::string_view name) {
  std::lock_guard lock(mutex_);
  const std::int64_t model = model_id(name);
  Statement q(db_,
              (std::string(kVersionColumns) + "WHERE v.model_id = ?1 ORDER BY v.version").c_str());
  q.bind(1, model);
  std::vector<StoredVersion> out;
  while (q.step()) out.push_back(version_row(q));
  return out;
}

std::vector<AliasInfo> SqliteStore::alias_history(std::string_view name) {
  std::lock_guard lock(mutex_);
  const std::int64_t model = model_id(name);
  Statement q(db_,
              "SELECT alias, version, previous, moved_at, moved_by FROM alias_history "
              "WHERE model_id = ?1 ORDER BY id");
  q.bind(1, model);
  std::vector<AliasInfo> out;
  while (q.step()) out.push_back(alias_row(q, std::string(name)));
  return out;
}

std::vector<StoredVersion> SqliteStore::search(std::span<const SearchTerm> terms) {
  const std::string sql = store_sql::search(store_sql::kSqlite, terms);
  std::lock_guard lock(mutex_);
  Statement q(db_, sql.c_str());
  for (std::size_t i = 0; i < terms.size(); ++i)
    q.bind(static_cast<int>(2 * i + 1), terms[i].key)
        .bind(static_cast<int>(2 * i + 2), terms[i].value);
  std::vector<StoredVersion> out;
  while (q.step()) out.push_back(version_row(q));
  return out;
}

}  // namespace mlpersist::sqlite
