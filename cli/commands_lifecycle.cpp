// Subcommands that keep saved models trustworthy over time: verify, migrate.

#include <unistd.h>

#include <iostream>
#include <memory>
#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/verify.hpp>
#include <optional>
#include <sstream>
#include <string>

#include "commands.hpp"
#include "terminal_text.hpp"

namespace mlpersist::cli {
namespace {

namespace fs = std::filesystem;

const char* verdict(bool ok) {
  return ok ? "ok" : "FAILED";
}

void print_data(std::ostream& out, const VerifyReport& r) {
  out << "training data:       ";
  if (!r.data_error.empty()) {
    out << "FAILED: " << r.data_error << '\n';
  } else if (r.data_path.empty()) {
    out << "not recorded\n";
  } else if (r.data_recorded_sha256.empty()) {
    out << r.data_path << " (no recorded hash to compare)\n";
  } else if (r.data_matches()) {
    out << "ok: " << r.data_path << " has the recorded SHA-256 " << r.data_recorded_sha256 << '\n';
  } else {
    out << "FAILED: " << r.data_path << " changed since training: SHA-256 " << r.data_actual_sha256
        << ", recorded " << r.data_recorded_sha256 << '\n';
  }
}

std::string mean_and_std(const Value& cv) {
  const Map& m = cv.as_map();
  return to_json_text(*m.find("mean")) + " (std " + to_json_text(*m.find("std")) + ")";
}

void print_cv(std::ostream& out, const VerifyReport& r) {
  out << "cross-validation:    ";
  if (!r.cv_recorded) {
    out << "not recorded\n";
    return;
  }
  if (!r.cv_error.empty()) {
    out << "FAILED: " << r.cv_error << '\n';
    return;
  }
  out << verdict(r.cv_passed()) << ": recorded mean " << mean_and_std(*r.cv_recorded)
      << ", re-run mean " << mean_and_std(*r.cv_rerun) << "; "
      << (r.cv_deterministic ? "deterministic, so every fold score must be identical"
                             : "|difference| must be <= " + to_json_text(r.cv_tolerance))
      << '\n';
}

void print_records(std::ostream& out, const VerifyReport& r) {
  out << "verification records: ";
  if (!r.records_error.empty()) {
    out << "FAILED: " << r.records_error << '\n';
  } else if (!r.records) {
    out << "not recorded\n";
  } else {
    out << verdict(r.records->passed())
        << (r.records->same_build ? " (same build: must be exact)\n"
                                  : " (another build: labels exact, values within 1e-9)\n");
    std::istringstream lines(r.records->summary());
    for (std::string line; std::getline(lines, line);) out << "  " << line << '\n';
  }
}

// The report quotes the file (its recorded uri, errors naming its keys): every line is escaped
// for the terminal, and each starts with one of the labels above, never with file content.
void print_report(const std::string& file, const VerifyReport& r) {
  std::ostringstream out;
  out << "file:                " << file << '\n';
  out << "integrity:           " << (r.integrity ? "ok" : "FAILED: " + r.integrity_error) << '\n';
  if (r.integrity) {
    if (!r.data_recorded_uri.empty())
      out << "recorded data uri:   " << to_json_text(Value(r.data_recorded_uri))
          << " (provenance: shown, never opened unless --data or --data-dir)\n";
    print_data(out, r);
    print_cv(out, r);
    print_records(out, r);
  }
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) std::cout << terminal_safe(line) << '\n';
}

void run_verify(Context& ctx, const std::string& file, const std::string& data,
                const std::string& data_dir, bool json) {
  VerifyOptions options;
  options.load = ctx.load_options();
  if (!data.empty()) options.data = fs::path(data);
  if (!data_dir.empty()) options.data_dir = fs::path(data_dir);
  // One bar: the bytes of the load, then the folds of the cross-validation re-run.
  const VerifyReport r = with_progress("verifying", kBytes, [&](ProgressBar& bar) {
    attach(options.load, bar);
    const ProgressScope scope = bar.scope();
    return verify_artifact(ctx.registry(), ctx.model_file(file), options);
  });
  if (json)
    std::cout << terminal_safe(to_json_text(r.to_value(), /*pretty=*/true), true) << '\n';
  else
    print_report(file, r);
  if (!r.passed())
    throw CompatibilityError(ErrorCode::kVerificationFailed,
                             file + ": verification failed (see the report above)");
}

struct MigrateOptions {
  std::string file;
  std::string out;
  std::optional<std::uint32_t> to_version;
  std::string type;
  bool all = false;
  bool dry_run = false;
};

// A migrated store version becomes the next version of the same model.
void push_migrated(Context& ctx, const Document& doc, const std::string& location) {
  const ModelLocation loc = parse_model_location(location);
  ModelStore store = ctx.open_store(loc.store);
  const fs::path tmp = store.cache_dir() / (".migrate-" + std::to_string(::getpid()) + ".mlp");
  write_with_progress(ctx, doc, doc.header.backend, tmp.string());
  std::uint64_t version = 0;
  try {
    version = store.push(tmp, loc.name);
  } catch (...) {
    fs::remove(tmp);
    throw;
  }
  fs::remove(tmp);
  std::cout << "pushed " << loc.name << "@" << version << " (" << shown(doc.header.type_tag)
            << ", schema " << doc.header.schema_version << ")\n";
}

void print_outcome(const MigrationOutcome& o, bool dry_run) {
  const std::string id = o.name + "@" + std::to_string(o.version);
  if (!o.error.empty()) {
    std::cout << id << ": FAILED: " << terminal_safe(o.error) << '\n';
    return;
  }
  if (dry_run)
    std::cout << id << ": would be upgraded into a new version\n";
  else
    std::cout << id << " -> " << o.name << "@" << o.new_version << '\n';
  for (const std::string& step : o.steps) std::cout << "  " << terminal_safe(step) << '\n';
}

void run_migrate_all(Context& ctx, const MigrateOptions& o) {
  ModelStore store = ctx.open_store(o.file);
  const auto report = store.migrate_all(ctx.registry(), o.dry_run, ctx.load_options());
  std::size_t failed = 0;
  for (const MigrationOutcome& outcome : report) {
    print_outcome(outcome, o.dry_run);
    failed += outcome.error.empty() ? 0 : 1;
  }
  if (failed > 0)
    throw CompatibilityError(ErrorCode::kSchemaMismatch,
                             o.file + ": " + std::to_string(failed) + " of " +
                                 std::to_string(report.size()) +
                                 " version(s) cannot be migrated (above); nothing was stored. "
                                 "Load the plugins they need or fix them, then run again");
  if (report.empty()) std::cout << "every stored version is up to date\n";
}

// A downgraded document must still upgrade back into a loadable model (under the same trust
// options as the file itself: --allow-type holds for every state that is instantiated).
void check_downgrade(const Registry& registry, Document doc, const LoadOptions& options) {
  upgrade_document(registry, doc);
  (void)instantiate(registry, doc, options);
}

void run_migrate(Context& ctx, const MigrateOptions& o) {
  if (o.all) return run_migrate_all(ctx, o);
  const Registry& registry = ctx.registry();
  Document doc = read_with_progress(ctx, o.file);
  const LoadOptions options = ctx.load_options();
  (void)instantiate(registry, doc, options);  // the upgraded state is valid for today's code
  if (o.to_version) {
    const std::string type = o.type.empty() ? doc.header.type_tag : o.type;
    downgrade_document(registry, doc, type, *o.to_version);
    check_downgrade(registry, doc, options);
  }
  const Value* history = doc.header.metadata.as_map().find("migrations");
  if (o.out.empty() && is_model_location(o.file)) return push_migrated(ctx, doc, o.file);
  const std::string out = o.out.empty() ? o.file : o.out;
  write_with_progress(ctx, doc, doc.header.backend, out);
  std::cout << "wrote " << terminal_safe(out) << " (" << shown(doc.header.type_tag) << ", schema "
            << doc.header.schema_version << ")\n";
  if (history != nullptr)
    for (const Value& step : history->as_array())
      std::cout << "  " << terminal_safe(to_json_text(step)) << '\n';
}

}  // namespace

