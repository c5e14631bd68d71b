// docs/format.md's estimator part against the shipped plugins: every registered type has its
// section and every section a registered type, each section names the right plugin and schema
// versions, and its parameter and state tables list exactly the keys, in order, that a fitted
// instance writes into an artifact. The convention parsed here is documented at the top of the
// part ("Estimator types"); a type added to a plugin fails until it is documented.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <mlpersist/persist.hpp>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace {

using namespace mlpersist;

struct KeyRow {
  std::string key;
  bool required = true;
};

struct TypeSection {
  std::optional<std::string> plugin;
  std::uint32_t schema_version = 0;
  std::uint32_t min_reader_version = 0;
  std::vector<KeyRow> params;
  std::vector<KeyRow> state;
};

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

// The cells of a markdown table row, trimmed ("| a | b |" -> {"a", "b"}).
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 1;
  for (std::size_t bar = line.find('|', start); bar != std::string::npos;
       bar = line.find('|', start)) {
    out.push_back(trim(line.substr(start, bar - start)));
    start = bar + 1;
  }
  return out;
}

// One table of a type section, as the rows arrive.
class TableReader {
 public:
  explicit TableReader(TypeSection& section) : section_(section) {}

  void row(const std::string& line) {
    const std::vector<std::string> c = cells(line);
    if (rows_ == nullptr && !header_seen_) return header(c);
    header_seen_ = true;
    if (rows_ == nullptr || c.empty() || c[0].starts_with("---")) return;
    ASSERT_TRUE(c[0].size() > 2 && c[0].front() == '`' && c[0].back() == '`')
        << "a key cell is one key in backticks: " << line;
    KeyRow r{c[0].substr(1, c[0].size() - 2), true};
    if (required_column_) {
      ASSERT_LT(*required_column_, c.size()) << line;
      r.required = c[*required_column_] != "no";
    }
    rows_->push_back(r);
  }

 private:
  void header(const std::vector<std::string>& c) {
    header_seen_ = true;
    if (c.empty()) return;
    if (c[0] == "param") rows_ = &section_.params;
    if (c[0] == "state key") {
      rows_ = &section_.state;
      for (std::size_t i = 0; i < c.size(); ++i)
        if (c[i] == "required") required_column_ = i;
      ASSERT_TRUE(required_column_) << "a state table has a 'required' column";
    }
  }

  TypeSection& section_;
  std::vector<KeyRow>* rows_ = nullptr;  // null: a table the convention does not cover
  std::optional<std::size_t> required_column_;
  bool header_seen_ = false;
};

// The type sections of docs/format.md by type tag.
std::map<std::string, TypeSection> read_type_sections() {
  std::ifstream in(MLPERSIST_FORMAT_DOC);
  EXPECT_TRUE(in) << "cannot read " << MLPERSIST_FORMAT_DOC;
  const std::regex type_heading(R"(^### `([^`]+)`\s*$)");
  const std::regex other_heading(R"(^#{1,3} )");
  const std::regex identity(
      R"(^Plugin `([^`]+)`; schema version \*\*(\d+)\*\*; min reader version \*\*(\d+)\*\*\.$)");
  std::map<std::string, TypeSection> sections;
  TypeSection* current = nullptr;
  std::optional<TableReader> table;
  bool first_text = false;
  std::smatch m;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_match(line, m, type_heading)) {
      EXPECT_FALSE(sections.contains(m[1].str())) << "two sections for " << m[1];
      current = &sections[m[1].str()];
      first_text = true;
      table.reset();
    } else if (std::regex_search(line, other_heading)) {
      current = nullptr;
    } else if (current != nullptr && line.starts_with("|")) {
      if (!table) table.emplace(*current);
      table->row(line);
    } else if (current != nullptr) {
      table.reset();
      if (first_text && !trim(line).empty() && std::regex_match(line, m, identity)) {
        current->plugin = m[1].str();
        current->schema_version = static_cast<std::uint32_t>(std::stoul(m[2].str()));
        current->min_reader_version = static_cast<std::uint32_t>(std::stoul(m[3].str()));
      }
      if (!trim(line).empty()) first_text = false;
    }
  }
  return sections;
}

