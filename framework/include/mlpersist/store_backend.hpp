#pragma once

// What a model-store plugin implements: a database that keeps named models, their immutable
// numbered versions (as lists of content-addressed chunks), movable aliases with their history
// and an index of header fields. The framework does everything else (chunking, hashing, names,
// the verified cache, loads): see store.hpp, which is what applications use.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mlpersist/export.hpp>
#include <mlpersist/progress.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlpersist {

/// A chunk of a stored artifact, named by the SHA-256 (lowercase hex) of its bytes.
struct ChunkRef {
  std::string hash;
  std::uint64_t size = 0;
};

/// A version as a store records it.
struct StoredVersion {
  std::string name;
  std::uint64_t version = 0;
  std::string content_hash;      ///< SHA-256 of the whole artifact
  std::uint64_t size = 0;        ///< bytes of the whole artifact
  std::string header_json;       ///< the artifact's header (header_to_value) as JSON text
  std::string created_at;        ///< when it was pushed (UTC, ISO 8601)
  std::string pushed_by;         ///< user@host of the pushing process
  std::vector<ChunkRef> chunks;  ///< in order; filled by StoreBackend::find only
};

/// A chunk to store: its bytes and their SHA-256.
struct NewChunk {
  std::string hash;
  std::span<const std::byte> bytes;
};

/// A version to add under `name` (the model is created on its first version).
struct NewVersion {
  std::string name;
  std::string content_hash;
  std::uint64_t size = 0;
  std::string header_json;
  std::string created_at;
  std::string pushed_by;
  std::vector<NewChunk> chunks;  ///< in order; a chunk the store holds already is not rewritten
  /// Indexed header fields (key, value), searchable with StoreBackend::search.
  std::vector<std::pair<std::string, std::string>> fields;
  std::vector<std::string> aliases;  ///< moved to the new version in the same transaction
};

/// A version reference already validated by the framework: a number, an alias, or neither
/// (the latest version).
struct VersionRef {
  std::optional<std::uint64_t> version;
  std::string alias;
};

/// An alias and where it points, or one move of it (history).
struct AliasInfo {
  std::string name;
  std::string alias;
  std::uint64_t version = 0;
  std::optional<std::uint64_t> previous;  ///< history only: where it pointed before
  std::string moved_at;
  std::string moved_by;
};

struct ModelSummary {
  std::string name;
  std::uint64_t versions = 0;
  std::uint64_t latest = 0;
  std::vector<AliasInfo> aliases;
};

/// One search condition: a header field equals a value.
struct SearchTerm {
  std::string key;
  std::string value;
};

/// A store plugin's database connection. Every method runs its statements with bound
/// parameters only and throws StoreError: kNotFound for a name it does not hold,
/// kStoreUnavailable when the database is busy or unreachable (the caller may retry), kIo for
/// other database failures. Calls may come from several threads; implementations serialise
/// them.
class MLPERSIST_API StoreBackend {
 public:
  virtual ~StoreBackend() = default;

  /// Adds every version in one transaction: all of them become visible together or none does
  /// (a crash or error in the middle leaves no trace). `progress` hears of chunk bytes written
  /// (done, total over all versions). Returns the new version numbers, in order.
  virtual std::vector<std::uint64_t> push(std::span<const NewVersion> versions,
                                          const ProgressFn& progress) = 0;
  /// The version `ref` names, with its chunk list.
  [[nodiscard]] virtual StoredVersion find(std::string_view name, const VersionRef& ref) = 0;
  /// The bytes of a chunk the store holds.
  [[nodiscard]] virtual std::string read_chunk(std::string_view hash) = 0;
  [[nodiscard]] virtual std::vector<ModelSummary> models() = 0;
  /// Every version of a model, oldest first, without chunk lists.
  [[nodiscard]] virtual std::vector<StoredVersion> versions(std::string_view name) = 0;
  /// Points `alias` at an existing version and records the move in the history.
  virtual void move_alias(const AliasInfo& move) = 0;
  /// Every move of every alias of a model, oldest first.
  [[nodiscard]] virtual std::vector<AliasInfo> alias_history(std::string_view name) = 0;
  /// Versions whose indexed fields satisfy every term, without chunk lists.
  [[nodiscard]] virtual std::vector<StoredVersion> search(std::span<const SearchTerm> terms) = 0;
};

/// A store URI taken apart: `sqlite:///var/models.db` is scheme "sqlite", location
/// "/var/models.db"; `postgresql://host/db` keeps the whole URI as location.
struct StoreUri {
  std::string scheme;
  std::string location;
  std::string uri;  ///< as given
};

/// Opens a connection (creating the schema if needed). Throws StoreError.
using StoreFactory = std::function<std::unique_ptr<StoreBackend>(const StoreUri& uri)>;

}  // namespace mlpersist
