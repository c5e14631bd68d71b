#include "column_transformer.hpp"

#include <algorithm>
#include <mlpersist/error.hpp>
#include <mlpersist/params.hpp>
#include <mlpersist/registry.hpp>
#include <set>

#include "common/clone_step.hpp"
#include "common/feature_names.hpp"
#include "common/nested_params.hpp"

namespace mlpersist::compose {
namespace {

constexpr std::string_view kSeparator = "__";

[[noreturn]] void invalid(const std::string& what) {
  throw_invalid_param("ColumnTransformer", what);
}

bool is_string_kind(const std::string& kind) {
  return kind == "drop" || kind == "passthrough";
}

}  // namespace

ColumnTransformer::Settings ColumnTransformer::parse(const Value& params,
                                                     std::map<std::string, Map>& nested) const {
  Settings s = settings_;
  for (const auto& [key, value] : Node(params, "params").as_map()) {
    const Node v(value, "params." + key);
    try {
      if (key == "transformers") {
        s.entries.clear();
        for (std::size_t i = 0; i < v.size(); ++i) {
          const Node t = v[i];
          if (t.size() != 3) t.fail("expected [name, type tag | 'drop' | 'passthrough', columns]");
          s.entries.push_back({t[0].as_string(), t[1].as_string(), t[2].value(), {}, {}});
        }
      } else if (key == "remainder") {
        s.remainder = v.as_string();
      } else if (key == "sparse_threshold") {
        s.sparse_threshold = v.as_double();
      } else if (key == "n_jobs") {
        s.n_jobs = value;
      } else if (key == "transformer_weights") {
        if (!value.is_null()) invalid("transformer_weights is not supported; leave it None");
      } else if (key == "verbose") {
        s.verbose = v.as_bool();
      } else if (key == "verbose_feature_names_out") {
        s.verbose_feature_names_out = v.as_bool();
      } else if (const auto sep = key.find(kSeparator); sep != std::string::npos && sep > 0) {
        nested[key.substr(0, sep)].insert(key.substr(sep + kSeparator.size()), value);
      } else {
        const std::string_view valid[] = {
            "transformers",        "remainder", "sparse_threshold",          "n_jobs",
            "transformer_weights", "verbose",   "verbose_feature_names_out", "<name>__<parameter>"};
        throw_unknown_param("ColumnTransformer", key, valid);
      }
    } catch (const SchemaError& e) {
      invalid(e.what());
    }
  }
  std::set<std::string_view> names;
  std::size_t step = 0;
  for (Entry& e : s.entries) {
    if (e.name.empty() || e.name.find(kSeparator) != std::string::npos || e.name == "remainder")
      invalid("transformer name '" + e.name + "' must be non-empty, not 'remainder', no '__'");
    if (!names.insert(e.name).second) invalid("duplicate transformer name '" + e.name + "'");
    if (e.columns.kind() != Kind::kArray)
      invalid("the columns of '" + e.name + "' must be a list of names or indices");
    for (const Value& c : e.columns.as_array())
      if (c.kind() != Kind::kString && c.kind() != Kind::kInt)
        invalid("the columns of '" + e.name + "' must be names or indices");
    e.step = is_string_kind(e.kind) ? std::nullopt : std::optional<std::size_t>(step++);
  }
  if (s.sparse_threshold < 0 || s.sparse_threshold > 1)
    invalid("sparse_threshold must be in [0, 1]");
  return s;
}

std::vector<std::pair<std::string, std::string>> ColumnTransformer::declared_steps(
    const Value& params) const {
  std::map<std::string, Map> nested;
  const Settings s = parse(params, nested);
  std::vector<std::pair<std::string, std::string>> out;
  for (const Entry& e : s.entries)
    if (e.step) out.emplace_back(e.name, e.kind);
  if (!is_string_kind(s.remainder)) out.emplace_back("remainder", s.remainder);
  return out;
}

void ColumnTransformer::set_params(const Value& params) {
  std::map<std::string, Map> nested;
  Settings next = parse(params, nested);
  const auto declared = [&](const Settings& s) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const Entry& e : s.entries)
      if (e.step) out.emplace_back(e.name, e.kind);
    if (!is_string_kind(s.remainder)) out.emplace_back("remainder", s.remainder);
    return out;
  };
  if (!steps_.empty() && declared(next) != declared(settings_))
    invalid("the transformers cannot be replaced through set_params; use set_steps");
  settings_ = std::move(next);
  if (steps_.empty()) {
    for (auto& [name, m] : nested)
      for (const auto& [k, v] : m) pending_[name].insert(k, v);
    return;
  }
  apply_nested(nested);
}

