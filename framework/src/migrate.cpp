// Schema migrations: walks a decoded document's typed documents (the root and every estimator
// nested in a state, e.g. Pipeline steps) and rewrites each with the registered hooks.

#include "detail/migrate.hpp"

#include <functional>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>

namespace mlpersist {
namespace {

// A chain of renames longer than this is a cycle registered by mistake.

std::string display(const std::string& path) {
  return path.empty() ? "(root)" : path;
}

std::string child_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// The maps SaveContext::save_nested writes; nested ones are found anywhere inside a state.
bool is_typed_document(const Value& v) {
  if (v.kind() != Kind::kMap) return false;
  const Map& m = v.as_map();
  const Value* type = m.find("type");
  const Value* version = m.find("schema_version");
  return type != nullptr && type->kind() == Kind::kString && version != nullptr &&
         version->kind() == Kind::kInt && m.contains("params") && m.contains("state");
}

std::string tag_of(const Value& doc) {
  return doc.as_map().find("type")->as_string();
}

std::uint32_t version_of(const Value& doc) {
  const std::int64_t v = doc.as_map().find("schema_version")->as_int();
  if (v < 1 || v > UINT32_MAX)
    throw SchemaError(ErrorCode::kSchemaMismatch,
                      "schema_version " + std::to_string(v) + " is outside [1, 2^32)");
  return static_cast<std::uint32_t>(v);
}

// The oldest reader version a typed document declares (absent: its own version).
std::uint32_t min_reader_of(const Value& doc) {
  const Value* v = doc.as_map().find("min_reader_version");
  if (v == nullptr) return version_of(doc);
  const std::int64_t m = v->kind() == Kind::kInt ? v->as_int() : -1;
  if (m < 1 || m > version_of(doc))
    throw SchemaError(ErrorCode::kSchemaMismatch,
                      "min_reader_version must be an integer in [1, schema_version]");
  return static_cast<std::uint32_t>(m);
}

// Sets the identity fields in place, keeping the document's key order.
void set_identity(Value& doc, const std::string& tag, std::uint32_t version,
                  std::uint32_t min_reader) {
  Map& m = doc.as_map();
  *m.find("type") = tag;
  *m.find("schema_version") = version;
  m.erase("min_reader_version");
  if (min_reader < version) m.insert("min_reader_version", min_reader);
}

using Visit = std::function<void(Value& doc, const std::string& path)>;

// Calls `visit` on every typed document below `v`, outermost first; a visited document's own
// state is walked after the visit, so hooks may move nested documents around. V is Value or
// const Value: the same walk checks a document that nothing may change.
template <class V, class F>
void walk_state(V& v, const std::string& path, const F& visit) {
  if (v.kind() == Kind::kArray) {
    auto& a = v.as_array();
    for (std::size_t i = 0; i < a.size(); ++i)
      walk_state(a[i], path + "[" + std::to_string(i) + "]", visit);
  } else if (v.kind() == Kind::kMap) {
    for (auto&& [key, child] : v.as_map()) {
      const std::string p = child_path(path, key);
      if (is_typed_document(child)) {
        visit(child, p);
        walk_state(*child.as_map().find("state"), child_path(p, "state"), visit);
      } else {
        walk_state(child, p, visit);
      }
    }
  }
}

template <class V, class F>
void walk(V& root, const F& visit) {
  if (!is_typed_document(root))
    throw SchemaError(ErrorCode::kSchemaMismatch,
                      "the root is not a typed document {type, schema_version, params, state}");
  visit(root, "");
  walk_state(*root.as_map().find("state"), "state", visit);
}

[[noreturn]] void undeclared(const std::string& path, const std::string& what) {
  throw SecurityError(ErrorCode::kTypeNotAllowed,
                      "at document path '" + display(path) + "': " + what +
                          "; a document may only hold the types its header declares (the "
                          "header is what allowlists and `inspect` see)");
}

std::string_view direction_name(MigrationDirection d) {
  return d == MigrationDirection::kUpgrade ? "upgrade" : "downgrade";
}

Value record(const MigrationInfo& info, const std::string& path) {
  Map m;
  m.insert("type", info.type_tag);
  m.insert("direction", direction_name(info.direction));
  m.insert("from", info.from_version);
  m.insert("to", info.to_version);
  m.insert("path", display(path));
  m.insert("plugin", info.plugin);
  m.insert("description", info.description);
  return m;
}

Value rename_record(const RenameInfo& r, std::uint32_t version, const std::string& path) {
  Map m;
  m.insert("type", r.new_tag);
  m.insert("direction", "rename");
  m.insert("renamed_from", r.old_tag);
  m.insert("version", version);
  m.insert("path", display(path));
  m.insert("plugin", r.plugin);
  return m;
}

// One hook on one document. The hook sees a copy through a Node, so a throw leaves nothing
// half-changed; its error is wrapped to name the hook, its plugin and the document path.
void apply_hook(const Migration& m, Value& doc, const std::string& path) {
  const MigrationInfo& info = m.info;
  const std::string which = std::string(direction_name(info.direction)) + " hook of '" +
                            info.type_tag + "' from schema " + std::to_string(info.from_version) +
                            " to " + std::to_string(info.to_version) + " (plugin '" + info.plugin +
                            "')";
  Value out;
  try {
    out = m.apply(Node(doc, path));
  } catch (const std::exception& e) {
    throw SchemaError(ErrorCode::kSchemaMismatch, "the " + which + " failed on the document at '" +
                                                      display(path) + "': " + e.what());
  }
  if (out.kind() != Kind::kMap || !out.as_map().contains("params") ||
      !out.as_map().contains("state"))
    throw SchemaError(ErrorCode::kSchemaMismatch,
                      "the " + which + " returned no typed document for '" + display(path) +
                          "' (expected a map with params and state); fix the hook");
  if (!out.as_map().contains("type")) out.as_map().insert("type", info.type_tag);
  if (!out.as_map().contains("schema_version")) out.as_map().insert("schema_version", 0);
  doc = std::move(out);
}

// Follows renames until a registered type, retagging the document and logging each hop.
const TypeInfo* resolve_renames(const Registry& registry, Value& doc, const std::string& path,
                                Array& log) {
  std::vector<const RenameInfo*> hops;
  const TypeInfo* info = nullptr;
  try {
    info = registry.resolve(tag_of(doc), &hops);
  } catch (const CompatibilityError& e) {
    throw CompatibilityError(e.code(), "at document path '" + display(path) + "': " + e.what());
  }
  if (info == nullptr) return nullptr;
  for (const RenameInfo* rename : hops) {
    set_identity(doc, rename->new_tag, version_of(doc), min_reader_of(doc));
    log.push_back(rename_record(*rename, version_of(doc), path));
  }
  return info;
}

[[noreturn]] void missing_step(const std::string& tag, std::uint32_t from, MigrationDirection d,
                               const std::string& path, const std::string& why) {
  throw CompatibilityError(ErrorCode::kSchemaMismatch,
                           "at document path '" + display(path) + "': no " +
                               std::string(direction_name(d)) + " hook of '" + tag +
                               "' from schema " + std::to_string(from) + " is registered (" + why +
                               "); load the plugin that provides it");
}

void upgrade_one(const Registry& registry, Value& doc, const std::string& path, Array& log) {
  const TypeInfo* info = resolve_renames(registry, doc, path, log);
  if (info == nullptr)
    throw CompatibilityError(ErrorCode::kUnknownTypeTag, "at document path '" + display(path) +
                                                             "': no loaded plugin provides "
                                                             "type '" +
                                                             tag_of(doc) +
                                                             "'; load the plugin that provides it");
  std::uint32_t version = version_of(doc);
  if (version >= info->schema_version) return;  // current, or newer and readable (or refused)
  for (; version < info->schema_version; ++version) {
    const Migration* m =
        registry.find_migration(info->type_tag, version, MigrationDirection::kUpgrade);
    if (m == nullptr)
      missing_step(
          info->type_tag, version, MigrationDirection::kUpgrade, path,
          "plugin '" + info->plugin + "' reads schema " + std::to_string(info->schema_version));
    apply_hook(*m, doc, path);
    log.push_back(record(m->info, path));
  }
  set_identity(doc, info->type_tag, info->schema_version, info->min_reader_version);
}

void downgrade_one(const Registry& registry, Value& doc, const std::string& path,
                   std::string_view tag, std::uint32_t to_version, Array& log) {
  if (tag_of(doc) != tag || version_of(doc) == to_version) return;
  std::uint32_t version = version_of(doc);
  if (version < to_version)
    throw UsageError(ErrorCode::kInvalidParameter,
                     "at document path '" + display(path) + "': '" + std::string(tag) +
                         "' is at schema " + std::to_string(version) + ", older than " +
                         std::to_string(to_version) + "; load and save it to upgrade instead");
  for (; version > to_version; --version) {
    const Migration* m = registry.find_migration(tag, version, MigrationDirection::kDowngrade);
    if (m == nullptr)
      missing_step(std::string(tag), version, MigrationDirection::kDowngrade, path,
                   "cannot write schema " + std::to_string(to_version));
    apply_hook(*m, doc, path);
    log.push_back(record(m->info, path));
  }
  set_identity(doc, std::string(tag), to_version, to_version);
}

// The header's type list describes the rewritten document.
void refresh_types(Header& h, Value& root) {
  h.types.clear();
  h.min_reader_versions.clear();
  walk(root, [&](Value& doc, const std::string&) {
    const std::string tag = tag_of(doc);
    h.types[tag] = version_of(doc);
    if (min_reader_of(doc) < version_of(doc)) h.min_reader_versions[tag] = min_reader_of(doc);
  });
  h.type_tag = tag_of(root);
  h.schema_version = version_of(root);
}

using Rewrite = std::function<void(Value&, const std::string&, Array&)>;

// Runs `visit` over the document and records the log in the header. `root` is the document's
// own root, or a copy when the caller's document must stay unchanged on failure.
void rewrite_root(Document& document, Value& root, const Rewrite& visit) {
  Array log;
  walk(root, [&](Value& doc, const std::string& path) { visit(doc, path, log); });
  if (log.empty()) return;
  Header h = document.header;
  refresh_types(h, root);
  Map& metadata = h.metadata.as_map();
  if (!metadata.contains("migrations")) metadata.insert("migrations", Array{});
  Value& migrations = *metadata.find("migrations");
  if (migrations.kind() != Kind::kArray)
    throw SchemaError(ErrorCode::kSchemaMismatch,
                      "header metadata 'migrations' is a " +
                          std::string(kind_name(migrations.kind())) +
                          ", not the array of migration records mlpersist writes; the file's "
                          "header was altered");
  Array& history = migrations.as_array();
  for (Value& entry : log) history.push_back(std::move(entry));
  document.header = std::move(h);
  if (&root != &document.root) document.root = std::move(root);
}

// All or nothing: a copy of the tree is rewritten and committed only on success.
void rewrite(Document& document, const Rewrite& visit) {
  Value root = document.root;
  rewrite_root(document, root, visit);
}

}  // namespace

namespace detail {

void upgrade_in_place(const Registry& registry, Document& document) {
  rewrite_root(document, document.root, [&](Value& doc, const std::string& path, Array& log) {
    upgrade_one(registry, doc, path, log);
  });
}

bool needs_upgrade(const Registry& registry, const Header& h) {
  for (const auto& [tag, version] : h.types) {
    const TypeInfo* info = registry.find_type(tag);
    if (info == nullptr || version < info->schema_version) return true;
  }
  return false;
}

void check_declared_types(const Header& h, const Value& root) {
  walk(root, [&h](const Value& doc, const std::string& path) {
    const std::string tag = tag_of(doc);
    const std::int64_t declared = doc.as_map().find("schema_version")->as_int();
    if (declared < 1 || declared > UINT32_MAX)
      throw SchemaError(ErrorCode::kSchemaMismatch,
                        "at document path '" + child_path(path, "schema_version") +
                            "': " + std::to_string(declared) + " is outside [1, 2^32)");
    const auto version = static_cast<std::uint32_t>(declared);
    if (path.empty() && (tag != h.type_tag || version != h.schema_version))
      undeclared(path, "the root document is '" + tag + "' at schema " + std::to_string(version) +
                           ", but the header names '" + h.type_tag + "' at schema " +
                           std::to_string(h.schema_version));
    const auto it = h.types.find(tag);
    if (it == h.types.end())
      undeclared(path, "type '" + tag + "' is not listed in the header's types");
    if (it->second != version)
      undeclared(path, "type '" + tag + "' is at schema " + std::to_string(version) +
                           ", but the header lists schema " + std::to_string(it->second));
  });
}

}  // namespace detail

void upgrade_document(const Registry& registry, Document& document) {
  rewrite(document, [&](Value& doc, const std::string& path, Array& log) {
    upgrade_one(registry, doc, path, log);
  });
}

void downgrade_document(const Registry& registry, Document& document, std::string_view type_tag,
                        std::uint32_t to_version) {
  const TypeInfo* info = registry.find_type(type_tag);
  if (info == nullptr)
    throw CompatibilityError(ErrorCode::kUnknownTypeTag,
                             "cannot downgrade unknown type '" + std::string(type_tag) + "'");
  if (to_version == 0 || to_version > info->schema_version)
    throw UsageError(ErrorCode::kInvalidParameter,
                     "cannot write '" + std::string(type_tag) + "' at schema " +
                         std::to_string(to_version) + ": versions 1 to " +
                         std::to_string(info->schema_version) + " exist");
  rewrite(document, [&](Value& doc, const std::string& path, Array& log) {
    downgrade_one(registry, doc, path, type_tag, to_version, log);
  });
}

}  // namespace mlpersist
