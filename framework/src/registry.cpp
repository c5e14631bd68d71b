#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <deque>
#include <map>
#include <mlpersist/error.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/plugin.hpp>
#include <mlpersist/registry.hpp>
#include <mutex>
#include <shared_mutex>
#include <tuple>

#include "detail/plugin_trust.hpp"

namespace mlpersist {

namespace fs = std::filesystem;
using LibraryHandle = std::shared_ptr<const void>;

struct Registrar::Staged {
  struct Type {
    TypeInfo info;
    EstimatorFactory factory;
  };
  std::vector<Type> types;
  std::vector<std::unique_ptr<Backend>> backends;
  std::vector<Migration> migrations;
  std::vector<RenameInfo> renames;
  std::vector<std::pair<StoreInfo, StoreFactory>> stores;
};

namespace {

struct TypeEntry {
  TypeInfo info;
  EstimatorFactory factory;
  LibraryHandle library;
};

struct BackendEntry {
  BackendInfo info;
  std::shared_ptr<const Backend> backend;
};

struct StoreEntry {
  StoreInfo info;
  StoreFactory factory;
  LibraryHandle library;
};

// Migrations are looked up by (type tag, from version, direction).
using MigrationKey = std::tuple<std::string, std::uint32_t, MigrationDirection>;

MigrationKey key_of(const MigrationInfo& m) {
  return {m.type_tag, m.from_version, m.direction};
}

std::string describe(const MigrationInfo& m) {
  return std::string(m.direction == MigrationDirection::kUpgrade ? "upgrade" : "downgrade") +
         " of '" + m.type_tag + "' from schema " + std::to_string(m.from_version);
}

template <class Entries>
std::string known_names(const Entries& entries) {
  std::string names;
  for (const auto& [name, entry] : entries) names += (names.empty() ? "" : ", ") + name;
  return names.empty() ? "(none: no plugin is loaded)" : names;
}

[[noreturn]] void plugin_error(const fs::path& file, const std::string& what) {
  throw PluginError(ErrorCode::kPlugin, "plugin '" + file.string() + "': " + what);
}

std::shared_ptr<boost::dll::shared_library> open_library(const fs::path& file) {
  try {
    return std::make_shared<boost::dll::shared_library>(
        file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    plugin_error(file, std::string("not a loadable shared library (") + e.what() +
                           "); remove it from the plugin directory or rebuild it");
  }
}

const PluginDescriptor& checked_descriptor(const boost::dll::shared_library& lib,
                                           const fs::path& file) {
  if (!lib.has(kPluginEntry))
    plugin_error(file, std::string("has no '") + kPluginEntry +
                           "' entry; a plugin must define it with MLPERSIST_PLUGIN");
  const auto& entry = lib.get_alias<const PluginDescriptor*()>(kPluginEntry);
  const PluginDescriptor* d = entry();
  if (d == nullptr) plugin_error(file, "its entry returned no descriptor");
  if (d->abi_version != kPluginAbiVersion)
    plugin_error(file, "built for plugin ABI " + std::to_string(d->abi_version) +
                           ", but this framework (" MLPERSIST_VERSION_STRING ") uses ABI " +
                           std::to_string(kPluginAbiVersion) + "; rebuild the plugin against it");
  if (d->descriptor_size != sizeof(PluginDescriptor) || d->register_function == nullptr)
    plugin_error(file, "has a malformed descriptor; rebuild the plugin");
  return *d;
}

}  // namespace

struct Registry::Impl {
  // Declared first so that they are destroyed last: entries below hold plugin code.
  std::vector<LibraryHandle> libraries;
  mutable std::shared_mutex mutex;
  std::map<std::string, TypeEntry, std::less<>> types;
  std::map<std::string, BackendEntry, std::less<>> backends;
  std::map<std::string, StoreEntry, std::less<>> stores;
  std::map<MigrationKey, Migration> migrations;
  std::map<std::string, RenameInfo, std::less<>> renames;
  std::deque<PluginInfo> plugins;  // a deque: load_plugin and find_plugin hand out references
  std::vector<PluginFailure> failures;

