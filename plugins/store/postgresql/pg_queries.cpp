// The PostgreSQL store's reads: versions by reference, chunks, listings, alias history, search.

#include <mlpersist/error.hpp>
#include <string>

#include "pg_store.hpp"
#include "store_sql.hpp"

namespace mlpersist::postgresql {
namespace {

using store_sql::kVersionColumns;

StoredVersion version_row(const Result& r, int row) {
  StoredVersion v;
  v.name = r.text(row, 0);
  v.version = static_cast<std::uint64_t>(r.integer(row, 1));
  v.content_hash = r.text(row, 2);
  v.size = static_cast<std::uint64_t>(r.integer(row, 3));
  v.header_json = r.text(row, 4);
  v.created_at = r.text(row, 5);
  v.pushed_by = r.text(row, 6);
  return v;
}

AliasInfo alias_row(const Result& r, int row, std::string name) {
  AliasInfo a;
  a.name = std::move(name);
  a.alias = r.text(row, 0);
  a.version = static_cast<std::uint64_t>(r.integer(row, 1));
  if (!r.is_null(row, 2)) a.previous = static_cast<std::uint64_t>(r.integer(row, 2));
  a.moved_at = r.text(row, 3);
  a.moved_by = r.text(row, 4);
  return a;
}

}  // namespace

std::uint64_t PgStore::resolve_version(const std::string& model, std::string_view name,
                                       const VersionRef& ref) {
  const std::string where =
      "postgresql store '" + db_.name() + "': model '" + std::string(name) + "'";
  if (!ref.alias.empty()) {
    const Result r = db_.exec("SELECT version FROM aliases WHERE model_id = $1 AND alias = $2",
                              {{model}, {ref.alias}});
    if (r.rows() == 0)
      throw StoreError(ErrorCode::kNotFound, where + " has no alias '" + ref.alias +
                                                 "'; 'mlpersist versions STORE NAME' lists them");
    return static_cast<std::uint64_t>(r.integer(0, 0));
  }
  const std::string number = ref.version ? to_text(static_cast<std::int64_t>(*ref.version)) : "";
  const Result r =
      ref.version ? db_.exec("SELECT version FROM versions WHERE model_id = $1 AND version = $2",
                             {{model}, {number}})
                  : db_.exec("SELECT MAX(version) FROM versions WHERE model_id = $1", {{model}});
  if (r.rows() == 0 || r.is_null(0, 0))
    throw StoreError(ErrorCode::kNotFound, where + " has no version " +
                                               (ref.version ? number : "at all") +
                                               "; 'mlpersist versions STORE NAME' lists them");
  return static_cast<std::uint64_t>(r.integer(0, 0));
}

std::vector<ChunkRef> PgStore::chunks_of(const std::string& version_id) {
  const Result r = db_.exec(
      "SELECT hash, size FROM version_chunks WHERE version_id = $1 ORDER BY seq", {{version_id}});
  std::vector<ChunkRef> chunks;
  for (int i = 0; i < r.rows(); ++i)
    chunks.push_back({r.text(i, 0), static_cast<std::uint64_t>(r.integer(i, 1))});
  return chunks;
}

StoredVersion PgStore::find(std::string_view name, const VersionRef& ref) {
  std::lock_guard lock(mutex_);
  const std::string model = model_id(name);
  const std::string number = to_text(static_cast<std::int64_t>(resolve_version(model, name, ref)));
  const Result r =
      db_.exec((std::string(kVersionColumns) + "WHERE v.model_id = $1 AND v.version = $2").c_str(),
               {{model}, {number}});
  if (r.rows() == 0)
    throw StoreError(ErrorCode::kNotFound, "postgresql store '" + db_.name() + "': version " +
                                               number + " of '" + std::string(name) + "' vanished");
  StoredVersion v = version_row(r, 0);
  v.chunks = chunks_of(r.text(0, 7));
  return v;
}

std::string PgStore::read_chunk(std::string_view hash) {
  std::lock_guard lock(mutex_);
  // Binary results: bytea arrives as its raw bytes.
  const Result r =
      db_.exec("SELECT data FROM chunks WHERE hash = $1", {{hash}}, /*binary_result=*/true);
  if (r.rows() == 0)
    throw StoreError(ErrorCode::kNotFound, "postgresql store '" + db_.name() + "': chunk " +
                                               std::string(hash) +
                                               " is missing; the store is damaged");
  return r.text(0, 0);
}

std::vector<ModelSummary> PgStore::models() {
  std::lock_guard lock(mutex_);
  const Result r = db_.exec(
      "SELECT m.name, COUNT(v.id), COALESCE(MAX(v.version), 0) FROM models m "
      "LEFT JOIN versions v ON v.model_id = m.id GROUP BY m.id, m.name ORDER BY m.name");
  std::vector<ModelSummary> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.text(i, 0),
                   static_cast<std::uint64_t>(r.integer(i, 1)),
                   static_cast<std::uint64_t>(r.integer(i, 2)),
                   {}});
  const Result a = db_.exec(
      "SELECT a.alias, a.version, NULL, a.moved_at, a.moved_by, m.name FROM aliases a "
      "JOIN models m ON m.id = a.model_id ORDER BY m.name, a.alias");
  for (int i = 0; i < a.rows(); ++i)
    for (ModelSummary& m : out)
      if (m.name == a.text(i, 5)) m.aliases.push_back(alias_row(a, i, m.name));
  return out;
}

std::vector<StoredVersion> PgStore::versions(std::string_view name) {
  std::lock_guard lock(mutex_);
  const std::string model = model_id(name);
  const Result r =
      db_.exec((std::string(kVersionColumns) + "WHERE v.model_id = $1 ORDER BY v.version").c_str(),
               {{model}});
  std::vector<StoredVersion> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(version_row(r, i));
  return out;
}

std::vector<AliasInfo> PgStore::alias_history(std::string_view name) {
  std::lock_guard lock(mutex_);
  const std::string model = model_id(name);
  const Result r = db_.exec(
      "SELECT alias, version, previous, moved_at, moved_by FROM alias_history "
      "WHERE model_id = $1 ORDER BY id",
      {{model}});
  std::vector<AliasInfo> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(alias_row(r, i, std::string(name)));
  return out;
}

std::vector<StoredVersion> PgStore::search(std::span<const SearchTerm> terms) {
  const std::string sql = store_sql::search(store_sql::kPostgresql, terms);
  std::vector<Param> params;
  for (const SearchTerm& term : terms) {
    params.push_back({term.key});
    params.push_back({term.value});
  }
  std::lock_guard lock(mutex_);
  const Result r = db_.exec(sql.c_str(), params);
  std::vector<StoredVersion> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(version_row(r, i));
  return out;
}

}  // namespace mlpersist::postgresql