void ColumnTransformer::apply_nested(const std::map<std::string, Map>& nested) {
  common::apply_nested_params(steps_, nested, "ColumnTransformer");
}

void ColumnTransformer::set_steps(std::vector<Step> steps) {
  const auto declared = declared_steps(get_params());
  if (steps.size() != declared.size())
    invalid("expected " + std::to_string(declared.size()) +
            " transformers (one per type tag in "
            "`transformers` and `remainder`), got " +
            std::to_string(steps.size()));
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (!steps[i].second) invalid("transformer '" + steps[i].first + "' has no estimator");
    if (steps[i].first != declared[i].first || steps[i].second->type_tag() != declared[i].second)
      invalid("transformer " + std::to_string(i) + " must be '" + declared[i].first + "' (" +
              declared[i].second + ")");
    if (!steps[i].second->supports(Method::kTransform))
      invalid("'" + steps[i].first + "' (" + declared[i].second + ") is not a transformer");
  }
  steps_ = std::move(steps);
  auto pending = std::move(pending_);
  pending_.clear();
  apply_nested(pending);
}

Value ColumnTransformer::get_params() const {
  Map m;
  Array transformers;
  for (const Entry& e : settings_.entries) transformers.push_back(Array{e.name, e.kind, e.columns});
  m.insert("transformers", std::move(transformers));
  m.insert("remainder", settings_.remainder);
  m.insert("sparse_threshold", settings_.sparse_threshold);
  m.insert("n_jobs", settings_.n_jobs);
  m.insert("transformer_weights", Value());
  m.insert("verbose", settings_.verbose);
  m.insert("verbose_feature_names_out", settings_.verbose_feature_names_out);
  for (const auto& [name, est] : steps_) {
    const Value params = est->get_params();  // kept: as_map() refers into it
    for (const auto& [key, value] : params.as_map())
      m.insert(name + std::string(kSeparator) + key, value);
  }
  return m;
}

std::unique_ptr<Estimator> ColumnTransformer::clone() const {
  auto c = std::make_unique<ColumnTransformer>();
  c->settings_ = settings_;
  for (const auto& [name, est] : steps_) c->steps_.emplace_back(name, common::clone_step(est));
  return c;
}

std::string ColumnTransformer::repr() const {
  std::string s = "ColumnTransformer(transformers=[";
  for (std::size_t i = 0; i < settings_.entries.size(); ++i) {
    const Entry& e = settings_.entries[i];
    s += (i ? ", ('" : "('") + e.name + "', " +
         (e.step && *e.step < steps_.size() ? steps_[*e.step].second->repr() : "'" + e.kind + "'") +
         ", [...])";
  }
  return s + "], remainder='" + settings_.remainder + "')";
}

double ColumnTransformer::fit_cost(double n_samples, double n_features) const {
  double total = n_samples * n_features;
  for (const auto& [name, est] : steps_) total += est->fit_cost(n_samples, n_features);
  return total;
}

