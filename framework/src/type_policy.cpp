#include "detail/type_policy.hpp"

#include <mlpersist/error.hpp>
#include <set>
#include <string>

namespace mlpersist::detail {
namespace {

std::uint32_t min_reader(const Header& h, const std::string& tag, std::uint32_t version) {
  const auto it = h.min_reader_versions.find(tag);
  return it == h.min_reader_versions.end() ? version : it->second;
}

// A file newer than the plugin is readable only when its writer says so (min_reader_version,
// as SQLite's and ext4's feature flags do); otherwise refuse before decoding anything.
void check_not_too_new(const Header& h, const std::string& tag, std::uint32_t version,
                       const TypeInfo& info, std::string_view source) {
  const std::uint32_t needs = min_reader(h, tag, version);
  if (needs <= info.schema_version) return;
  throw CompatibilityError(ErrorCode::kSchemaTooNew,
                           std::string(source) + ": type '" + tag +
                               "' was saved with schema version " + std::to_string(version) +
                               ", which needs a reader of schema " + std::to_string(needs) +
                               " or later; plugin '" + info.plugin + "' reads up to schema " +
                               std::to_string(info.schema_version) + ". Upgrade that plugin");
}

std::string join(const std::set<std::string, std::less<>>& tags) {
  std::string out;
  for (const std::string& tag : tags) out += (out.empty() ? "" : ", ") + tag;
  return out;
}

}  // namespace

void check_types(const Registry& registry, const Header& h, std::string_view source) {
  std::string unknown;
  for (const auto& [tag, version] : h.types) {
    if (const TypeInfo* info = registry.resolve(tag))
      check_not_too_new(h, tag, version, *info, source);
    else
      unknown += (unknown.empty() ? "" : ", ") + tag;
  }
  if (!unknown.empty())
    throw CompatibilityError(ErrorCode::kUnknownTypeTag,
                             std::string(source) + ": no loaded plugin provides type(s): " +
                                 unknown + "; load the plugins that provide them");
}

[[noreturn]] void refuse_types(std::string_view where, const std::string& tags,
                               const LoadOptions& options) {
  throw SecurityError(ErrorCode::kTypeNotAllowed,
                      std::string(where) + ": type(s) outside the allowed set: " + tags +
                          "; allowed: " + join(options.allowed_types) +
                          " (LoadOptions::allowed_types, --allow-type)");
}

void check_allowed(const Registry& registry, const Header& h, const LoadOptions& options,
                   std::string_view source) {
  if (options.allowed_types.empty()) return;
  std::string refused;
  for (const auto& [tag, version] : h.types) {
    const TypeInfo* info = registry.resolve(tag);
    if (!options.allowed_types.contains(info != nullptr ? info->type_tag : tag))
      refused += (refused.empty() ? "" : ", ") + tag;
  }
  if (!refused.empty()) refuse_types(source, refused, options);
}

}  // namespace mlpersist::detail
