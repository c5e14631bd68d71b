#pragma once

// SQL shared by the store plugins: the schema (docs/store.md) in each database's dialect, the
// columns a version is read with, and the search statement. Only text written here becomes
// SQL; names, metadata and search terms are always bound parameters.

#include <cstddef>
#include <cstdint>
#include <mlpersist/error.hpp>
#include <mlpersist/store_backend.hpp>
#include <span>
#include <string>
#include <string_view>

namespace mlpersist::store_sql {

/// How a database spells what the schema needs.
struct Dialect {
  std::string_view id;         ///< an auto-numbered primary key
  std::string_view integer;    ///< a 64-bit integer
  std::string_view blob;       ///< raw bytes
  std::string_view parameter;  ///< the prefix of numbered parameters: "?" or "$"
};

inline constexpr Dialect kSqlite{"INTEGER PRIMARY KEY", "INTEGER", "BLOB", "?"};
inline constexpr Dialect kPostgresql{"BIGSERIAL PRIMARY KEY", "BIGINT", "BYTEA", "$"};

inline constexpr const char* kSchemaTemplate = R"sql(
CREATE TABLE IF NOT EXISTS models(
  id {ID}, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions(
  id {ID}, model_id {INT} NOT NULL REFERENCES models(id),
  version {INT} NOT NULL, content_hash TEXT NOT NULL, size {INT} NOT NULL,
  header TEXT NOT NULL, created_at TEXT NOT NULL, pushed_by TEXT NOT NULL,
  UNIQUE(model_id, version));
CREATE TABLE IF NOT EXISTS chunks(
  hash TEXT PRIMARY KEY, size {INT} NOT NULL, data {BLOB} NOT NULL);
CREATE TABLE IF NOT EXISTS version_chunks(
  version_id {INT} NOT NULL REFERENCES versions(id), seq {INT} NOT NULL,
  hash TEXT NOT NULL REFERENCES chunks(hash), size {INT} NOT NULL,
  PRIMARY KEY(version_id, seq));
CREATE TABLE IF NOT EXISTS fields(
  version_id {INT} NOT NULL REFERENCES versions(id), key TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS fields_by_key_value ON fields(key, value);
CREATE TABLE IF NOT EXISTS aliases(
  model_id {INT} NOT NULL REFERENCES models(id), alias TEXT NOT NULL,
  version {INT} NOT NULL, moved_at TEXT NOT NULL, moved_by TEXT NOT NULL,
  PRIMARY KEY(model_id, alias));
CREATE TABLE IF NOT EXISTS alias_history(
  id {ID}, model_id {INT} NOT NULL REFERENCES models(id), alias TEXT NOT NULL,
  version {INT} NOT NULL, previous {INT}, moved_at TEXT NOT NULL, moved_by TEXT NOT NULL);
)sql";

/// The schema's statements in `dialect`.
inline std::string schema(const Dialect& dialect) {
  std::string sql = kSchemaTemplate;
  const auto replace_all = [&sql](std::string_view token, std::string_view with) {
    for (auto at = sql.find(token); at != std::string::npos; at = sql.find(token, at))
      sql.replace(at, token.size(), with);
  };
  replace_all("{ID}", dialect.id);
  replace_all("{INT}", dialect.integer);
  replace_all("{BLOB}", dialect.blob);
  return sql;
}

/// A version's columns, in the order the plugins read them (then its row id, column 7).
inline constexpr const char* kVersionColumns =
    "SELECT m.name, v.version, v.content_hash, v.size, v.header, v.created_at, v.pushed_by, v.id "
    "FROM versions v JOIN models m ON m.id = v.model_id ";

/// A search is one EXISTS clause per term.
inline constexpr std::size_t kMaxSearchTerms = 32;

/// The search statement for `terms`: parameters 2i+1 and 2i+2 are term i's key and value.
/// Throws UsageError for no term or too many.
inline std::string search(const Dialect& dialect, std::span<const SearchTerm> terms) {
  if (terms.empty() || terms.size() > kMaxSearchTerms)
    throw UsageError(ErrorCode::kInvalidParameter,
                     "search: give 1 to " + std::to_string(kMaxSearchTerms) + " conditions");
  const std::string p(dialect.parameter);
  std::string sql = std::string(kVersionColumns) + "WHERE ";
  for (std::size_t i = 0; i < terms.size(); ++i)
    sql += (i == 0 ? "" : " AND ") +
           ("EXISTS (SELECT 1 FROM fields f WHERE f.version_id = v.id AND f.key = " + p) +
           std::to_string(2 * i + 1) + " AND f.value = " + p + std::to_string(2 * i + 2) + ")";
  return sql + " ORDER BY m.name, v.version";
}

/// Bytes of every chunk of every version: the total a push reports progress against.
inline std::uint64_t chunk_bytes(std::span<const NewVersion> versions) {
  std::uint64_t total = 0;
  for (const NewVersion& v : versions)
    for (const NewChunk& c : v.chunks) total += c.bytes.size();
  return total;
}

}  // namespace mlpersist::store_sql
