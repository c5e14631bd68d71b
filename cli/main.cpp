#include <iostream>
#include <mlpersist/error.hpp>
#include <mlpersist/version.hpp>
#include <new>
#include <string>
#include <vector>

#include "commands.hpp"
#include "terminal_text.hpp"

namespace mlpersist::cli {
namespace {

// Usage errors (the command line itself is wrong) exit 2; failures while running exit 1.
constexpr int kFailure = 1;
constexpr int kUsageError = 2;

// Scripts read the error from stderr line by line, so a message must stay on one line.
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Messages quote file content (type tags, keys, cells): escaped, it cannot drive the terminal.
void report_error(std::string_view message) {
  std::cerr << "mlpersist: error: " << terminal_safe(one_line(message)) << std::endl;
}

int usage_exit(const CLI::App& app, const CLI::ParseError& e) {
  // --help and --version arrive as "errors" with exit code 0; CLI11 prints them to stdout.
  if (e.get_exit_code() == 0) return app.exit(e);
  const auto chosen = app.get_subcommands();
  // CLI11 reports a mistyped subcommand as "a subcommand is required"; name it instead.
  if (chosen.empty() && !app.remaining().empty()) {
    report_error("unknown subcommand '" + app.remaining().front() +
                 "'; run 'mlpersist --help' for the list");
    return kUsageError;
  }
  const std::string help =
      chosen.empty() ? "mlpersist --help" : "mlpersist " + chosen.front()->get_name() + " --help";
  report_error(std::string(e.what()) + " (see '" + help + "')");
  return kUsageError;
}

int run(int argc, char** argv) {
  Context ctx;
  CLI::App app{"Save, inspect, convert and use fitted machine-learning models.", "mlpersist"};
  app.set_version_flag("--version", MLPERSIST_VERSION_STRING);
  app.add_option("--plugin-dir", ctx.plugin_dirs,
                 "Load plugins from DIR instead of the default directories (repeatable)")
      ->type_name("DIR")
      ->check(CLI::Validator(CLI::ExistingDirectory).description(""));
  app.add_flag("--allow-writable-plugins", ctx.allow_writable_plugins,
               "Load plugins even when users other than root and you could have replaced them");
  app.require_subcommand(1);
  // Lets global options follow the subcommand: `mlpersist plugins --plugin-dir DIR`.
  app.fallthrough();
  const std::vector<Command> commands{
      add_plugins_command(app, ctx), add_inspect_command(app, ctx),  add_show_command(app, ctx),
      add_convert_command(app, ctx), add_fit_command(app, ctx),      add_predict_command(app, ctx),
      add_verify_command(app, ctx),  add_migrate_command(app, ctx),  add_keygen_command(app),
      add_sign_command(app),         add_push_command(app, ctx),     add_pull_command(app, ctx),
      add_models_command(app, ctx),  add_versions_command(app, ctx), add_alias_command(app, ctx),
      add_search_command(app, ctx)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return usage_exit(app, e);
  }
  // ctx (and the plugin libraries its registry holds) outlives the handlers below, so an
  // exception thrown from plugin code is still backed by its library while we print it.
  try {
    for (const Command& command : commands)
      if (command.app->parsed()) command.run();
    return 0;
  } catch (const Error& e) {
    const bool unknown_name =
        e.code() == ErrorCode::kUnknownTypeTag || e.code() == ErrorCode::kUnknownBackend;
    report_error(std::string(e.what()) + (unknown_name ? ctx.failure_hint() : ""));
  } catch (const std::bad_alloc&) {
    report_error(
        "out of memory: the input asks for more memory than this machine has. If it came "
        "from someone else, it may be hostile; mlpersist's limits (Limits) bound what a "
        "file may ask for, so report this as a bug with the file");
  } catch (const std::exception& e) {
    report_error(std::string("internal error (") + e.what() +
                 "): this is a bug in mlpersist or a plugin; please report it with the input");
  } catch (...) {
    report_error("unexpected exception of unknown type");
  }
  return kFailure;
}

}  // namespace

Registry& Context::registry() {
  if (!registry_) {
    const PluginTrust trust{.allow_writable_by_others = allow_writable_plugins};
    registry_.emplace();
    registry_->load_plugins(directories(), trust);
  }
  return *registry_;
}

std::vector<std::filesystem::path> Context::directories() const {
  if (plugin_dirs.empty()) return Registry::default_plugin_dirs();
  return {plugin_dirs.begin(), plugin_dirs.end()};
}

std::string Context::failure_hint() const {
  if (!registry_) return {};
  const std::size_t failed = registry_->failures().size();
  if (failed == 0) return {};
  return " (" + std::to_string(failed) +
         " plugin file(s) failed to load; 'mlpersist plugins' says why)";
}

}  // namespace mlpersist::cli

int main(int argc, char** argv) {
  return mlpersist::cli::run(argc, argv);
}