  const PluginInfo& commit(Registrar::Staged& staged, PluginInfo info, const LibraryHandle& lib);
  void check_duplicates(const Registrar::Staged& staged, const PluginInfo& info) const;
};

void Registry::Impl::check_duplicates(const Registrar::Staged& staged,
                                      const PluginInfo& info) const {
  const std::string who = info.path.empty() ? info.name : info.path.string();
  for (const auto& plugin : plugins)
    if (plugin.name == info.name)
      throw PluginError(ErrorCode::kDuplicate, "plugin '" + who + "': a plugin named '" +
                                                   info.name + "' is already loaded from '" +
                                                   plugin.path.string() + "'");
  for (const auto& t : staged.types)
    if (auto it = types.find(t.info.type_tag); it != types.end())
      throw PluginError(ErrorCode::kDuplicate,
                        "plugin '" + who + "': type tag '" + t.info.type_tag +
                            "' is already provided by plugin '" + it->second.info.plugin + "'");
  for (const auto& b : staged.backends)
    if (auto it = backends.find(b->name()); it != backends.end())
      throw PluginError(ErrorCode::kDuplicate,
                        "plugin '" + who + "': backend '" + std::string(b->name()) +
                            "' is already provided by plugin '" + it->second.info.plugin + "'");
  for (const auto& [info, factory] : staged.stores)
    if (auto it = stores.find(info.scheme); it != stores.end())
      throw PluginError(ErrorCode::kDuplicate,
                        "plugin '" + who + "': store scheme '" + info.scheme +
                            "' is already provided by plugin '" + it->second.info.plugin + "'");
  for (const auto& m : staged.migrations)
    if (auto it = migrations.find(key_of(m.info)); it != migrations.end())
      throw PluginError(ErrorCode::kDuplicate, "plugin '" + who + "': the " + describe(m.info) +
                                                   " is already registered by plugin '" +
                                                   it->second.info.plugin + "'");
  for (const auto& r : staged.renames)
    if (auto it = renames.find(r.old_tag); it != renames.end())
      throw PluginError(ErrorCode::kDuplicate, "plugin '" + who + "': type tag '" + r.old_tag +
                                                   "' is already renamed to '" +
                                                   it->second.new_tag + "' by plugin '" +
                                                   it->second.plugin + "'");
}

const PluginInfo& Registry::Impl::commit(Registrar::Staged& staged, PluginInfo info,
                                         const LibraryHandle& lib) {
  std::unique_lock lock(mutex);
  check_duplicates(staged, info);
  for (auto& t : staged.types) {
    t.info.plugin = info.name;
    info.type_tags.push_back(t.info.type_tag);
    types.emplace(t.info.type_tag, TypeEntry{t.info, std::move(t.factory), lib});
  }
  for (auto& b : staged.backends) {
    BackendInfo bi{std::string(b->name()), std::string(b->description()), info.name};
    info.backends.push_back(bi.name);
    // The deleter keeps the library mapped until the backend object is gone.
    std::shared_ptr<const Backend> shared(b.release(), [lib](const Backend* p) { delete p; });
    backends.emplace(bi.name, BackendEntry{bi, std::move(shared)});
  }
  for (auto& [store, factory] : staged.stores) {
    store.plugin = info.name;
    info.stores.push_back(store.scheme);
    stores.emplace(store.scheme, StoreEntry{store, std::move(factory), lib});
  }
  // Hook code lives in the plugin too; `libraries` outlives these entries (declared first).
  for (auto& m : staged.migrations) {
    m.info.plugin = info.name;
    migrations.emplace(key_of(m.info), std::move(m));
  }
  for (auto& r : staged.renames) {
    r.plugin = info.name;
    renames.emplace(r.old_tag, std::move(r));
  }
  if (lib) libraries.push_back(lib);
  plugins.push_back(std::move(info));
  return plugins.back();
}

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;
Registry::Registry(Registry&&) noexcept = default;
Registry& Registry::operator=(Registry&&) noexcept = default;

std::vector<fs::path> Registry::default_plugin_dirs() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("MLPERSIST_PLUGIN_PATH"); env != nullptr && *env != '\0') {
    std::string_view rest(env);
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      if (colon != 0) dirs.emplace_back(rest.substr(0, colon));
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
    return dirs;
  }
  // The framework library lives in <prefix>/lib; plugins in <prefix>/lib/mlpersist/plugins.
  // The build tree uses the same layout, so this works installed and uninstalled alike.
  dirs.push_back(fs::path(boost::dll::this_line_location().string()).parent_path() / "mlpersist" /
                 "plugins");
  return dirs;
}

