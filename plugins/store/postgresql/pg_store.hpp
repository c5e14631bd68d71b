#pragma once

// The PostgreSQL store: the SQLite store's schema (docs/store.md) with BIGSERIAL ids and bytea
// chunks. A push is one transaction that locks its model's row (FOR UPDATE), so concurrent
// pushers of one model are numbered in turn; chunks are inserted with ON CONFLICT DO NOTHING,
// so identical bytes are stored once even when two pushes race.

#include <mlpersist/store_backend.hpp>
#include <mutex>
#include <string>

#include "pg_db.hpp"

namespace mlpersist::postgresql {

class PgStore final : public StoreBackend {
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
  std::uint64_t insert_version(const NewVersion& v, const ProgressFn& progress, std::uint64_t& done,
                               std::uint64_t total);
  void insert_chunks(const std::string& version_id, const NewVersion& v, const ProgressFn& progress,
                     std::uint64_t& done, std::uint64_t total);
  /// The model's id as text; throws StoreError(kNotFound). `lock` takes its row lock.
  std::string model_id(std::string_view name, bool lock = false);
  std::uint64_t resolve_version(const std::string& model, std::string_view name,
                                const VersionRef& ref);
  void write_alias(const std::string& model, const AliasInfo& move);
  std::vector<ChunkRef> chunks_of(const std::string& version_id);

  std::mutex mutex_;  // one connection, used by one thread at a time
  Connection db_;
};

}  // namespace mlpersist::postgresql
