// Names in a store: URIs, `STORE#NAME@REF` locations, model names and aliases, and the header
// fields a store indexes for search.

#include <cstdlib>
#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/store.hpp>
#include <string>

namespace mlpersist {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxNameLength = 128;
// Bounds what one artifact adds to the search index: its metadata is user-controlled.
constexpr std::size_t kMaxIndexedFields = 256;
constexpr std::size_t kMaxIndexedValue = 1024;
constexpr int kMaxIndexDepth = 4;

[[noreturn]] void bad_name(std::string_view what, std::string_view text, std::string_view why) {
  throw UsageError(ErrorCode::kInvalidParameter,
                   std::string(what) + " '" + std::string(text) + "': " + std::string(why) +
                       "; use 1 to 128 of A-Z a-z 0-9 . _ - starting with a letter or digit");
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

void check_name_text(std::string_view what, std::string_view text) {
  if (text.empty()) bad_name(what, text, "is empty");
  if (text.size() > kMaxNameLength) bad_name(what, text.substr(0, 32), "is too long");
  for (char c : text)
    if (!is_name_char(c)) bad_name(what, text, "has a character outside the allowed set");
  if (text[0] == '.' || text[0] == '_' || text[0] == '-')
    bad_name(what, text, "starts with a punctuation character");
}

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

void add_field(std::vector<std::pair<std::string, std::string>>& out, std::string key,
               std::string value) {
  if (out.size() >= kMaxIndexedFields || value.size() > kMaxIndexedValue) return;
  out.emplace_back(std::move(key), std::move(value));
}

// Scalars of nested maps under their dotted path; arrays (verification records, migrations) are
// not searchable by equality and are left out.
void index_value(std::vector<std::pair<std::string, std::string>>& out, const std::string& path,
                 const Value& v, int depth) {
  switch (v.kind()) {
    case Kind::kMap:
      if (depth >= kMaxIndexDepth) return;
      for (const auto& [key, child] : v.as_map())
        index_value(out, path.empty() ? key : path + "." + key, child, depth + 1);
      return;
    case Kind::kString: add_field(out, path, v.as_string()); return;
    case Kind::kBool:
    case Kind::kInt:
    case Kind::kUInt:
    case Kind::kDouble: add_field(out, path, to_json_text(v)); return;
    default: return;
  }
}

}  // namespace

StoreUri parse_store_uri(std::string_view uri) {
  const auto sep = uri.find("://");
  if (sep == std::string_view::npos || sep == 0 || sep + 3 >= uri.size())
    throw UsageError(ErrorCode::kInvalidParameter,
                     "store '" + std::string(uri) +
                         "': expected a URI such as sqlite:///path/models.db or "
                         "postgresql://host/dbname");
  StoreUri out{std::string(uri.substr(0, sep)), std::string(uri.substr(sep + 3)), std::string(uri)};
  for (char c : out.scheme)
    if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '+' && c != '-')
      throw UsageError(ErrorCode::kInvalidParameter,
                       "store '" + out.uri + "': the scheme must be lowercase letters or digits");
  return out;
}

bool is_model_location(std::string_view text) noexcept {
  const auto sep = text.find("://");
  return sep != std::string_view::npos && sep > 0 && text.find('#', sep) != std::string_view::npos;
}

ModelLocation parse_model_ref(std::string_view store, std::string_view text) {
  const auto at = text.rfind('@');
  ModelLocation loc{std::string(store), std::string(text.substr(0, at)),
                    at == std::string_view::npos ? "latest" : std::string(text.substr(at + 1))};
  check_model_name(loc.name);
  if (loc.ref != "latest" && !all_digits(loc.ref)) check_alias(loc.ref);
  return loc;
}

ModelLocation parse_model_location(std::string_view text) {
  const auto hash = text.rfind('#');
  if (!is_model_location(text) || hash == std::string_view::npos)
    throw UsageError(
        ErrorCode::kInvalidParameter,
        "'" + std::string(text) +
            "': expected STORE#NAME@REF, e.g. sqlite:///srv/models.db#churn@production");
  return parse_model_ref(text.substr(0, hash), text.substr(hash + 1));
}

void check_model_name(std::string_view name) {
  check_name_text("model name", name);
}

void check_alias(std::string_view alias) {
  check_name_text("alias", alias);
  if (all_digits(alias) || alias == "latest")
    bad_name("alias", alias, "would be read as a version reference; include a letter");
}

std::vector<std::pair<std::string, std::string>> index_fields(const Header& h) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [tag, version] : h.types) add_field(out, "type", tag);
  add_field(out, "root_type", h.type_tag);
  add_field(out, "backend", h.backend);
  add_field(out, "schema_version", std::to_string(h.schema_version));
  add_field(out, "framework_version", h.framework_version);
  index_value(out, "", h.metadata, 0);
  return out;
}

fs::path default_cache_dir() {
  if (const char* dir = std::getenv("MLPERSIST_CACHE_DIR"); dir != nullptr && *dir != '\0')
    return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0')
    return fs::path(xdg) / "mlpersist";
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    return fs::path(home) / ".cache" / "mlpersist";
  return fs::temp_directory_path() / "mlpersist-cache";
}

}  // namespace mlpersist
