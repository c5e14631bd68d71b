#pragma once

// The `mlpersist` command: shared state of one invocation and the subcommands' entry points.

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <mlpersist/registry.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mlpersist::cli {

/// Global options, and the registry built from them on first use: `inspect` must run no plugin
/// code, so nothing loads a plugin until a command asks for the registry.
class Context {
 public:
  /// `--plugin-dir` values; when any is given they replace the default directories.
  std::vector<std::string> plugin_dirs;

  /// Loads the plugins on first call; plugins that fail are recorded, not thrown.
  Registry& registry();
  /// The directories the registry loads from.
  [[nodiscard]] std::vector<std::filesystem::path> directories() const;
  /// A note for "unknown type/backend" errors when some plugin failed to load (the likely
  /// cause); empty otherwise.
  [[nodiscard]] std::string failure_hint() const;

 private:
  std::optional<Registry> registry_;
};

/// A subcommand and the action that runs when the command line chose it.
struct Command {
  CLI::App* app = nullptr;
  std::function<void()> run;
};

// commands_inspect.cpp: reading what exists.
Command add_plugins_command(CLI::App& app, Context& ctx);
Command add_inspect_command(CLI::App& app);
Command add_show_command(CLI::App& app, Context& ctx);

// commands_model.cpp: making and using models.
Command add_convert_command(CLI::App& app, Context& ctx);
Command add_fit_command(CLI::App& app, Context& ctx);
Command add_predict_command(CLI::App& app, Context& ctx);

}  // namespace mlpersist::cli
