#include "detail/header_json.hpp"

#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/node.hpp>

#include <limits>

namespace mlpersist::detail {
namespace {

std::uint32_t as_u32(const Node& n) {
  return static_cast<std::uint32_t>(n.as_int(0, std::numeric_limits<std::uint32_t>::max()));
}

// Names stored in the header are routing keys: keep them printable and short.
const std::string& checked_name(const Node& n) {
  const std::string& s = n.as_string();
  if (s.empty() || s.size() > 128) n.fail("expected a name of 1 to 128 characters");
  for (char c : s)
    if (c < 0x21 || c > 0x7e) n.fail("name contains a character outside printable ASCII");
  return s;
}

// A min reader version must belong to a listed type and not exceed its schema version.
std::uint32_t checked_min_reader(const Header& h, const std::string& tag, const Value& version,
                                 const Node& parent) {
  const Node n(version, parent.path() + "." + tag);
  const auto it = h.types.find(tag);
  if (it == h.types.end()) n.fail("names a type that 'types' does not list");
  const std::uint32_t v = as_u32(n);
  if (v < 1 || v > it->second) n.fail("must lie in [1, " + std::to_string(it->second) + "]");
  return v;
}

}  // namespace

std::string header_json(const Header& h) {
  Map types;
  for (const auto& [tag, version] : h.types) types.insert(tag, version);
  Map m;
  m.insert("backend", h.backend);
  m.insert("type", h.type_tag);
  m.insert("schema_version", h.schema_version);
  m.insert("framework_version", h.framework_version);
  m.insert("types", std::move(types));
  if (!h.min_reader_versions.empty()) {
    Map min_readers;
    for (const auto& [tag, version] : h.min_reader_versions) min_readers.insert(tag, version);
    m.insert("min_reader_versions", std::move(min_readers));
  }
  m.insert("metadata", h.metadata);
  return to_json_text(m);
}

Header parse_header_json(std::string_view text, std::string_view source, const Limits& limits) {
  const Value doc = parse_json_text(text, std::string(source) + " (header)", limits);
  const Node root(doc, "header");
  try {
    Header h;
    h.backend = checked_name(root["backend"]);
    h.type_tag = checked_name(root["type"]);
    h.schema_version = as_u32(root["schema_version"]);
    h.framework_version = root["framework_version"].as_string();
    const Node types = root["types"];
    for (const auto& [tag, version] : types.as_map())
      h.types.emplace(tag, as_u32(Node(version, types.path() + "." + tag)));
    if (auto min_readers = root.find("min_reader_versions"))
      for (const auto& [tag, version] : min_readers->as_map())
        h.min_reader_versions.emplace(tag, checked_min_reader(h, tag, version, *min_readers));
    h.metadata = Value(root["metadata"].as_map());
    return h;
  } catch (const SchemaError& e) {
    throw FormatError(ErrorCode::kMalformed, std::string(source) + ": invalid header: " + e.what());
  }
}

}  // namespace mlpersist::detail
