// ModelStore::migrate_all: every stored version older than the loaded plugins' schemas becomes
// a new, upgraded version of its model, all in one transaction or not at all.

#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/store.hpp>
#include <set>
#include <string>

#include "detail/file_io.hpp"
#include "detail/store_push.hpp"

namespace mlpersist {
namespace {

namespace fs = std::filesystem;

// Recorded in the upgraded artifact's metadata, so that a second run skips versions that were
// migrated already (and people can see where a version came from).
constexpr const char* kMigratedFromKey = "migrated_from";

const Value* member(const Value& map, std::string_view key) {
  return map.kind() == Kind::kMap ? map.as_map().find(key) : nullptr;
}

Value stored_header(const StoredVersion& v) {
  return parse_json_text(v.header_json, v.name + "@" + std::to_string(v.version) + " header",
                         Limits{});
}

std::size_t migration_count(const Value& metadata) {
  const Value* steps = member(metadata, "migrations");
  return steps != nullptr && steps->kind() == Kind::kArray ? steps->as_array().size() : 0;
}

// Whether any listed type is older than (or renamed from) what the registry reads; types the
// registry does not know make the load below fail with a message naming them.
bool needs_upgrade(const Registry& registry, const Value& header) {
  const Value* types = member(header, "types");
  if (types == nullptr || types->kind() != Kind::kMap) return true;
  for (const auto& [tag, version] : types->as_map()) {
    const TypeInfo* info = registry.find_type(tag);
    if (info == nullptr || version.kind() != Kind::kInt ||
        version.as_int() != static_cast<std::int64_t>(info->schema_version))
      return true;
  }
  return false;
}

// Versions already upgraded into another version, as "name@version".
std::set<std::string> migrated_sources(const std::vector<StoredVersion>& versions) {
  std::set<std::string> out;
  for (const StoredVersion& v : versions) {
    const Value header = stored_header(v);
    const Value* metadata = member(header, "metadata");
    const Value* from = metadata != nullptr ? member(*metadata, kMigratedFromKey) : nullptr;
    if (from != nullptr && from->kind() == Kind::kString) out.insert(from->as_string());
  }
  return out;
}

std::vector<std::string> new_steps(const Document& doc, std::size_t before) {
  std::vector<std::string> steps;
  const Value* all = member(doc.header.metadata, "migrations");
  if (all == nullptr || all->kind() != Kind::kArray) return steps;
  for (std::size_t i = before; i < all->as_array().size(); ++i)
    steps.push_back(to_json_text(all->as_array()[i]));
  return steps;
}

}  // namespace

std::vector<MigrationOutcome> ModelStore::migrate_all(const Registry& registry, bool dry_run,
                                                      const LoadOptions& options) {
  std::vector<MigrationOutcome> report;
  std::vector<std::string> artifacts;  // the upgraded artifacts, pushed together at the end
  for (const ModelSummary& model : models()) {
    const std::vector<StoredVersion> versions = this->versions(model.name);
    const std::set<std::string> done = migrated_sources(versions);
    for (const StoredVersion& v : versions) {
      const std::string id = v.name + "@" + std::to_string(v.version);
      const Value header = stored_header(v);
      if (done.contains(id) || !needs_upgrade(registry, header)) continue;
      MigrationOutcome outcome{v.name, v.version, 0, {}, {}};
      try {
        LoadOptions upgrading = options;
        upgrading.migrate = true;
        Document doc =
            read_document(registry, fetch(resolve(v.name, std::to_string(v.version))), upgrading);
        (void)instantiate(registry, doc, upgrading);  // the upgraded state is valid today
        outcome.steps = new_steps(doc, migration_count(*member(header, "metadata")));
        if (doc.header.metadata.kind() != Kind::kMap) doc.header.metadata = Map{};
        doc.header.metadata.as_map().erase(kMigratedFromKey);
        doc.header.metadata.as_map().insert(kMigratedFromKey, id);
        const fs::path out = cache_dir_ / (".migrate-" + v.content_hash + ".mlp");
        write_document(registry, doc, doc.header.backend, out);
        artifacts.push_back(detail::read_range(out, 0, detail::size_of_file(out)));
        fs::remove(out);
      } catch (const Error& e) {
        outcome.error = e.what();
      }
      report.push_back(std::move(outcome));
    }
  }
  for (const MigrationOutcome& o : report)
    if (!o.error.empty()) return report;
  if (dry_run || artifacts.empty()) return report;
  std::vector<NewVersion> pending;
  for (std::size_t i = 0; i < artifacts.size(); ++i)
    pending.push_back(detail::prepare_store_version(
        std::as_bytes(std::span(artifacts[i].data(), artifacts[i].size())), report[i].name, {}));
  const std::vector<std::uint64_t> numbers = backend_->push(pending, {});
  for (std::size_t i = 0; i < numbers.size(); ++i) report[i].new_version = numbers[i];
  return report;
}

}  // namespace mlpersist
