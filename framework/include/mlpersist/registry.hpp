#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mlpersist/backend.hpp>
#include <mlpersist/export.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/store_backend.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mlpersist {

// Declared, not included: the registry hands estimators out, and a backend plugin registering
// through it need not parse the estimator interface (and Eigen with it).
class Estimator;

/// Creates an unfitted estimator with default parameters.
using EstimatorFactory = std::function<std::unique_ptr<Estimator>()>;

/// A registered estimator type.
struct TypeInfo {
  std::string type_tag;
  std::uint32_t schema_version = 0;  ///< the version this build writes and reads
  /// The oldest reader version that reads what this build writes correctly: equal to
  /// schema_version after a breaking change, lower when versions since then only added
  /// optional fields (which older readers ignore).
  std::uint32_t min_reader_version = 0;
  std::string plugin;  ///< name of the plugin that registered it
};

/// Turns a typed document ({type, schema_version, params, n_features_in_, state}) of one schema
/// version into the document of the adjacent version. It reads through a path-aware Node, so
/// `fail()` names the document path, and returns a new document: the input is never modified.
/// The framework sets `type` and `schema_version` of the result itself.
using MigrationFunction = std::function<Value(const Node& document)>;

enum class MigrationDirection : std::uint8_t { kUpgrade, kDowngrade };

/// A registered migration hook: from_version to from_version + 1 (upgrade) or - 1 (downgrade).
struct MigrationInfo {
  std::string type_tag;
  std::uint32_t from_version = 0;
  std::uint32_t to_version = 0;
  MigrationDirection direction = MigrationDirection::kUpgrade;
  std::string description;  ///< what changed, for people reading `mlpersist plugins`
  std::string plugin;       ///< the plugin that registered the hook (maybe not the type's own)
};

struct Migration {
  MigrationInfo info;
  MigrationFunction apply;
};

/// A type tag that was renamed: documents saved under old_tag load as new_tag.
struct RenameInfo {
  std::string old_tag;
  std::string new_tag;
  std::string plugin;
};

/// A registered format backend.
struct BackendInfo {
  std::string name;
  std::string description;
  std::string plugin;
};

/// A registered model-store backend, chosen by the scheme of a store URI.
struct StoreInfo {
  std::string scheme;  ///< "sqlite", "postgresql", ...
  std::string description;
  std::string plugin;
};

/// A plugin that loaded, with what it registered.
struct PluginInfo {
  std::string name;
  std::string version;
  std::filesystem::path path;  ///< empty for plugins registered in-process
  std::vector<std::string> type_tags;
  std::vector<std::string> backends;
  std::vector<std::string> stores;  ///< store URI schemes
};

/// A plugin file that was found but not loaded, and why.
struct PluginFailure {
  std::filesystem::path path;
  std::string reason;
};

class Registrar;
using RegisterFunction = void (*)(Registrar&);

/// Who may have written a plugin before its code runs. Whoever can write a plugin file, or a
/// directory on its path, runs code in every program that loads it.
struct PluginTrust {
  /// Load plugins that users other than their owner may replace: a file or plugin directory
  /// that is world-writable, group-writable by a group other than root's or ours, or owned by
  /// another user than root or us, or an ancestor directory that others may rename entries of
  /// (writable without the sticky bit). Refused by default with
  /// PluginError(kUnsafePermissions).
  bool allow_writable_by_others = false;
};

/// Estimator factories and format backends, filled at run time from plugins.
///
/// Setup (loading plugins) and use may overlap in time: lookups take a shared lock and are safe
/// from any number of threads. Every estimator and backend handed out holds a reference to its
/// plugin library, so it keeps working after the Registry is destroyed.
class MLPERSIST_API Registry {
 public:
  Registry();
  ~Registry();
  Registry(Registry&&) noexcept;
  Registry& operator=(Registry&&) noexcept;

  /// A registry with every plugin found in default_plugin_dirs(); failures are recorded in
  /// failures(), not thrown.
  static Registry with_default_plugins(const PluginTrust& trust = {});
  /// $MLPERSIST_PLUGIN_PATH (colon-separated) when set, else the installation's plugin
  /// directory: `mlpersist/plugins` next to the framework library.
  static std::vector<std::filesystem::path> default_plugin_dirs();

  /// Loads one plugin library. Throws PluginError naming the file on permissions `trust` does
  /// not accept, a missing entry, an ABI mismatch, a duplicate name or a failing register
  /// function; nothing is registered then.
  const PluginInfo& load_plugin(const std::filesystem::path& file, const PluginTrust& trust = {});
  /// Loads every `*.so` in the directories (and in no other place); a plugin or directory that
  /// fails is recorded and skipped. Returns the number loaded.
  std::size_t load_plugins(const std::vector<std::filesystem::path>& directories,
                           const PluginTrust& trust = {});
  /// Registers a plugin linked into the program itself (same rules as load_plugin).
  const PluginInfo& add_static_plugin(std::string_view name, std::string_view version,
                                      RegisterFunction register_function);

