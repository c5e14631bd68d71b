// Subcommands that read what exists: plugins, inspect, show.

#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <mlpersist/document.hpp>
#include <mlpersist/envelope.hpp>
#include <mlpersist/json_text.hpp>
#include <string>

#include "commands.hpp"
#include "display_json.hpp"
#include "terminal_text.hpp"

namespace mlpersist::cli {
namespace {

namespace fs = std::filesystem;

Array path_array(const std::vector<fs::path>& paths) {
  Array a;
  for (const fs::path& p : paths) a.emplace_back(p.string());
  return a;
}

Array string_array(const std::vector<std::string>& strings) {
  return Array(strings.begin(), strings.end());
}

Value plugins_value(Context& ctx) {
  const Registry& registry = ctx.registry();
  Array plugins;
  for (const PluginInfo& p : registry.plugins()) {
    Map m;
    m.insert("name", p.name).insert("version", p.version).insert("path", p.path.string());
    m.insert("types", string_array(p.type_tags)).insert("backends", string_array(p.backends));
    m.insert("stores", string_array(p.stores));
    plugins.emplace_back(std::move(m));
  }
  Array types;
  for (const TypeInfo& t : registry.types())
    types.emplace_back(Map{}
                           .insert("type", t.type_tag)
                           .insert("schema_version", t.schema_version)
                           .insert("min_reader_version", t.min_reader_version)
                           .insert("plugin", t.plugin));
  Array migrations;
  for (const MigrationInfo& m : registry.migrations())
    migrations.emplace_back(Map{}
                                .insert("type", m.type_tag)
                                .insert("direction", m.direction == MigrationDirection::kUpgrade
                                                         ? "upgrade"
                                                         : "downgrade")
                                .insert("from", m.from_version)
                                .insert("to", m.to_version)
                                .insert("description", m.description)
                                .insert("plugin", m.plugin));
  for (const RenameInfo& r : registry.renames())
    migrations.emplace_back(Map{}
                                .insert("type", r.new_tag)
                                .insert("direction", "rename")
                                .insert("renamed_from", r.old_tag)
                                .insert("plugin", r.plugin));
  Array backends;
  for (const BackendInfo& b : registry.backends())
    backends.emplace_back(Map{}
                              .insert("name", b.name)
                              .insert("description", b.description)
                              .insert("plugin", b.plugin));
  Array failures;
  for (const PluginFailure& f : registry.failures())
    failures.emplace_back(Map{}.insert("path", f.path.string()).insert("reason", f.reason));
  Map out;
  out.insert("directories", path_array(ctx.directories()));
  out.insert("plugins", std::move(plugins)).insert("types", std::move(types));
  out.insert("backends", std::move(backends)).insert("migrations", std::move(migrations));
  out.insert("failures", std::move(failures));
  return out;
}

// The hooks and renames a plugin registered (maybe for another plugin's types).
void print_migrations(const Registry& registry, const std::string& plugin) {
  for (const MigrationInfo& m : registry.migrations())
    if (m.plugin == plugin)
      std::cout << "  " << (m.direction == MigrationDirection::kUpgrade ? "upgrade" : "downgrade")
                << " " << m.type_tag << " " << m.from_version << " -> " << m.to_version << ": "
                << m.description << '\n';
  for (const RenameInfo& r : registry.renames())
    if (r.plugin == plugin) std::cout << "  rename " << r.old_tag << " -> " << r.new_tag << '\n';
}

void print_plugins(Context& ctx) {
  const Registry& registry = ctx.registry();
  std::map<std::string, std::string> descriptions;
  for (const BackendInfo& b : registry.backends()) descriptions[b.name] = b.description;
  std::cout << "plugin directories:";
  for (const fs::path& dir : ctx.directories()) std::cout << ' ' << dir.string();
  std::cout << '\n';
  for (const PluginInfo& p : registry.plugins()) {
    std::cout << "plugin " << p.name << ' ' << p.version << " ("
              << (p.path.empty() ? "built in" : p.path.string()) << ")\n";
    for (const std::string& tag : p.type_tags) {
      const TypeInfo* info = registry.find_type(tag);
      std::cout << "  type " << tag << ", schema version " << (info ? info->schema_version : 0)
                << '\n';
    }
    for (const std::string& name : p.backends)
      std::cout << "  backend " << name << ": " << descriptions[name] << '\n';
    for (const std::string& scheme : p.stores)
      std::cout << "  store " << scheme << "://: " << registry.find_store(scheme)->description
                << '\n';
    print_migrations(registry, p.name);
  }
  if (registry.plugins().empty()) std::cout << "no plugins loaded\n";
  for (const PluginFailure& f : registry.failures())
    std::cout << "failed " << f.path.string() << ": " << f.reason << '\n';
}

std::string hex64(std::uint64_t v) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(v));
  return hex;
}