Registry Registry::with_default_plugins(const PluginTrust& trust) {
  Registry r;
  r.load_plugins(default_plugin_dirs(), trust);
  return r;
}

const PluginInfo& Registry::load_plugin(const fs::path& file, const PluginTrust& trust) {
  if (!trust.allow_writable_by_others) detail::check_plugin_path(file);
  auto lib = open_library(file);
  const PluginDescriptor& d = checked_descriptor(*lib, file);
  Registrar::Staged staged;
  Registrar registrar(staged);
  try {
    d.register_function(registrar);
  } catch (const std::exception& e) {
    // Rethrown as our own error while the library is still loaded (e's vtable lives there).
    plugin_error(file, std::string("its register function failed: ") + e.what());
  }
  PluginInfo info{d.name, d.version, file, {}, {}, {}};
  return impl_->commit(staged, std::move(info), lib);
}

std::size_t Registry::load_plugins(const std::vector<fs::path>& directories,
                                   const PluginTrust& trust) {
  const auto record_failure = [this](const fs::path& path, const std::string& reason) {
    std::unique_lock lock(impl_->mutex);
    impl_->failures.push_back({path, reason});
  };
  std::size_t loaded = 0;
  for (const fs::path& dir : directories) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.path().extension() == ".so") files.push_back(entry.path());
    if (ec) {
      record_failure(dir, "cannot read plugin directory: " + ec.message());
      continue;
    }
    std::sort(files.begin(), files.end());  // a deterministic order decides duplicate conflicts
    try {
      // Every file in it gets loaded, so nobody else may be able to add one.
      if (!trust.allow_writable_by_others) detail::check_plugin_path(dir);
    } catch (const Error& e) {
      record_failure(dir, e.what());
      continue;
    }
    for (const fs::path& file : files) {
      try {
        load_plugin(file, trust);
        ++loaded;
      } catch (const Error& e) {
        record_failure(file, e.what());
      }
    }
  }
  return loaded;
}

const PluginInfo& Registry::add_static_plugin(std::string_view name, std::string_view version,
                                              RegisterFunction register_function) {
  Registrar::Staged staged;
  Registrar registrar(staged);
  register_function(registrar);
  return impl_->commit(staged, PluginInfo{std::string(name), std::string(version), {}, {}, {}, {}},
                       nullptr);
}

std::shared_ptr<Estimator> Registry::create(std::string_view type_tag) const {
  std::shared_lock lock(impl_->mutex);
  auto it = impl_->types.find(type_tag);
  if (it == impl_->types.end())
    throw CompatibilityError(ErrorCode::kUnknownTypeTag,
                             "unknown estimator type '" + std::string(type_tag) +
                                 "'; known types: " + known_names(impl_->types) +
                                 ". Load the plugin that provides it");
  const TypeEntry& entry = it->second;
  std::unique_ptr<Estimator> made = entry.factory();
  return std::shared_ptr<Estimator>(made.release(),
                                    [lib = entry.library](Estimator* p) { delete p; });
}

