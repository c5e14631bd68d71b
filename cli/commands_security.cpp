// Subcommands and options that decide what to trust: keygen, sign, the trust options of the
// commands that load, and inspect's type check.

#include <iostream>
#include <memory>
#include <mlpersist/document.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/signature.hpp>
#include <string>

#include "commands.hpp"

namespace mlpersist::cli {
namespace {

void run_keygen(const std::string& name) {
  const KeyPair pair = generate_key_pair();
  write_secret_key(pair.secret_key, name + ".key");
  write_public_key(pair.public_key, name + ".pub");
  std::cout << "wrote " << name << ".key (secret: keep it private, mode 0600) and " << name
            << ".pub (give it to whoever loads your models)\npublic key " << pair.public_key.hex()
            << '\n';
}

void run_sign(const std::string& file, const std::string& key_file) {
  const SecretKey key = read_secret_key(key_file);
  sign_file(file, key);
  std::cout << "signed " << file << " with key " << key.public_key().hex() << '\n';
}

// One type the header lists, as this registry and --allow-type see it.
Value type_status(const Registry& registry, const LoadOptions& options, const std::string& tag,
                  std::uint32_t version) {
  Map m;
  m.insert("type", tag).insert("schema_version", version);
  const TypeInfo* info = registry.resolve(tag);
  if (info == nullptr) {
    m.insert("status", "unknown");
    return m;
  }
  if (info->type_tag != tag) m.insert("loads_as", info->type_tag);
  m.insert("plugin", info->plugin);
  const bool allowed =
      options.allowed_types.empty() || options.allowed_types.contains(info->type_tag);
  m.insert("status", allowed ? "ok" : "not allowed");
  return m;
}

std::string status_text(const Map& m) {
  const std::string& status = m.find("status")->as_string();
  if (status == "unknown") return "UNKNOWN: no loaded plugin provides it";
  std::string text = "plugin " + m.find("plugin")->as_string();
  if (const Value* as = m.find("loads_as")) text += ", loads as " + as->as_string();
  return status == "ok" ? "ok (" + text + ")" : "NOT ALLOWED by --allow-type (" + text + ")";
}

}  // namespace

LoadOptions Context::load_options() const {
  LoadOptions options;
  for (const std::string& file : trusted_key_files)
    options.trusted_public_keys.push_back(read_public_key(file));
  options.require_signature = require_signature;
  options.allowed_types.insert(allowed_types.begin(), allowed_types.end());
  return options;
}

LoadOptions Context::load_options(ProgressBar& bar) const {
  LoadOptions options = load_options();
  attach(options, bar);
  return options;
}

Document read_with_progress(Context& ctx, const std::string& file) {
  return with_progress("loading", kBytes, [&](ProgressBar& bar) {
    return read_document(ctx.registry(), ctx.model_file(file), ctx.load_options(bar));
  });
}

void write_with_progress(Context& ctx, const Document& doc, std::string_view format,
                         const std::string& file) {
  with_progress("writing", kBytes, [&](ProgressBar& bar) {
    write_document(ctx.registry(), doc, format, file, bar.on_progress());
  });
}

void add_allow_type_option(CLI::App& command, Context& ctx) {
  command
      .add_option("--allow-type", ctx.allowed_types,
                  "Build only these estimator types (repeatable); refuse artifacts with others")
      ->type_name("TAG");
}

void add_trust_options(CLI::App& command, Context& ctx) {
  command
      .add_option("--trusted-key", ctx.trusted_key_files,
                  "Public key file whose signatures are trusted (repeatable); a signed artifact "
                  "is verified against these keys")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  command.add_flag("--require-signature", ctx.require_signature,
                   "Refuse artifacts without a valid signature by a --trusted-key");
  add_allow_type_option(command, ctx);
}

Value type_check(Context& ctx, const Header& header) {
  const LoadOptions options = ctx.load_options();
  Array statuses;
  for (const auto& [tag, version] : header.types)
    statuses.push_back(type_status(ctx.registry(), options, tag, version));
  return statuses;
}

void print_type_check(const Value& check) {
  std::cout << "type check:\n";
  for (const Value& entry : check.as_array()) {
    const Map& m = entry.as_map();
    std::cout << "  " << m.find("type")->as_string() << " (schema "
              << m.find("schema_version")->as_int() << "): " << status_text(m) << '\n';
  }
}

void refuse_unloadable_types(const Value& check) {
  std::string refused;
  for (const Value& entry : check.as_array())
    if (entry.as_map().find("status")->as_string() != "ok")
      refused += (refused.empty() ? "" : ", ") + entry.as_map().find("type")->as_string();
  if (!refused.empty())
    throw CompatibilityError(ErrorCode::kUnknownTypeTag,
                             "loading would refuse type(s): " + refused +
                                 "; load the plugins that provide them, or do not trust the file");
}

Command add_keygen_command(CLI::App& app) {
  auto* sub = app.add_subcommand("keygen", "Make an Ed25519 key pair for signing artifacts");
  auto name = std::make_shared<std::string>();
  sub->add_option("-o,--output", *name,
                  "Write NAME.key (secret, mode 0600) and NAME.pub; neither may exist yet")
      ->type_name("NAME")
      ->required();
  return {sub, [name] { run_keygen(*name); }};
}

Command add_sign_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "sign", "Sign an artifact in place (replacing any earlier signature); runs no plugin code");
  auto file = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();
  sub->add_option("FILE", *file, "Model artifact")->required();
  sub->add_option("--key", *key, "Secret key file written by `mlpersist keygen`")
      ->type_name("SECRET")
      ->required()
      ->check(CLI::ExistingFile);
  return {sub, [file, key] { run_sign(*file, *key); }};
}

}  // namespace mlpersist::cli
