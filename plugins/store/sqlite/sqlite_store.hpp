#pragma once

// The SQLite store: one database file in WAL mode. Schema (PRAGMA user_version = 1):
//
//   models(id, name UNIQUE, created_at)
//   versions(id, model_id, version, content_hash, size, header, created_at, pushed_by)
//       UNIQUE(model_id, version): versions are numbered from 1 per model and never change
//   chunks(hash PRIMARY KEY, size, data): content-addressed by SHA-256, stored once
//   version_chunks(version_id, seq, hash, size): each version's chunks in order
//   fields(version_id, key, value), indexed on (key, value): the searchable header fields
//   aliases(model_id, alias, version, moved_at, moved_by): where each alias points now
//   alias_history(id, model_id, alias, version, previous, moved_at, moved_by): every move
//
// A push is one IMMEDIATE transaction (all its versions, chunks, fields and aliases or none of
// them); readers see committed pushes only (WAL), so a crash mid-push leaves nothing visible.

#include <mlpersist/store_backend.hpp>
#include <mutex>
#include <string>

#include "sqlite_db.hpp"
#include "store_push.hpp"

namespace mlpersist::sqlite {

class SqliteStore final : public StoreBackend, private store_sql::VersionWriter<std::int64_t> {
 public:
  /// Opens or creates the database at `path` and its schema. Throws StoreError.
  explicit SqliteStore(const std::string& path);

  std::vector<std::uint64_t> push(std::span<const NewVersion> versions,
                                  const ProgressFn& progress) override;
  StoredVersion find(std::string_view name, const VersionRef& ref) override;
  std::string read_chunk(std::string_view hash) override;
  std::vector<ModelSummary> models() override;
  std::vector<StoredVersion> versions(std::string_view name) override;
  void move_alias(const AliasInfo& move) override;
  std::vector<AliasInfo> alias_history(std::string_view name) override;
  std::vector<StoredVersion> search(std::span<const SearchTerm> terms) override;

 private:
  void create_schema();
  std::int64_t schema_version();
  // The statements of a push (store_push.hpp).
  std::int64_t ensure_model(const std::string& name, const std::string& created_at) override;
  std::uint64_t next_version(const std::int64_t& model) override;
  std::int64_t insert_version_row(const std::int64_t& model, std::uint64_t number,
                                  const NewVersion& v) override;
  void insert_chunk(const std::int64_t& version, std::int64_t seq, const NewChunk& c) override;
  void insert_field(const std::int64_t& version, const std::string& key,
                    const std::string& value) override;
  void write_alias(const std::int64_t& model, const AliasInfo& move) override;
  /// The model's id; throws StoreError(kNotFound).
  std::int64_t model_id(std::string_view name);
  std::uint64_t resolve_version(std::int64_t model, std::string_view name, const VersionRef& ref);
  std::vector<ChunkRef> chunks_of(std::int64_t version_id);

  std::mutex mutex_;  // one connection, used by one thread at a time
  Db db_;
};

}  // namespace mlpersist::sqlite