std::shared_ptr<const Backend> Registry::backend(std::string_view name) const {
  std::shared_lock lock(impl_->mutex);
  auto it = impl_->backends.find(name);
  if (it == impl_->backends.end())
    throw CompatibilityError(ErrorCode::kUnknownBackend,
                             "unknown format backend '" + std::string(name) +
                                 "'; known backends: " + known_names(impl_->backends) +
                                 ". Load the plugin that provides it");
  return it->second.backend;
}

std::shared_ptr<StoreBackend> Registry::open_store(const StoreUri& uri) const {
  StoreFactory factory;
  LibraryHandle library;
  {
    std::shared_lock lock(impl_->mutex);
    auto it = impl_->stores.find(uri.scheme);
    if (it == impl_->stores.end())
      throw CompatibilityError(ErrorCode::kUnknownBackend,
                               "store '" + uri.uri + "': no plugin handles scheme '" + uri.scheme +
                                   "'; known schemes: " + known_names(impl_->stores) +
                                   ". Load the store plugin for it");
    factory = it->second.factory;
    library = it->second.library;
  }
  std::unique_ptr<StoreBackend> made = factory(uri);
  return std::shared_ptr<StoreBackend>(made.release(), [library](StoreBackend* p) { delete p; });
}

const StoreInfo* Registry::find_store(std::string_view scheme) const {
  std::shared_lock lock(impl_->mutex);
  auto it = impl_->stores.find(scheme);
  return it == impl_->stores.end() ? nullptr : &it->second.info;
}

const TypeInfo* Registry::find_type(std::string_view type_tag) const {
  std::shared_lock lock(impl_->mutex);
  auto it = impl_->types.find(type_tag);
  return it == impl_->types.end() ? nullptr : &it->second.info;
}

const BackendInfo* Registry::find_backend(std::string_view name) const {
  std::shared_lock lock(impl_->mutex);
  auto it = impl_->backends.find(name);
  return it == impl_->backends.end() ? nullptr : &it->second.info;
}

const PluginInfo* Registry::find_plugin(std::string_view name) const {
  std::shared_lock lock(impl_->mutex);
  for (const PluginInfo& p : impl_->plugins)
    if (p.name == name) return &p;
  return nullptr;
}

const Migration* Registry::find_migration(std::string_view type_tag, std::uint32_t from_version,
                                          MigrationDirection direction) const {
  std::shared_lock lock(impl_->mutex);
  auto it = impl_->migrations.find({std::string(type_tag), from_version, direction});
  return it == impl_->migrations.end() ? nullptr : &it->second;
}

const RenameInfo* Registry::find_rename(std::string_view old_tag) const {
  std::shared_lock lock(impl_->mutex);
  auto it = impl_->renames.find(old_tag);
  return it == impl_->renames.end() ? nullptr : &it->second;
}

const TypeInfo* Registry::resolve(std::string_view type_tag,
                                  std::vector<const RenameInfo*>* hops) const {
  std::string tag(type_tag);
  for (int hop = 0; hop <= kMaxRenameHops; ++hop) {
    if (const TypeInfo* info = find_type(tag)) return info;
    const RenameInfo* rename = find_rename(tag);
    if (rename == nullptr) return nullptr;
    if (hops != nullptr) hops->push_back(rename);
    tag = rename->new_tag;
  }
  throw CompatibilityError(ErrorCode::kUnknownTypeTag,
                           "type tag '" + std::string(type_tag) + "' is renamed in a cycle or a " +
                               "chain of more than " + std::to_string(kMaxRenameHops) +
                               " renames; fix the plugins' add_rename calls");
}

std::vector<MigrationInfo> Registry::migrations() const {
  std::shared_lock lock(impl_->mutex);
  std::vector<MigrationInfo> out;
  for (const auto& [key, m] : impl_->migrations) out.push_back(m.info);
  return out;
}

std::vector<RenameInfo> Registry::renames() const {
  std::shared_lock lock(impl_->mutex);
  std::vector<RenameInfo> out;
  for (const auto& [tag, r] : impl_->renames) out.push_back(r);
  return out;
}