void print_header(const fs::path& file, const Header& h) {
  const auto line = [](std::string_view label, const std::string& value) {
    std::cout << std::left << std::setw(20) << (std::string(label) + ":") << value << '\n';
  };
  std::string types;
  for (const auto& [tag, version] : h.types) {
    types += (types.empty() ? "" : ", ") + shown(tag) + " (schema " + std::to_string(version);
    if (auto it = h.min_reader_versions.find(tag); it != h.min_reader_versions.end())
      types += ", readable from schema " + std::to_string(it->second);
    types += ")";
  }
  // Everything from the file is shown() or escaped: it cannot pass for one of these lines.
  line("file", terminal_safe(file.string()));
  line("backend", shown(h.backend));
  line("type", shown(h.type_tag));
  line("schema version", std::to_string(h.schema_version));
  line("types", types);
  line("framework version", shown(h.framework_version));
  line("container version", std::to_string(h.container_version) + " (readable by " +
                                std::to_string(h.min_container_version) + " and later)");
  line("file size", std::to_string(artifact_size(h)) + " bytes");
  line("header size", std::to_string(h.header_size) + " bytes");
  line("payload",
       std::to_string(h.payload_size) + " bytes at offset " + std::to_string(h.payload_offset));
  line("payload xxh3", hex64(h.payload_checksum));
  if (h.metadata.kind() != Kind::kMap || h.metadata.as_map().empty()) {
    line("metadata",
         h.metadata.kind() == Kind::kMap ? "(none)" : terminal_safe(to_json_text(h.metadata)));
    return;
  }
  std::cout << "metadata:\n";
  for (const auto& [key, value] : h.metadata.as_map())
    line("  " + shown(key), terminal_safe(to_json_text(value)));
}

// A store location needs its store plugin (the only plugin code inspect runs) and reads the
// version's first chunk only; a file needs no plugin at all.
Header read_header_of(Context& ctx, const std::string& argument) {
  if (!is_model_location(argument)) return inspect(fs::path(argument));
  const ModelLocation loc = parse_model_location(argument);
  return ctx.open_store(loc.store).inspect(loc.name, loc.ref);
}

}  // namespace

Command add_plugins_command(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand(
      "plugins", "List loaded plugins (version, path, types, backends) and plugins that failed");
  auto json = std::make_shared<bool>(false);
  sub->add_flag("--json", *json, "Print one JSON object");
  return {sub, [&ctx, json] {
            if (*json)
              std::cout << to_json_text(plugins_value(ctx), /*pretty=*/true) << '\n';
            else
              print_plugins(ctx);
          }};
}

Command add_inspect_command(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand(
      "inspect", "Print an artifact's header and metadata without decoding it or loading plugins");
  auto file = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto check = std::make_shared<bool>(false);
  sub->add_option("FILE", *file, "Model artifact, or STORE#NAME@REF (reads the header chunk only)")
      ->required();
  sub->add_flag("--json", *json, "Print the header as one JSON object");
  sub->add_flag("--check-types", *check,
                "Also load the plugins and mark every listed type that none of them provides "
                "(or that --allow-type refuses); exit 1 if there is any");
  add_allow_type_option(*sub, ctx);
  // Without --check-types no registry is made: reading a header must never run plugin code.
  return {sub, [&ctx, file, json, check] {
            const Header h = read_header_of(ctx, *file);
            const Value types = *check ? type_check(ctx, h) : Value();
            if (*json) {
              Value v = header_to_value(h);
              if (*check) v.as_map().insert("type_check", types);
              std::cout << to_json_text(v, /*pretty=*/true) << '\n';
            } else {
              print_header(*file, h);
              if (*check) print_type_check(types);
            }
            if (*check) refuse_unloadable_types(types);
          }};
}

Command add_show_command(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand(
      "show", "Print an artifact's decoded document as JSON, whatever its backend");
  auto file = std::make_shared<std::string>();
  auto full = std::make_shared<bool>(false);
  sub->add_option("FILE", *file, "Model artifact, or STORE#NAME@REF")->required();
  sub->add_flag("--full", *full, "Print every tensor element instead of a preview and checksum");
  add_trust_options(*sub, ctx);
  return {sub, [&ctx, file, full] {
            const Document doc = read_with_progress(ctx, *file);
            write_display_json(std::cout, doc.root, *full);
            std::cout << '\n';
          }};
}

}  // namespace mlpersist::cli