std::vector<ColumnTransformer::Entry> ColumnTransformer::resolve(
    const std::vector<std::string>& names, std::size_t n_columns) const {
  std::vector<Entry> out = settings_.entries;
  std::vector<bool> used(n_columns, false);
  for (Entry& e : out) {
    e.indices.clear();
    for (const Value& c : e.columns.as_array()) {
      std::size_t j = 0;
      if (c.kind() == Kind::kString) {
        const auto it = std::find(names.begin(), names.end(), c.as_string());
        if (it == names.end())
          throw UsageError(ErrorCode::kInvalidInput,
                           "ColumnTransformer: transformer '" + e.name + "' selects column '" +
                               c.as_string() + "', which X does not have" +
                               (names.empty() ? " (X has no column names)" : ""));
        j = static_cast<std::size_t>(it - names.begin());
      } else {
        const std::int64_t i = c.as_int();
        const auto n = static_cast<std::int64_t>(n_columns);
        if (i < -n || i >= n)
          throw UsageError(ErrorCode::kInvalidInput,
                           "ColumnTransformer: transformer '" + e.name + "' selects column " +
                               std::to_string(i) + ", but X has " + std::to_string(n) + " columns");
        j = static_cast<std::size_t>(i < 0 ? i + n : i);
      }
      e.indices.push_back(j);
      used[j] = true;
    }
  }
  Entry rest{"remainder", settings_.remainder, Value(), std::nullopt, {}};
  for (std::size_t j = 0; j < n_columns; ++j)
    if (!used[j]) rest.indices.push_back(j);
  if (!is_string_kind(rest.kind))
    rest.step = static_cast<std::size_t>(
        std::count_if(out.begin(), out.end(), [](const Entry& e) { return e.step.has_value(); }));
  if (!rest.indices.empty()) out.push_back(std::move(rest));
  return out;
}

void ColumnTransformer::do_fit_table(const Table& X, const Vector& y) {
  if (steps_.size() != declared_steps(get_params()).size())
    throw UsageError(ErrorCode::kNotFitted,
                     "ColumnTransformer has no transformers yet; give them with set_steps (or "
                     "`mlpersist fit --spec`)");
  std::vector<Entry> entries = resolve(X.names(), X.cols());
  for (const Entry& e : entries)
    if (e.step && !e.indices.empty()) steps_[*e.step].second->fit(X.select(e.indices), Labels(y));
  fitted_ = std::move(entries);
}

std::int64_t ColumnTransformer::width_of(const Entry& e) const {
  if (e.kind == "drop" || e.indices.empty()) return 0;
  if (e.kind == "passthrough") return static_cast<std::int64_t>(e.indices.size());
  return steps_[*e.step].second->n_features_out();
}

std::int64_t ColumnTransformer::n_features_out() const {
  std::int64_t n = 0;
  for (const Entry& e : fitted_) n += width_of(e);
  return n;
}

Table ColumnTransformer::do_transform_to_table(const Table& X) const {
  Table out;
  for (const Entry& e : fitted_) {
    if (e.kind == "drop" || e.indices.empty()) continue;
    Table part = e.kind == "passthrough"
                     ? X.select(e.indices)
                     : steps_[*e.step].second->transform_to_table(X.select(e.indices));
    for (std::size_t k = 0; k < part.cols(); ++k) {
      Column c = part.column(k);
      c.name.clear();
      out.add_column(std::move(c));
    }
  }
  return out;
}

Matrix ColumnTransformer::do_apply_table(Method, const Table& X) const {
  Matrix out(static_cast<Eigen::Index>(X.rows()), n_features_out());
  do_transform_into(X, out);
  return out;
}

// Each transformer writes its columns straight into its block of the output.
void ColumnTransformer::do_transform_into(const Table& X, MatrixBlock out) const {
  Eigen::Index offset = 0;
  for (const Entry& e : fitted_) {
    const std::int64_t width = width_of(e);
    if (width == 0) continue;
    auto block = out.middleCols(offset, width);
    if (e.kind == "passthrough")
      block = X.select(e.indices).to_matrix("ColumnTransformer.transform", true);
    else
      steps_[*e.step].second->transform_into(X.select(e.indices), block);
    offset += width;
  }
}

