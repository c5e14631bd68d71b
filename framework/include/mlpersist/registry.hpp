#pragma once

#include <mlpersist/backend.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/export.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mlpersist {

/// Creates an unfitted estimator with default parameters.
using EstimatorFactory = std::function<std::unique_ptr<Estimator>()>;

/// A registered estimator type.
struct TypeInfo {
  std::string type_tag;
  std::uint32_t schema_version = 0;
  std::string plugin;  ///< name of the plugin that registered it
};

/// A registered format backend.
struct BackendInfo {
  std::string name;
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
};

/// A plugin file that was found but not loaded, and why.
struct PluginFailure {
  std::filesystem::path path;
  std::string reason;
};

class Registrar;
using RegisterFunction = void (*)(Registrar&);

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
  static Registry with_default_plugins();
  /// $MLPERSIST_PLUGIN_PATH (colon-separated) when set, else the installation's plugin
  /// directory: `mlpersist/plugins` next to the framework library.
  static std::vector<std::filesystem::path> default_plugin_dirs();

  /// Loads one plugin library. Throws PluginError naming the file on a missing entry, an ABI
  /// mismatch, a duplicate name or a failing register function; nothing is registered then.
  const PluginInfo& load_plugin(const std::filesystem::path& file);
  /// Loads every `*.so` in the directories; a plugin that fails is recorded and skipped.
  /// Returns the number loaded.
  std::size_t load_plugins(const std::vector<std::filesystem::path>& directories);
  /// Registers a plugin linked into the program itself (same rules as load_plugin).
  const PluginInfo& add_static_plugin(std::string_view name, std::string_view version,
                                      RegisterFunction register_function);

  /// New unfitted estimator. Throws CompatibilityError(kUnknownTypeTag) listing known tags.
  [[nodiscard]] std::shared_ptr<Estimator> create(std::string_view type_tag) const;
  /// Throws CompatibilityError(kUnknownBackend) listing known backends.
  [[nodiscard]] std::shared_ptr<const Backend> backend(std::string_view name) const;
  /// nullptr when the type is not registered.
  [[nodiscard]] const TypeInfo* find_type(std::string_view type_tag) const;

  [[nodiscard]] std::vector<TypeInfo> types() const;
  [[nodiscard]] std::vector<BackendInfo> backends() const;
  [[nodiscard]] std::vector<PluginInfo> plugins() const;
  [[nodiscard]] std::vector<PluginFailure> failures() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// What a plugin's register function receives. Registrations are collected and committed to the
/// Registry only when the whole function succeeds, so a failing plugin leaves no trace.
class MLPERSIST_API Registrar {
 public:
  /// Registers E under E::kTypeTag at E::kSchemaVersion; E must be default-constructible.
  template <class E>
  void add_estimator() {
    add_estimator(std::string(E::kTypeTag), E::kSchemaVersion,
                  [] { return std::unique_ptr<Estimator>(new E()); });
  }
  void add_estimator(std::string type_tag, std::uint32_t schema_version, EstimatorFactory factory);

  template <class B>
  void add_backend() {
    add_backend(std::make_unique<B>());
  }
  void add_backend(std::unique_ptr<Backend> backend);

  struct Staged;
  explicit Registrar(Staged& staged) : staged_(staged) {}

 private:
  Staged& staged_;
};

}  // namespace mlpersist
