#pragma once

// The `mlpersist` command: shared state of one invocation and the subcommands' entry points.

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <mlpersist/document.hpp>
#include <mlpersist/registry.hpp>
#include <mlpersist/store.hpp>
#include <optional>
#include <string>
#include <vector>

#include "progress_bar.hpp"

namespace mlpersist::cli {

/// Global options, and the registry built from them on first use: `inspect` must run no plugin
/// code, so nothing loads a plugin until a command asks for the registry.
class Context {
 public:
  /// `--plugin-dir` values; when any is given they replace the default directories.
  std::vector<std::string> plugin_dirs;
  /// `--allow-writable-plugins`: load plugins that others could have replaced.
  bool allow_writable_plugins = false;
  /// The trust options of the command that loads (add_trust_options).
  std::vector<std::string> trusted_key_files;
  bool require_signature = false;
  std::vector<std::string> allowed_types;

  /// Loads the plugins on first call; plugins that fail are recorded, not thrown.
  Registry& registry();
  /// The directories the registry loads from.
  [[nodiscard]] std::vector<std::filesystem::path> directories() const;
  /// A note for "unknown type/backend" errors when some plugin failed to load (the likely
  /// cause); empty otherwise.
  [[nodiscard]] std::string failure_hint() const;
  /// LoadOptions carrying the trust options (reads the public key files).
  [[nodiscard]] LoadOptions load_options() const;
  /// The same, reporting the bytes read to `bar`.
  [[nodiscard]] LoadOptions load_options(ProgressBar& bar) const;
  /// The store a URI names, through the registry's store plugins (commands_store.cpp).
  [[nodiscard]] ModelStore open_store(const std::string& uri);
  /// A model argument as a file: itself, or for `STORE#NAME@REF` that version's verified copy
  /// in the local cache, which then loads exactly as a file does (same trust options).
  [[nodiscard]] std::filesystem::path model_file(const std::string& argument);

 private:
  std::optional<Registry> registry_;
};

/// read_document with the trust options, drawing a bar while a large file loads.
[[nodiscard]] Document read_with_progress(Context& ctx, const std::string& file);
/// write_document, with a progress bar on a terminal.
void write_with_progress(Context& ctx, const Document& doc, std::string_view format,
                         const std::string& file);

/// A subcommand and the action that runs when the command line chose it.
struct Command {
  CLI::App* app = nullptr;
  std::function<void()> run;
};

// commands_inspect.cpp: reading what exists.
Command add_plugins_command(CLI::App& app, Context& ctx);
Command add_inspect_command(CLI::App& app, Context& ctx);
Command add_show_command(CLI::App& app, Context& ctx);

// commands_model.cpp: making and using models.
Command add_convert_command(CLI::App& app, Context& ctx);
Command add_fit_command(CLI::App& app, Context& ctx);
Command add_predict_command(CLI::App& app, Context& ctx);

// commands_lifecycle.cpp: keeping saved models trustworthy.
Command add_verify_command(CLI::App& app, Context& ctx);
Command add_migrate_command(CLI::App& app, Context& ctx);

// commands_store.cpp: models in a store.
Command add_push_command(CLI::App& app, Context& ctx);
Command add_pull_command(CLI::App& app, Context& ctx);
Command add_models_command(CLI::App& app, Context& ctx);
Command add_versions_command(CLI::App& app, Context& ctx);
Command add_alias_command(CLI::App& app, Context& ctx);
Command add_search_command(CLI::App& app, Context& ctx);

// commands_security.cpp: deciding what to trust.
Command add_keygen_command(CLI::App& app);
Command add_sign_command(CLI::App& app);
/// --trusted-key, --require-signature and --allow-type on a command that loads artifacts.
void add_trust_options(CLI::App& command, Context& ctx);
void add_allow_type_option(CLI::App& command, Context& ctx);
/// inspect --check-types: each type the header lists, whether a loaded plugin provides it and
/// whether --allow-type admits it.
[[nodiscard]] Value type_check(Context& ctx, const Header& header);
void print_type_check(const Value& check);
/// Throws CompatibilityError(kUnknownTypeTag) naming the types that loading would refuse.
void refuse_unloadable_types(const Value& check);

}  // namespace mlpersist::cli
