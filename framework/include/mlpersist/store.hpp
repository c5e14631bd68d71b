#pragma once

// Models in a store: named models with immutable numbered versions, movable aliases with a
// history, a search over indexed header fields, and artifacts kept as content-addressed chunks.
// Stores are plugins (store_backend.hpp) chosen by URI: `sqlite:///var/models.db`,
// `postgresql://host/db`. Loads go through a local cache of verified artifacts, then through
// the normal file load (mapped, checksummed, allowlist and signature policy as for any file).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mlpersist/envelope.hpp>
#include <mlpersist/export.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/registry.hpp>
#include <mlpersist/store_backend.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mlpersist {

/// Payload bytes per chunk after the first; the first chunk is the artifact's prelude and
/// header (up to the payload), so that reading a header fetches one small chunk.
inline constexpr std::uint64_t kStoreChunkSize = std::uint64_t{4} << 20;

/// `STORE#NAME@REF` taken apart: the store URI, the model name and a version reference (a
/// number, an alias, or `latest`; `STORE#NAME` alone means latest).
struct ModelLocation {
  std::string store;
  std::string name;
  std::string ref;
};

/// Splits a store URI into scheme and location. Throws UsageError(kInvalidParameter) for
/// anything that is not `scheme://...`.
[[nodiscard]] MLPERSIST_API StoreUri parse_store_uri(std::string_view uri);
/// True when `text` names a model in a store (`scheme://...#NAME[@REF]`) rather than a file.
[[nodiscard]] MLPERSIST_API bool is_model_location(std::string_view text) noexcept;
/// Parses `STORE#NAME[@REF]`; throws UsageError(kInvalidParameter) saying what form to use.
[[nodiscard]] MLPERSIST_API ModelLocation parse_model_location(std::string_view text);
/// Parses `NAME[@REF]` (the store given separately).
[[nodiscard]] MLPERSIST_API ModelLocation parse_model_ref(std::string_view store,
                                                          std::string_view text);
/// Model names and aliases: 1 to 128 of [A-Za-z0-9._-], starting with a letter or digit; an
/// alias is not all digits and not "latest". Throws UsageError(kInvalidParameter).
MLPERSIST_API void check_model_name(std::string_view name);
MLPERSIST_API void check_alias(std::string_view alias);

/// The header fields a store indexes for search, as (key, value) text pairs: `type` (every
/// type in the artifact), `backend`, `schema_version`, `framework_version`, and every scalar of
/// the metadata under its dotted path (`created_at`, `training_data.sha256`,
/// `source.git_commit`, `cross_validation.mean`, `user.owner`, ...).
[[nodiscard]] MLPERSIST_API std::vector<std::pair<std::string, std::string>> index_fields(
    const Header& header);

struct StoreOptions {
  /// Where verified artifacts are kept for loads, one file per content hash. Empty: the
  /// default_cache_dir().
  std::filesystem::path cache_dir;
};

/// $MLPERSIST_CACHE_DIR, else $XDG_CACHE_HOME/mlpersist, else ~/.cache/mlpersist.
[[nodiscard]] MLPERSIST_API std::filesystem::path default_cache_dir();

struct PushOptions {
  std::vector<std::string> aliases;  ///< moved to the new version in the same transaction
  ProgressFn progress{};             ///< chunk bytes stored so far, of the artifact's size
};

/// What `migrate_all` did or, on a dry run, would do to one stored version.
struct MigrationOutcome {
  std::string name;
  std::uint64_t version = 0;
  std::uint64_t new_version = 0;   ///< 0 on a dry run, when nothing changed, or on failure
  std::vector<std::string> steps;  ///< the migration steps applied, as JSON text
  std::string error;               ///< why it cannot be migrated (then nothing was stored)
};

/// A connection to one model store.
class MLPERSIST_API ModelStore {
 public:
  /// Opens the store `uri` names with the registry's store plugins (creating an empty store
  /// when the database is new). Throws CompatibilityError(kUnknownBackend), StoreError.
  static ModelStore open(const Registry& registry, std::string_view uri, StoreOptions options = {});

  /// Adds an artifact as the next version of `name` and returns its number. The artifact is
  /// checked whole (envelope and checksums) first; nothing is stored when it is damaged.
  std::uint64_t push(const std::filesystem::path& file, std::string_view name,
                     const PushOptions& options = {});
  std::uint64_t push(std::span<const std::byte> artifact, std::string_view name,
                     const PushOptions& options = {});

  /// The version `ref` names (number, alias or "latest"). Throws StoreError(kNotFound).
  [[nodiscard]] StoredVersion resolve(std::string_view name, std::string_view ref);
  /// The artifact's path in the cache, fetched and verified (every chunk's and the whole
  /// artifact's SHA-256) unless it is there already. Throws StoreError, IoError.
  [[nodiscard]] std::filesystem::path fetch(const StoredVersion& version);
  /// Copies a version into `out` (written atomically).
  void pull(std::string_view name, std::string_view ref, const std::filesystem::path& out);
  /// The header only: reads the first chunk, never the payload.
  [[nodiscard]] Header inspect(std::string_view name, std::string_view ref);
  /// Loads through the cache with `load(registry, path, options)`: mapped, and refused exactly
  /// as a file would be by options' allowlist and signature policy.
  [[nodiscard]] std::shared_ptr<Estimator> load(const Registry& registry, std::string_view name,
                                                std::string_view ref,
                                                const LoadOptions& options = {});

  [[nodiscard]] std::vector<ModelSummary> models();
  [[nodiscard]] std::vector<StoredVersion> versions(std::string_view name);
  /// Points `alias` at `version` (which must exist) and records who moved it when.
  void set_alias(std::string_view name, std::uint64_t version, std::string_view alias);
  [[nodiscard]] std::vector<AliasInfo> alias_history(std::string_view name);
  /// Versions whose indexed fields (index_fields) equal every term.
  [[nodiscard]] std::vector<StoredVersion> search(const std::vector<SearchTerm>& terms);

  /// Upgrades every version of every model whose documents are older than the registry's
  /// types into a new version of the same model, all in one transaction: when any version
  /// fails, nothing is stored and the report says which and why. `dry_run` stores nothing.
  std::vector<MigrationOutcome> migrate_all(const Registry& registry, bool dry_run,
                                            const LoadOptions& options = {});

  [[nodiscard]] const StoreUri& uri() const noexcept { return uri_; }
  [[nodiscard]] const std::filesystem::path& cache_dir() const noexcept { return cache_dir_; }

 private:
  ModelStore(StoreUri uri, std::shared_ptr<StoreBackend> backend, std::filesystem::path cache);

  StoreUri uri_;
  std::shared_ptr<StoreBackend> backend_;
  std::filesystem::path cache_dir_;
};

}  // namespace mlpersist