std::vector<TypeInfo> Registry::types() const {
  std::shared_lock lock(impl_->mutex);
  std::vector<TypeInfo> out;
  for (const auto& [tag, entry] : impl_->types) out.push_back(entry.info);
  return out;
}

std::vector<BackendInfo> Registry::backends() const {
  std::shared_lock lock(impl_->mutex);
  std::vector<BackendInfo> out;
  for (const auto& [name, entry] : impl_->backends) out.push_back(entry.info);
  return out;
}

std::vector<StoreInfo> Registry::stores() const {
  std::shared_lock lock(impl_->mutex);
  std::vector<StoreInfo> out;
  for (const auto& [scheme, entry] : impl_->stores) out.push_back(entry.info);
  return out;
}

std::vector<PluginInfo> Registry::plugins() const {
  std::shared_lock lock(impl_->mutex);
  return {impl_->plugins.begin(), impl_->plugins.end()};
}

std::vector<PluginFailure> Registry::failures() const {
  std::shared_lock lock(impl_->mutex);
  return impl_->failures;
}

void Registrar::add_estimator(std::string type_tag, std::uint32_t schema_version,
                              EstimatorFactory factory, std::uint32_t min_reader_version) {
  if (schema_version == 0 || min_reader_version > schema_version)
    throw UsageError(ErrorCode::kInvalidParameter, "type '" + type_tag +
                                                       "': schema_version must be at least 1 and "
                                                       "min_reader_version at most schema_version");
  const std::uint32_t min_reader = min_reader_version == 0 ? schema_version : min_reader_version;
  staged_.types.push_back(
      {TypeInfo{std::move(type_tag), schema_version, min_reader, {}}, std::move(factory)});
}

void Registrar::stage(Migration migration) {
  for (const Migration& m : staged_.migrations)
    if (key_of(m.info) == key_of(migration.info))
      throw PluginError(ErrorCode::kDuplicate,
                        "the " + describe(m.info) + " is registered twice by the same plugin");
  staged_.migrations.push_back(std::move(migration));
}

void Registrar::add_upgrade(std::string type_tag, std::uint32_t from_version,
                            std::string description, MigrationFunction upgrade) {
  if (from_version == 0 || from_version == UINT32_MAX || !upgrade)
    throw UsageError(ErrorCode::kInvalidParameter,
                     "upgrade of '" + type_tag + "': needs a version from 1 and a function");
  stage({MigrationInfo{std::move(type_tag),
                       from_version,
                       from_version + 1,
                       MigrationDirection::kUpgrade,
                       std::move(description),
                       {}},
         std::move(upgrade)});
}

void Registrar::add_downgrade(std::string type_tag, std::uint32_t from_version,
                              std::string description, MigrationFunction downgrade) {
  if (from_version < 2 || !downgrade)
    throw UsageError(ErrorCode::kInvalidParameter,
                     "downgrade of '" + type_tag + "': needs a version from 2 and a function");
  stage({MigrationInfo{std::move(type_tag),
                       from_version,
                       from_version - 1,
                       MigrationDirection::kDowngrade,
                       std::move(description),
                       {}},
         std::move(downgrade)});
}

void Registrar::add_rename(std::string old_tag, std::string new_tag) {
  if (old_tag.empty() || new_tag.empty() || old_tag == new_tag)
    throw UsageError(ErrorCode::kInvalidParameter,
                     "rename '" + old_tag + "' -> '" + new_tag + "': needs two different tags");
  staged_.renames.push_back({std::move(old_tag), std::move(new_tag), {}});
}

void Registrar::add_backend(std::unique_ptr<Backend> backend) {
  staged_.backends.push_back(std::move(backend));
}

void Registrar::add_store(std::string scheme, std::string description, StoreFactory factory) {
  if (scheme.empty() || !factory)
    throw UsageError(ErrorCode::kInvalidParameter,
                     "store '" + scheme + "': needs a URI scheme and a factory");
  staged_.stores.push_back(
      {StoreInfo{std::move(scheme), std::move(description), {}}, std::move(factory)});
}

}  // namespace mlpersist
