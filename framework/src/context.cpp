// SaveContext and LoadContext: how an estimator's document nests others, and the checks every
// nested document passes on load (known type, allowlist, declared in the header, a schema the
// plugin reads) before its estimator's load_state sees it.

#include <mlpersist/context.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/registry.hpp>

#include "detail/type_policy.hpp"

namespace mlpersist {
namespace {

std::vector<std::string> feature_names(const Node& names, std::int64_t n_features) {
  if (names.size() != static_cast<std::size_t>(n_features))
    names.fail("has " + std::to_string(names.size()) + " names for " + std::to_string(n_features) +
               " features");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < names.size(); ++i) out.push_back(names[i].as_string());
  return out;
}

// The column types and string classes beside the signature (absent for numeric models).
std::pair<std::vector<ColumnType>, std::vector<std::string>> table_signature(
    const Node& doc, std::int64_t n_features) {
  std::vector<ColumnType> types;
  if (auto t = doc.find("feature_types_in_")) {
    if (t->size() != static_cast<std::size_t>(n_features))
      t->fail("has " + std::to_string(t->size()) + " types for " + std::to_string(n_features) +
              " features");
    for (std::size_t i = 0; i < t->size(); ++i) {
      const auto type = column_type_from_name((*t)[i].as_string());
      if (!type) (*t)[i].fail("expected \"number\" or \"string\"");
      types.push_back(*type);
    }
  }
  std::vector<std::string> classes;
  if (auto c = doc.find("class_labels_")) {
    for (std::size_t i = 0; i < c->size(); ++i) {
      classes.push_back((*c)[i].as_string());
      if (i > 0 && !(classes[i - 1] < classes[i]))
        (*c)[i].fail("class labels must be unique and sorted (by code point)");
    }
    if (classes.empty()) c->fail("expected at least one class label");
  }
  return {std::move(types), std::move(classes)};
}

// Same version, or newer with only optional additions (min_reader_version); older documents
// must have been upgraded by upgrade_document first.
void check_readable(const Node& doc, const TypeInfo& info) {
  const Node version_node = doc["schema_version"];
  const auto version = static_cast<std::uint32_t>(version_node.as_int(1, UINT32_MAX));
  if (version == info.schema_version) return;
  auto needs = version;
  if (auto m = doc.find("min_reader_version"))
    needs = static_cast<std::uint32_t>(m->as_int(1, version));
  if (version > info.schema_version && needs <= info.schema_version) return;
  const std::string what = "state of '" + info.type_tag + "' has schema version " +
                           std::to_string(version) + ", plugin '" + info.plugin + "' reads " +
                           std::to_string(info.schema_version);
  if (version > info.schema_version)
    version_node.fail(what + " and the file needs a reader of schema " + std::to_string(needs) +
                      "; upgrade that plugin");
  // instantiate() builds what it is given: a document read without LoadOptions::migrate (or
  // built by hand) must be upgraded first.
  version_node.fail(what +
                    "; upgrade the document first (upgrade_document, or read it with "
                    "LoadOptions::migrate, the default)");
}

}  // namespace

Value SaveContext::save_nested(const Estimator& estimator) {
  const std::string tag(estimator.type_tag());
  types_[tag] = estimator.schema_version();
  Map m;
  m.insert("type", tag);
  m.insert("schema_version", estimator.schema_version());
  if (estimator.min_reader_version() < estimator.schema_version()) {
    min_readers_[tag] = estimator.min_reader_version();
    m.insert("min_reader_version", estimator.min_reader_version());
  }
  m.insert("params", estimator.get_params());
  if (!estimator.is_fitted()) {
    m.insert("state", Value());
    return m;
  }
  m.insert("n_features_in_", estimator.n_features_in());
  if (!estimator.feature_names_in().empty()) {
    Array names(estimator.feature_names_in().begin(), estimator.feature_names_in().end());
    m.insert("feature_names_in_", std::move(names));
  }
  // Only tables with a string column and classifiers fitted on string labels add these, so
  // documents of all-numeric models stay as they were.
  if (!estimator.feature_types_in().empty()) {
    Array types;
    for (ColumnType t : estimator.feature_types_in()) types.emplace_back(column_type_name(t));
    m.insert("feature_types_in_", std::move(types));
  }
  if (!estimator.class_labels().empty()) {
    Array labels(estimator.class_labels().begin(), estimator.class_labels().end());
    m.insert("class_labels_", std::move(labels));
  }
  m.insert("state", estimator.save_state(*this));
  return m;
}

std::shared_ptr<Estimator> LoadContext::load_nested(const Node& doc) {
  const Node type = doc["type"];
  const std::string& tag = type.as_string();
  const TypeInfo* info = registry_.find_type(tag);
  if (info == nullptr)
    type.fail("unknown estimator type '" + tag + "'; load the plugin that provides it");
  if (!options_.allowed_types.empty() && !options_.allowed_types.contains(tag))
    detail::refuse_types("'" + type.path() + "'", tag, options_);
  if (header_ != nullptr && !header_->types.contains(tag))
    type.fail("type '" + tag + "' is not listed in the header's types; a document may only " +
              "hold the types its header declares");
  check_readable(doc, *info);
  auto estimator = registry_.create(tag);
  try {
    estimator->set_params(doc["params"].value());
  } catch (const UsageError& e) {
    doc["params"].fail(e.what());
  }
  const Node state = doc["state"];
  if (state.value().is_null()) return estimator;
  // The signature comes first: load_state checks its arrays against n_features_in().
  const auto n_features = doc["n_features_in_"].as_int(1, INT32_MAX);
  std::vector<std::string> names;
  if (auto n = doc.find("feature_names_in_")) names = feature_names(*n, n_features);
  estimator->restore_signature(n_features, std::move(names));
  auto [types, classes] = table_signature(doc, n_features);
  estimator->restore_table_signature(std::move(types), std::move(classes));
  estimator->load_state(state, *this);
  // After load_state: a Pipeline's kind is its last step's.
  if (!estimator->class_labels().empty() && estimator->kind() != EstimatorKind::kClassifier)
    doc["class_labels_"].fail("only a classifier has string class labels");
  return estimator;
}

}  // namespace mlpersist