const std::map<std::string, TypeSection>& type_sections() {
  static const auto sections = read_type_sections();
  return sections;
}

// A documented key matches literally, or as a pattern whose <...> parts stand for any text.
bool matches(const std::string& documented, const std::string& key) {
  static const std::regex placeholder("<[^>]+>");
  static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
  const std::string escaped = std::regex_replace(documented, special, R"(\$&)");
  return std::regex_match(key, std::regex(std::regex_replace(escaped, placeholder, ".+")));
}

bool is_pattern(const std::string& documented) {
  return documented.find('<') != std::string::npos;
}

// `written` (in order) against the documented rows: each row takes its key, a pattern row one
// or more consecutive keys, and a row that is not required may take none.
::testing::AssertionResult documented_keys(const std::vector<KeyRow>& rows,
                                           const std::vector<std::string>& written) {
  std::size_t next = 0;
  for (const KeyRow& row : rows) {
    const std::size_t before = next;
    while (next < written.size() && matches(row.key, written[next]) &&
           (is_pattern(row.key) || next == before))
      ++next;
    if (next == before && row.required)
      return ::testing::AssertionFailure()
             << "documented key '" << row.key << "' is not what is written next ("
             << (next < written.size() ? "'" + written[next] + "'" : "nothing") << ")";
  }
  if (next < written.size())
    return ::testing::AssertionFailure()
           << "written key '" << written[next] << "' is not documented (or not in this order)";
  return ::testing::AssertionSuccess();
}

bool is_typed_document(const Value& v) {
  return v.kind() == Kind::kMap && v.as_map().contains("type") && v.as_map().contains("state");
}

void add_once(std::vector<std::string>& keys, const std::string& key) {
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
}

// The keys of a state as the tables spell them: `a`, `a.b` for a member of map `a`, `a[].b`
// for a member of the maps in array `a`; nested typed documents are not entered.
void flatten(const Map& map, const std::string& prefix, std::vector<std::string>& keys) {
  for (const auto& [key, value] : map) {
    add_once(keys, prefix + key);
    if (value.kind() == Kind::kMap && !is_typed_document(value))
      flatten(value.as_map(), prefix + key + ".", keys);
    if (value.kind() == Kind::kArray)
      for (const Value& element : value.as_array())
        if (element.kind() == Kind::kMap && !is_typed_document(element))
          flatten(element.as_map(), prefix + key + "[].", keys);
  }
}

std::vector<std::string> top_level_keys(const Value& map) {
  std::vector<std::string> keys;
  for (const auto& entry : map.as_map()) keys.push_back(entry.first);
  return keys;
}

// A fitted instance of `tag` on the repository's data: regressors on diabetes, the rest on
// iris; a Pipeline gets a scaler and an SVC as its steps, a ColumnTransformer a scaler, an
// imputer and a passthrough remainder.
std::shared_ptr<Estimator> fitted(const std::string& tag) {
  const Registry& registry = test::registry();
  auto estimator = registry.create(tag);
  if (tag == "compose.ColumnTransformer") {
    Map params;
    params.insert("transformers",
                  Array{Array{"scaler", "preprocessing.StandardScaler", Array{0, 1}},
                        Array{"imputer", "impute.SimpleImputer", Array{2}}});
    params.insert("remainder", "passthrough");
    params.insert("imputer__add_indicator", true);
    estimator->set_params(params);
    dynamic_cast<Composite&>(*estimator)
        .set_steps({{"scaler", registry.create("preprocessing.StandardScaler")},
                    {"imputer", registry.create("impute.SimpleImputer")}});
  } else if (auto* composite = dynamic_cast<Composite*>(estimator.get())) {
    composite->set_steps({{"scaler", registry.create("preprocessing.StandardScaler")},
                          {"svc", registry.create("svm.SVC")}});
  }
  const bool regressor = estimator->kind() == EstimatorKind::kRegressor;
  const Dataset data = test::load_dataset(regressor ? "diabetes" : "iris");
  estimator->fit(data.X, data.y);
  return estimator;
}

