#pragma once

// The one push algorithm of the SQL store plugins: what rows a version adds, in what order, and
// how progress is reported. A plugin supplies the statements (VersionWriter) and runs this
// inside its own transaction, so that a push is all of its versions or nothing.

#include <cstdint>
#include <mlpersist/progress.hpp>
#include <mlpersist/store_backend.hpp>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "store_sql.hpp"

namespace mlpersist::store_sql {

/// The statements a push runs, in a plugin's database; `Key` is how it names a row (a model,
/// a version). Each throws StoreError as StoreBackend's methods do.
template <class Key>
class VersionWriter {
 public:
  /// The model's row, inserted when this is its first version, and locked against other
  /// pushers until the transaction ends where the database needs that.
  virtual Key ensure_model(const std::string& name, const std::string& created_at) = 0;
  virtual std::uint64_t next_version(const Key& model) = 0;
  virtual Key insert_version_row(const Key& model, std::uint64_t number, const NewVersion& v) = 0;
  /// Stores the chunk unless a chunk of that hash is stored already, and links it as the
  /// version's chunk number `seq`.
  virtual void insert_chunk(const Key& version, std::int64_t seq, const NewChunk& chunk) = 0;
  virtual void insert_field(const Key& version, const std::string& key,
                            const std::string& value) = 0;
  virtual void write_alias(const Key& model, const AliasInfo& move) = 0;

 protected:
  ~VersionWriter() = default;
};

/// Inserts every version with `writer` (inside the caller's transaction) and returns their
/// numbers, telling `progress` of the chunk bytes written over all versions.
template <class Key>
std::vector<std::uint64_t> insert_versions(VersionWriter<Key>& writer,
                                           std::span<const NewVersion> versions,
                                           const ProgressFn& progress) {
  const std::uint64_t total = chunk_bytes(versions);
  std::uint64_t done = 0;
  std::vector<std::uint64_t> numbers;
  for (const NewVersion& v : versions) {
    const Key model = writer.ensure_model(v.name, v.created_at);
    const std::uint64_t number = writer.next_version(model);
    const Key version = writer.insert_version_row(model, number, v);
    std::int64_t seq = 0;
    for (const NewChunk& c : v.chunks) {
      writer.insert_chunk(version, seq++, c);
      done += c.bytes.size();
      if (progress) progress(done, total);
    }
    for (const auto& [key, value] : v.fields) writer.insert_field(version, key, value);
    for (const std::string& alias : v.aliases)
      writer.write_alias(model,
                         AliasInfo{v.name, alias, number, std::nullopt, v.created_at, v.pushed_by});
    numbers.push_back(number);
  }
  return numbers;
}

/// A push: insert_versions in one `Transaction` on `db` (committed only when every version is
/// in), holding `mutex`, the lock of the plugin's one connection.
template <class Transaction, class Db, class Key>
std::vector<std::uint64_t> push_in_transaction(std::mutex& mutex, Db& db,
                                               VersionWriter<Key>& writer,
                                               std::span<const NewVersion> versions,
                                               const ProgressFn& progress) {
  std::lock_guard lock(mutex);
  Transaction tx(db);
  std::vector<std::uint64_t> numbers = insert_versions(writer, versions, progress);
  tx.commit();
  return numbers;
}

}  // namespace mlpersist::store_sql