Command add_verify_command(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand(
      "verify", "Check an artifact: integrity, training data hash, cross-validation, records");
  auto file = std::make_shared<std::string>();
  auto data = std::make_shared<std::string>();
  auto data_dir = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  sub->add_option("FILE", *file, "Model artifact, or STORE#NAME@REF")->required();
  sub->add_option("--data", *data,
                  "Training data CSV to hash and cross-validate on (the recorded uri is never "
                  "opened on the file's word)")
      ->type_name("CSV");
  sub->add_option("--data-dir", *data_dir,
                  "Allow the recorded training data uri when it names a regular file under DIR")
      ->type_name("DIR")
      ->excludes(sub->get_option("--data"));
  sub->add_flag("--json", *json, "Print the report as JSON");
  add_trust_options(*sub, ctx);
  return {sub,
          [&ctx, file, data, data_dir, json] { run_verify(ctx, *file, *data, *data_dir, *json); }};
}

Command add_migrate_command(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand(
      "migrate", "Rewrite an artifact at the current schema versions (or an older one)");
  auto o = std::make_shared<MigrateOptions>();
  sub->add_option("FILE", o->file,
                  "Model artifact, STORE#NAME@REF (pushed as a new version), or STORE with --all")
      ->required();
  auto* output =
      sub->add_option("-o,--output", o->out, "Artifact to write (default: FILE, atomically)")
          ->type_name("OUT");
  auto* all = sub->add_flag("--all", o->all,
                            "FILE is a store: upgrade every stored version that needs it into a "
                            "new version, all in one transaction or none")
                  ->excludes(output);
  sub->add_flag("--dry-run", o->dry_run, "With --all: report, store nothing")->needs(all);
  auto* to_version =
      sub->add_option("--to-version", o->to_version,
                      "Write this older schema version with the registered downgrade hooks")
          ->type_name("N")
          ->check(CLI::Range(1u, 1000000u));
  sub->add_option("--type", o->type, "Type to downgrade (default: the root type)")
      ->type_name("TAG")
      ->needs(to_version);
  all->excludes(to_version);
  add_trust_options(*sub, ctx);
  return {sub, [&ctx, o] { run_migrate(ctx, *o); }};
}

}  // namespace mlpersist::cli