// The root typed document of `estimator` as an artifact stores it.
Value saved_document(const Estimator& estimator) {
  const auto file = test::temp_dir() / (std::string(estimator.type_tag()) + ".mlp");
  dump(test::registry(), estimator, file);
  LoadOptions options;
  options.migrate = false;
  return read_document(test::registry(), file, options).root;
}

TEST(FormatDoc, EveryRegisteredTypeHasASectionAndEverySectionAType) {
  const auto& sections = type_sections();
  for (const TypeInfo& type : test::registry().types())
    EXPECT_TRUE(sections.contains(type.type_tag))
        << "docs/format.md has no section ### `" << type.type_tag
        << "`: document every registered type (see the convention in 'Estimator types')";
  for (const auto& [tag, section] : sections)
    EXPECT_NE(test::registry().find_type(tag), nullptr)
        << "docs/format.md documents '" << tag << "', which no shipped plugin registers";
}

TEST(FormatDoc, SectionsNameThePluginAndSchemaVersions) {
  for (const TypeInfo& type : test::registry().types()) {
    const auto it = type_sections().find(type.type_tag);
    if (it == type_sections().end()) continue;  // reported by the test above
    const TypeSection& section = it->second;
    ASSERT_TRUE(section.plugin) << type.type_tag << ": the line after the heading must read "
                                << "Plugin `NAME`; schema version **N**; min reader version **M**.";
    EXPECT_EQ(*section.plugin, type.plugin) << type.type_tag;
    EXPECT_EQ(section.schema_version, type.schema_version) << type.type_tag;
    EXPECT_EQ(section.min_reader_version, type.min_reader_version) << type.type_tag;
  }
}

TEST(FormatDoc, DocumentedKeysAreTheKeysAFittedInstanceWrites) {
  for (const TypeInfo& type : test::registry().types()) {
    const auto it = type_sections().find(type.type_tag);
    if (it == type_sections().end()) continue;
    SCOPED_TRACE(type.type_tag);
    const TypeSection& section = it->second;
    ASSERT_FALSE(section.params.empty()) << "no `| param |` table";
    ASSERT_FALSE(section.state.empty()) << "no `| state key |` table";
    const Value doc = saved_document(*fitted(type.type_tag));
    const Map& root = doc.as_map();
    EXPECT_TRUE(documented_keys(section.params, top_level_keys(*root.find("params")))) << "params";
    std::vector<std::string> state_keys;
    flatten(root.find("state")->as_map(), "", state_keys);
    EXPECT_TRUE(documented_keys(section.state, state_keys)) << "state";
  }
}

TEST(FormatDoc, KeyMatchingFollowsTheConvention) {
  const std::vector<KeyRow> rows{{"steps", true}, {"<step>__<param>", true}, {"solver_", false}};
  EXPECT_TRUE(documented_keys(rows, {"steps", "svc__C", "svc__kernel"}));
  EXPECT_TRUE(documented_keys(rows, {"steps", "svc__C", "solver_"}));
  EXPECT_FALSE(documented_keys(rows, {"steps"})) << "a required pattern matches at least one key";
  EXPECT_FALSE(documented_keys(rows, {"steps", "svc__C", "extra"})) << "undocumented key";
  EXPECT_FALSE(documented_keys(rows, {"svc__C", "steps"})) << "order";
  EXPECT_FALSE(matches("kernel_.gamma", "kernel_xgamma")) << "a '.' is literal";
}

}  // namespace
