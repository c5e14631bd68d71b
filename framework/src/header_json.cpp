#include "detail/header_json.hpp"

#include <limits>
#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/node.hpp>

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
  const auto as_map = [](const std::map<std::string, std::uint32_t>& versions) {
    Map m;
    m.reserve(versions.size());
    for (const auto& [tag, version] : versions) m.insert(tag, version);
    return Value(std::move(m));
  };
  const Value backend(h.backend);
  const Value type(h.type_tag);
  const Value schema_version(h.schema_version);
  const Value framework_version(h.framework_version);
  const Value types = as_map(h.types);
  const Value min_readers = as_map(h.min_reader_versions);
  std::vector<JsonMember> members{{"backend", &backend},
                                  {"type", &type},
                                  {"schema_version", &schema_version},
                                  {"framework_version", &framework_version},
                                  {"types", &types}};
  if (!h.min_reader_versions.empty()) members.emplace_back("min_reader_versions", &min_readers);
  // The metadata can be large (verification records): written in place, not copied.
  members.emplace_back("metadata", &h.metadata);
  return to_json_object(members);
}

Header parse_header_json(std::string_view text, std::string_view source, const Limits& limits) {
  Limits proportional = limits;  // memory within a multiple of the header's size
  proportional.max_values = limits.values_limit(text.size());
  Value doc = parse_json_text(text, std::string(source) + " (header)", proportional);
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
    (void)root["metadata"].as_map();  // names the path when it is not a map
    h.metadata = std::move(*doc.as_map().find("metadata"));
    return h;
  } catch (const SchemaError& e) {
    throw FormatError(ErrorCode::kMalformed, std::string(source) + ": invalid header: " + e.what());
  }
}

}  // namespace mlpersist::detail
