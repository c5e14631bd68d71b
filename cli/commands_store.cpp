// Subcommands that work with a model store: push, pull, models, versions, alias, search; and
// the resolution of `STORE#NAME@REF` for every command that reads a model.

#include <iomanip>
#include <iostream>
#include <memory>
#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/store.hpp>
#include <string>

#include "commands.hpp"
#include "terminal_text.hpp"

namespace mlpersist::cli {
namespace {

namespace fs = std::filesystem;

Value header_of(const StoredVersion& v) {
  return parse_json_text(v.header_json, v.name + "@" + std::to_string(v.version), Limits{});
}

std::string type_of(const StoredVersion& v) {
  const Value header = header_of(v);
  const Value* type = header.as_map().find("type");
  return type != nullptr && type->kind() == Kind::kString ? type->as_string() : "?";
}

Value version_value(const StoredVersion& v) {
  return Map{}
      .insert("name", v.name)
      .insert("version", v.version)
      .insert("sha256", v.content_hash)
      .insert("size", v.size)
      .insert("created_at", v.created_at)
      .insert("pushed_by", v.pushed_by)
      .insert("header", header_of(v));
}

Value alias_value(const AliasInfo& a) {
  Map m;
  m.insert("alias", a.alias).insert("version", a.version);
  if (a.previous) m.insert("previous", *a.previous);
  m.insert("moved_at", a.moved_at).insert("moved_by", a.moved_by);
  return m;
}

void print_version_line(const StoredVersion& v) {
  // Type and creation time come from the artifact's header: escaped like every file string.
  std::cout << v.name << '@' << v.version << "  " << shown(type_of(v)) << "  " << v.size
            << " bytes  " << terminal_safe(v.created_at) << "  " << terminal_safe(v.pushed_by)
            << '\n';
}

void print_models(ModelStore& store, bool json) {
  const std::vector<ModelSummary> models = store.models();
  if (json) {
    Array out;
    for (const ModelSummary& m : models) {
      Array aliases;
      for (const AliasInfo& a : m.aliases) aliases.push_back(alias_value(a));
      out.push_back(Map{}
                        .insert("name", m.name)
                        .insert("versions", m.versions)
                        .insert("latest", m.latest)
                        .insert("aliases", std::move(aliases)));
    }
    std::cout << terminal_safe(to_json_text(Value(std::move(out)), /*pretty=*/true), true) << '\n';
    return;
  }
  for (const ModelSummary& m : models) {
    std::cout << m.name << "  " << m.versions << " version(s), latest " << m.latest;
    for (const AliasInfo& a : m.aliases) std::cout << "  " << a.alias << "=" << a.version;
    std::cout << '\n';
  }
}

void print_versions(ModelStore& store, const std::string& name, bool json) {
  const std::vector<StoredVersion> versions = store.versions(name);
  const std::vector<AliasInfo> history = store.alias_history(name);
  if (json) {
    Array vs;
    for (const StoredVersion& v : versions) vs.push_back(version_value(v));
    Array hs;
    for (const AliasInfo& a : history) hs.push_back(alias_value(a));
    std::cout << to_json_text(
                     Map{}.insert("versions", std::move(vs)).insert("alias_history", std::move(hs)),
                     /*pretty=*/true)
              << '\n';
    return;
  }
  for (const StoredVersion& v : versions) print_version_line(v);
  for (const AliasInfo& a : history) {
    std::cout << "alias " << a.alias << " -> " << a.version;
    if (a.previous) std::cout << " (was " << *a.previous << ")";
    std::cout << " at " << a.moved_at << " by " << a.moved_by << '\n';
  }
}

std::vector<SearchTerm> parse_where(const std::vector<std::string>& conditions) {
  std::vector<SearchTerm> terms;
  for (const std::string& c : conditions) {
    const auto eq = c.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError(ErrorCode::kInvalidParameter,
                       "--where '" + c + "': expected KEY=VALUE, e.g. --where type=svm.SVC");
    terms.push_back({c.substr(0, eq), c.substr(eq + 1)});
  }
  return terms;
}

std::uint64_t version_number(const ModelLocation& loc) {
  if (loc.ref.empty() || loc.ref.find_first_not_of("0123456789") != std::string::npos)
    throw UsageError(
        ErrorCode::kInvalidParameter,
        "'" + loc.name + "@" + loc.ref + "': give a version number, e.g. " + loc.name + "@3");
  return std::stoull(loc.ref);
}

}  // namespace

ModelStore Context::open_store(const std::string& uri) {
  return ModelStore::open(registry(), uri);
}

fs::path Context::model_file(const std::string& argument) {
  if (!is_model_location(argument)) return argument;
  const ModelLocation loc = parse_model_location(argument);
  ModelStore store = open_store(loc.store);
  return store.fetch(store.resolve(loc.name, loc.ref));
}

Command add_push_command(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("push", "Store an artifact as the next version of a model");
  auto file = std::make_shared<std::string>();
  auto store = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto aliases = std::make_shared<std::vector<std::string>>();
  sub->add_option("FILE", *file, "Model artifact")->required();
  sub->add_option("STORE", *store, "Store URI, e.g. sqlite:///srv/models.db")->required();
  sub->add_option("--name", *name, "Model name")->type_name("NAME")->required();
  sub->add_option("--alias", *aliases, "Point this alias at the new version (repeatable)")
      ->type_name("ALIAS");
  return {sub, [&ctx, file, store, name, aliases] {
            ModelStore s = ctx.open_store(*store);
            const std::uint64_t version = with_progress("pushing", kBytes, [&](ProgressBar& bar) {
              return s.push(fs::path(*file), *name, {*aliases, bar.on_progress()});
            });
            std::cout << version << '\n';
          }};
}

Command add_pull_command(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("pull", "Copy a stored version into a file");
  auto store = std::make_shared<std::string>();
  auto ref = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  sub->add_option("STORE", *store, "Store URI")->required();
  sub->add_option("NAME@REF", *ref, "Model and version number, alias or 'latest'")->required();
  sub->add_option("-o,--output", *out, "Artifact to write")->type_name("FILE")->required();
  return {sub, [&ctx, store, ref, out] {
            const ModelLocation loc = parse_model_ref(*store, *ref);
            ctx.open_store(*store).pull(loc.name, loc.ref, *out);
          }};
}

Command add_models_command(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("models", "List a store's models, version counts and aliases");
  auto store = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  sub->add_option("STORE", *store, "Store URI")->required();
  sub->add_flag("--json", *json, "Print JSON");
  return {sub, [&ctx, store, json] {
            ModelStore s = ctx.open_store(*store);
            print_models(s, *json);
          }};
}

Command add_versions_command(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("versions", "List a model's versions and its aliases' history");
  auto store = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  sub->add_option("STORE", *store, "Store URI")->required();
  sub->add_option("NAME", *name, "Model name")->required();
  sub->add_flag("--json", *json, "Print JSON (with every version's header)");
  return {sub, [&ctx, store, name, json] {
            ModelStore s = ctx.open_store(*store);
            print_versions(s, *name, *json);
          }};
}

Command add_alias_command(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("alias", "Point an alias (production, staging, ...) at a version");
  auto store = std::make_shared<std::string>();
  auto ref = std::make_shared<std::string>();
  auto alias = std::make_shared<std::string>();
  sub->add_option("STORE", *store, "Store URI")->required();
  sub->add_option("NAME@VERSION", *ref, "Model and version number")->required();
  sub->add_option("ALIAS", *alias, "Alias to move")->required();
  return {sub, [&ctx, store, ref, alias] {
            const ModelLocation loc = parse_model_ref(*store, *ref);
            ctx.open_store(*store).set_alias(loc.name, version_number(loc), *alias);
          }};
}

Command add_search_command(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("search", "Find versions by header fields");
  auto store = std::make_shared<std::string>();
  auto where = std::make_shared<std::vector<std::string>>();
  auto json = std::make_shared<bool>(false);
  sub->add_option("STORE", *store, "Store URI")->required();
  sub->add_option("--where", *where,
                  "KEY=VALUE that must hold (repeatable): type, backend, schema_version, "
                  "created_at, training_data.sha256, source.git_commit, user.KEY, ...")
      ->type_name("KEY=VALUE")
      ->required();
  sub->add_flag("--json", *json, "Print JSON");
  return {sub, [&ctx, store, where, json] {
            const auto found = ctx.open_store(*store).search(parse_where(*where));
            if (!*json) {
              for (const StoredVersion& v : found) print_version_line(v);
              return;
            }
            Array out;
            for (const StoredVersion& v : found) out.push_back(version_value(v));
            std::cout << terminal_safe(to_json_text(Value(std::move(out)), /*pretty=*/true), true)
                      << '\n';
          }};
}

}  // namespace mlpersist::cli
