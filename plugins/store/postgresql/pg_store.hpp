#pragma once

// The PostgreSQL store: the SQLite store's schema (docs/store.md) with BIGSERIAL ids and bytea
// chunks. A push is one transaction that locks its model's row (FOR UPDATE), so concurrent
// pushers of one model are numbered in turn; chunks are inserted with ON CONFLICT DO NOTHING,
// so identical bytes are stored once even when two pushes race.

#include <mlpersist/store_backend.hpp>
#include <mutex>
#include <string>

#include "pg_db.hpp"
#include "store_push.hpp"

namespace mlpersist::postgresql {

class PgStore final : public StoreBackend, private store_sql::VersionWriter<std::string> {
 public:
  /// Connects and creates the schema when missing. Throws StoreError.
  explicit PgStore(const std::string& uri);

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
  // The statements of a push (store_push.hpp).
  std::string ensure_model(const std::string& name, const std::string& created_at) override;
  std::uint64_t next_version(const std::string& model) override;
  std::string insert_version_row(const std::string& model, std::uint64_t number,
                                 const NewVersion& v) override;
  void insert_chunk(const std::string& version, std::int64_t seq, const NewChunk& c) override;
  void insert_field(const std::string& version, const std::string& key,
                    const std::string& value) override;
  void write_alias(const std::string& model, const AliasInfo& move) override;
  /// The model's id as text; throws StoreError(kNotFound). `lock` takes its row lock.
  std::string model_id(std::string_view name, bool lock = false);
  std::uint64_t resolve_version(const std::string& model, std::string_view name,
                                const VersionRef& ref);
  std::vector<ChunkRef> chunks_of(const std::string& version_id);

  std::mutex mutex_;  // one connection, used by one thread at a time
  Connection db_;
};

}  // namespace mlpersist::postgresql