  /// New unfitted estimator. Throws CompatibilityError(kUnknownTypeTag) listing known tags.
  [[nodiscard]] std::shared_ptr<Estimator> create(std::string_view type_tag) const;
  /// Throws CompatibilityError(kUnknownBackend) listing known backends.
  [[nodiscard]] std::shared_ptr<const Backend> backend(std::string_view name) const;
  /// nullptr when the type is not registered.
  [[nodiscard]] const TypeInfo* find_type(std::string_view type_tag) const;
  /// A connection to the store `uri` names, from the plugin registered for its scheme; it keeps
  /// that plugin loaded. Throws CompatibilityError(kUnknownBackend) listing known schemes, and
  /// whatever the plugin throws (StoreError).
  [[nodiscard]] std::shared_ptr<StoreBackend> open_store(const StoreUri& uri) const;
  /// nullptr when no store plugin handles that scheme.
  [[nodiscard]] const StoreInfo* find_store(std::string_view scheme) const;
  /// nullptr when no backend of that name is registered.
  [[nodiscard]] const BackendInfo* find_backend(std::string_view name) const;
  /// nullptr when no plugin of that name is loaded. Like find_type's, the pointer stays valid
  /// while the Registry lives (plugins are never unloaded).
  [[nodiscard]] const PluginInfo* find_plugin(std::string_view name) const;
  /// The hook from `from_version` in that direction; nullptr when none is registered.
  [[nodiscard]] const Migration* find_migration(std::string_view type_tag,
                                                std::uint32_t from_version,
                                                MigrationDirection direction) const;
  /// The tag `old_tag` was renamed to; nullptr when it was not renamed.
  [[nodiscard]] const RenameInfo* find_rename(std::string_view old_tag) const;
  /// The registered type that `type_tag`, as an artifact names it, loads as here: the type
  /// itself, or the end of its chain of renames (each rename taken is appended to `hops` when
  /// given). nullptr when no loaded plugin provides it. Throws
  /// CompatibilityError(kUnknownTypeTag) when the renames form a cycle or a chain longer than
  /// kMaxRenameHops, which only plugins, not files, can cause.
  [[nodiscard]] const TypeInfo* resolve(std::string_view type_tag,
                                        std::vector<const RenameInfo*>* hops = nullptr) const;
  static constexpr int kMaxRenameHops = 16;

  [[nodiscard]] std::vector<TypeInfo> types() const;
  [[nodiscard]] std::vector<BackendInfo> backends() const;
  [[nodiscard]] std::vector<StoreInfo> stores() const;
  [[nodiscard]] std::vector<PluginInfo> plugins() const;
  [[nodiscard]] std::vector<PluginFailure> failures() const;
  [[nodiscard]] std::vector<MigrationInfo> migrations() const;
  [[nodiscard]] std::vector<RenameInfo> renames() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// What a plugin's register function receives. Registrations are collected and committed to the
/// Registry only when the whole function succeeds, so a failing plugin leaves no trace.
class MLPERSIST_API Registrar {
 public:
  /// Registers E under E::kTypeTag at E::kSchemaVersion (and E::kMinReaderVersion when it
  /// declares one); E must be default-constructible.
  template <class E>
  void add_estimator() {
    add_estimator(
        std::string(E::kTypeTag), E::kSchemaVersion,
        [] { return std::unique_ptr<Estimator>(new E()); }, E().min_reader_version());
  }
  /// `min_reader_version` 0 means "equal to schema_version".
  void add_estimator(std::string type_tag, std::uint32_t schema_version, EstimatorFactory factory,
                     std::uint32_t min_reader_version = 0);

  /// Hook from `from_version` to `from_version + 1` of `type_tag`, which another plugin may
  /// provide. Registering the same step twice is a PluginError.
  void add_upgrade(std::string type_tag, std::uint32_t from_version, std::string description,
                   MigrationFunction upgrade);
  /// Hook from `from_version` to `from_version - 1`, for writing files older deployments read.
  void add_downgrade(std::string type_tag, std::uint32_t from_version, std::string description,
                     MigrationFunction downgrade);
  /// Documents saved under `old_tag` load as `new_tag` (then migrate as `new_tag` does).
  void add_rename(std::string old_tag, std::string new_tag);

  template <class B>
  void add_backend() {
    add_backend(std::make_unique<B>());
  }
  void add_backend(std::unique_ptr<Backend> backend);
  /// A model-store backend for URIs of `scheme` (a short lowercase word such as "sqlite").
  void add_store(std::string scheme, std::string description, StoreFactory factory);

  struct Staged;

 private:
  friend class Registry;  // the only one that makes a Registrar, around a register function
  explicit Registrar(Staged& staged) : staged_(staged) {}
  void stage(Migration migration);

  Staged& staged_;
};

}  // namespace mlpersist