std::vector<std::string> ColumnTransformer::get_feature_names_out(
    std::span<const std::string> input) const {
  const std::vector<std::string> in = common::input_feature_names(*this, input);
  std::vector<std::string> out;
  for (const Entry& e : fitted_) {
    if (e.kind == "drop" || e.indices.empty()) continue;
    std::vector<std::string> selected;
    for (std::size_t j : e.indices) selected.push_back(in[j]);
    if (e.kind != "passthrough") selected = steps_[*e.step].second->get_feature_names_out(selected);
    for (const std::string& name : selected)
      out.push_back(settings_.verbose_feature_names_out ? e.name + "__" + name : name);
  }
  if (!settings_.verbose_feature_names_out) {
    std::set<std::string_view> seen;
    for (const std::string& name : out)
      if (!seen.insert(name).second)
        throw UsageError(ErrorCode::kInvalidInput,
                         "ColumnTransformer: output feature name '" + name +
                             "' is not unique; set verbose_feature_names_out=True");
  }
  return out;
}

Value ColumnTransformer::save_state(SaveContext& ctx) const {
  Array transformers;
  for (const Entry& e : fitted_) {
    Map m;
    m.insert("name", e.name);
    m.insert("kind", e.kind);
    m.insert("columns", Array(e.indices.begin(), e.indices.end()));
    m.insert("estimator", e.step ? ctx.save_nested(*steps_[*e.step].second) : Value());
    transformers.push_back(std::move(m));
  }
  Map m;
  m.insert("transformers_", std::move(transformers));
  return m;
}

// The saved entries must be what the parameters select from the fitted columns, and each
// nested transformer must be fitted on exactly its columns (unfitted when they are none).
void ColumnTransformer::load_state(const Node& state, LoadContext& ctx) {
  const auto n = static_cast<std::size_t>(n_features_in());
  std::vector<std::string> names = feature_names_in();
  const Node saved = state["transformers_"];
  std::vector<Entry> expected;
  try {
    expected = names.empty() ? std::vector<Entry>{} : resolve(names, n);
    if (names.empty()) {
      for (const Entry& e : settings_.entries)
        for (const Value& c : e.columns.as_array())
          if (c.kind() == Kind::kString) saved.fail("columns are named, but no names were saved");
      expected = resolve(std::vector<std::string>(n), n);
    }
  } catch (const UsageError& e) {
    saved.fail(e.what());
  }
  if (saved.size() != expected.size())
    saved.fail("expected " + std::to_string(expected.size()) +
               " entries (the transformers, and "
               "the remainder when it has columns)");
  std::vector<Step> steps;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const Node entry = saved[i];
    const Entry& e = expected[i];
    std::vector<std::size_t> columns;
    for (std::size_t k = 0; k < entry["columns"].size(); ++k)
      columns.push_back(static_cast<std::size_t>(entry["columns"][k].as_int(0)));
    if (entry["name"].as_string() != e.name || entry["kind"].as_string() != e.kind ||
        columns != e.indices)
      entry.fail("does not match the parameters: expected '" + e.name + "' (" + e.kind + ")");
    if (!e.step) {
      if (!entry["estimator"].value().is_null()) entry["estimator"].fail("expected null");
      continue;
    }
    auto est = ctx.load_nested(entry["estimator"]);
    if (est->is_fitted() != !e.indices.empty() ||
        (est->is_fitted() && est->n_features_in() != static_cast<std::int64_t>(e.indices.size())))
      entry["estimator"].fail("must be fitted on exactly its " + std::to_string(e.indices.size()) +
                              " columns");
    steps.emplace_back(e.name, std::move(est));
  }
  common::check_nested_params(steps, pending_, saved);
  // A declared transformer whose columns were all taken is not in the state: the remainder. Its
  // parameters exist only flattened, so set_steps applies them.
  const auto declared = declared_steps(get_params());
  if (steps.size() + 1 == declared.size() && declared.back().first == "remainder")
    steps.emplace_back("remainder", ctx.registry().create(declared.back().second));
  std::vector<Step> previous = std::move(steps_);
  try {
    steps_.clear();
    set_steps(std::move(steps));
  } catch (const UsageError& e) {
    steps_ = std::move(previous);
    saved.fail(e.what());
  }
  fitted_ = std::move(expected);
}

}  // namespace mlpersist::compose
