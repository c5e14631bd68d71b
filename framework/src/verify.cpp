#include <bit>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/provenance.hpp>
#include <mlpersist/verify.hpp>
#include <new>

namespace mlpersist {
namespace {

namespace fs = std::filesystem;

constexpr Method kRecordedMethods[] = {Method::kPredict, Method::kDecisionFunction,
                                       Method::kPredictProba, Method::kTransform};

Value rows_of(const Matrix& m) {
  Array rows;
  rows.reserve(static_cast<std::size_t>(m.rows()));
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    Array row;
    for (Eigen::Index j = 0; j < m.cols(); ++j) row.emplace_back(m(i, j));
    rows.emplace_back(std::move(row));
  }
  return rows;
}

void check_record_size(const Node& where, std::size_t n, std::size_t cols, const Limits& limits) {
  // n * cols cannot wrap: both count values of one decoded document.
  if (n * cols > limits.max_verification_values)
    throw UsageError(ErrorCode::kLimitExceeded,
                     "'" + where.path() + "' holds " + std::to_string(n) + " x " +
                         std::to_string(cols) + " values, more than the " +
                         std::to_string(limits.max_verification_values) +
                         " a verification record may replay (Limits::max_verification_values); "
                         "raise it only for a file you trust");
}

Matrix matrix_of(const Node& rows, const Limits& limits) {
  const std::size_t n = rows.size();
  if (n == 0) rows.fail("expected at least one row");
  const std::size_t cols = rows[0].size();
  check_record_size(rows, n, cols, limits);
  Matrix m(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(cols));
  for (std::size_t i = 0; i < n; ++i) {
    const Node row = rows[i];
    if (row.size() != cols) row.fail("expected " + std::to_string(cols) + " values");
    for (std::size_t j = 0; j < cols; ++j)
      m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = row[j].as_double();
  }
  return m;
}

// A table as {name, type, values} per column; missing cells (NaN, None) are nulls, since the
// header is JSON and JSON has no NaN.
Value columns_of(const Table& t) {
  Array columns;
  for (std::size_t j = 0; j < t.cols(); ++j) {
    const Column& c = t.column(j);
    Array values;
    for (std::size_t i = 0; i < t.rows(); ++i) {
      if (c.is_missing(i))
        values.emplace_back(Value());
      else if (c.type == ColumnType::kNumber)
        values.emplace_back(c.numbers[i]);
      else
        values.emplace_back(*c.strings[i]);
    }
    Map column;
    column.insert("name", c.name);
    column.insert("type", std::string(column_type_name(c.type)));
    column.insert("values", std::move(values));
    columns.emplace_back(std::move(column));
  }
  return columns;
}

Column column_of(const Node& node, std::size_t rows) {
  const std::optional<ColumnType> type = column_type_from_name(node["type"].as_string());
  if (!type) node["type"].fail("expected \"number\" or \"string\"");
  const Node values = node["values"];
  if (values.size() != rows) values.fail("expected " + std::to_string(rows) + " values");
  std::vector<double> numbers;
  std::vector<StringCell> strings;
  for (std::size_t i = 0; i < rows; ++i) {
    const Node cell = values[i];
    const bool missing = cell.value().is_null();
    if (*type == ColumnType::kNumber)
      numbers.push_back(missing ? std::numeric_limits<double>::quiet_NaN() : cell.as_double());
    else
      strings.push_back(missing ? StringCell() : StringCell(cell.as_string()));
  }
  const std::string& name = node["name"].as_string();
  return *type == ColumnType::kNumber ? Column::number(name, std::move(numbers))
                                      : Column::string(name, std::move(strings));
}

Table table_of(const Node& columns, const Limits& limits) {
  const std::size_t cols = columns.size();
  if (cols == 0) columns.fail("expected at least one column");
  const std::size_t rows = columns[0]["values"].size();
  if (rows == 0) columns.fail("expected at least one row");
  check_record_size(columns, rows, cols, limits);
  Table t;
  for (std::size_t j = 0; j < cols; ++j) t.add_column(column_of(columns[j], rows));
  return t;
}

// Distance in representable doubles (0 for bit-identical values).
std::uint64_t ulps_between(double a, double b) {
  const auto ordered = [](double x) {
    const auto i = std::bit_cast<std::int64_t>(x);
    return i < 0 ? std::numeric_limits<std::int64_t>::min() - i : i;
  };
  const std::int64_t ia = ordered(a);
  const std::int64_t ib = ordered(b);
  return ia > ib ? static_cast<std::uint64_t>(ia) - static_cast<std::uint64_t>(ib)
                 : static_cast<std::uint64_t>(ib) - static_cast<std::uint64_t>(ia);
}

MethodDrift compare(std::string_view method, bool labels, const Matrix& expected,
                    const Matrix& actual, bool same_build) {
  MethodDrift d{
      std::string(method), static_cast<std::uint64_t>(expected.size()), 0, 0, 0, labels, true};
  if (expected.rows() != actual.rows() || expected.cols() != actual.cols()) {
    d.differing = d.values;
    d.passed = false;
    return d;
  }
  for (Eigen::Index i = 0; i < expected.size(); ++i) {
    const double old_value = expected.data()[i];
    const double new_value = actual.data()[i];
    const std::uint64_t ulps = ulps_between(old_value, new_value);
    if (ulps == 0) continue;
    ++d.differing;
    const double diff = std::abs(new_value - old_value);
    d.max_abs_difference = std::max(d.max_abs_difference, diff);
    d.max_ulps = std::max(d.max_ulps, ulps);
    const bool within = diff <= kVerificationTolerance * std::max(1.0, std::abs(old_value));
    if (same_build || labels || !within) d.passed = false;
  }
  return d;
}

bool predicts_labels(const Estimator& model) {
  return model.kind() == EstimatorKind::kClassifier || model.kind() == EstimatorKind::kClusterer;
}

// scikit-learn's convention: an unset random_state (None) makes fitting non-deterministic.
bool is_deterministic(const Estimator& model) {
  const Value params = model.get_params();
  for (const auto& [name, value] : params.as_map())
    if (name.ends_with("random_state") && value.is_null()) return false;
  return true;
}

// The file's parameters choose the re-fit's work: refuse before starting what would not end.
void check_refit_cost(const Estimator& prototype, int k, std::size_t rows, std::size_t cols,
                      const Limits& limits) {
  const double cost = k * prototype.fit_cost(static_cast<double>(rows), static_cast<double>(cols));
  if (cost <= limits.max_refit_cost) return;
  char estimate[32];
  std::snprintf(estimate, sizeof estimate, "%.3g", cost);
  char limit[32];
  std::snprintf(limit, sizeof limit, "%.3g", limits.max_refit_cost);
  throw UsageError(ErrorCode::kLimitExceeded,
                   "re-running the " + std::to_string(k) + "-fold cross-validation of " +
                       prototype.repr() + " would take about " + estimate +
                       " operations, over the limit of " + limit +
                       " (Limits::max_refit_cost); raise it only for a file you trust");
}

// String columns or string classes: the model was fitted on a table (fit_table in the CLI).
bool fitted_on_table(const Estimator& model) {
  return !model.feature_types_in().empty() || !model.class_labels().empty();
}

// How the CLI read the training table: the columns the model saw as strings are read as strings
// again (what `--categorical` asked for at fit time), whatever their cells look like.
CsvOptions table_csv_options(const Estimator& model, const std::string& target) {
  CsvOptions options;
  options.target = target.empty() ? "target" : target;
  options.target_required = !target.empty();
  const auto& names = model.feature_names_in();
  const auto& types = model.feature_types_in();
  for (std::size_t j = 0; j < types.size() && j < names.size(); ++j)
    if (types[j] == ColumnType::kString) options.categorical.push_back(names[j]);
  return options;
}

void rerun_cv(VerifyReport& r, const Estimator& model, const Node& cv, const TrainingData* data,
              const Limits& limits) {
  const auto k = static_cast<int>(cv["k"].as_int(2, 1000));
  const std::string target = data != nullptr ? data->target : "target";
  const bool supervised = !target.empty();
  const auto prototype = model.clone();
  if (fitted_on_table(model)) {
    const TableDataset d = read_table_csv(r.data_path, table_csv_options(model, target));
    check_refit_cost(*prototype, k, d.X.rows(), d.X.cols(), limits);
    r.cv_rerun = cross_validate(*prototype, d.X, d.y, k).to_value();
  } else {
    const Dataset d = read_csv(r.data_path, supervised ? target : "target", supervised);
    check_refit_cost(*prototype, k, static_cast<std::size_t>(d.X.rows()),
                     static_cast<std::size_t>(d.X.cols()), limits);
    r.cv_rerun = cross_validate(*prototype, d.X, d.y, k).to_value();
  }
  r.cv_deterministic = is_deterministic(model);
  r.cv_tolerance = r.cv_deterministic ? 0.0 : 2.0 * cv["std"].as_double();
}

// The recorded uri as a regular file under `dir` (symbolic links resolved first), or an error
// saying why it may not be opened.
fs::path recorded_file_under(const std::string& uri, const fs::path& dir) {
  std::error_code ec;
  const fs::path base = fs::canonical(dir, ec);
  if (ec)
    throw IoError(ErrorCode::kIo, "training data directory '" + dir.string() +
                                      "' cannot be resolved: " + ec.message());
  const fs::path named = fs::path(uri).is_relative() ? base / uri : fs::path(uri);
  const fs::path real = fs::canonical(named, ec);
  const auto relative = real.lexically_relative(base);
  if (ec || relative.empty() || *relative.begin() == "..")
    throw SecurityError(ErrorCode::kPathNotAllowed, "the recorded training data uri '" + uri +
                                                        "' does not name a file under '" +
                                                        base.string() +
                                                        "'; pass the data with --data instead");
  if (!fs::is_regular_file(real, ec))
    throw SecurityError(ErrorCode::kPathNotAllowed,
                        "the recorded training data uri '" + uri +
                            "' names something other than a regular file; pass --data");
  return real;
}

void check_data(VerifyReport& r, const Map& metadata, const VerifyOptions& options,
                std::optional<TrainingData>& recorded) {
  if (const Value* v = metadata.find("training_data")) {
    recorded = TrainingData::from_node(Node(*v, "metadata.training_data"));
    r.data_recorded_sha256 = recorded->sha256;
    r.data_recorded_uri = recorded->uri;
  }
  if (options.data) {
    r.data_path = options.data->string();
  } else if (!recorded) {
    return;
  } else if (!options.data_dir) {
    throw UsageError(ErrorCode::kInvalidInput,
                     "not checked: the artifact records training data '" + recorded->uri +
                         "', which verify never opens on the file's word; pass it with --data "
                         "FILE (or allow a directory with --data-dir DIR)");
  } else {
    r.data_path = recorded_file_under(recorded->uri, *options.data_dir).string();
  }
  r.data_actual_sha256 = sha256_file(r.data_path);
}

// One check's failure goes into its part of the report; running out of memory is a failure
// too, with a sentence rather than "std::bad_alloc".
template <class F>
void run_check(std::string& error, F&& check) {
  try {
    check();
  } catch (const Error& e) {
    error = e.what();
  } catch (const std::bad_alloc&) {
    error = "out of memory (the file's parameters or records ask for more than this machine has)";
  }
}

// Every recorded method's outputs whose values are finite (JSON holds them exactly).
template <class Input>
Value recorded_outputs(const Estimator& model, const Input& inputs) {
  Map outputs;
  for (const Method m : kRecordedMethods) {
    if (!model.supports(m)) continue;
    const Matrix out = apply_method(model, m, inputs);
    if (out.allFinite()) outputs.insert(std::string(method_name(m)), rows_of(out));
  }
  return outputs;
}

}  // namespace

Value make_verification_record(const Estimator& model, const Matrix& inputs) {
  Map record;
  record.insert("inputs", rows_of(inputs));
  record.insert("outputs", recorded_outputs(model, inputs));
  return record;
}

Value make_verification_record(const Estimator& model, const Table& inputs) {
  Map record;
  record.insert("table", columns_of(inputs));
  record.insert("outputs", recorded_outputs(model, inputs));
  return record;
}

VerificationReport replay_verification(const Estimator& model, const Value& record, bool same_build,
                                       const Limits& limits) {
  const Node r(record, "metadata.verification");
  // A record holds "inputs" (a matrix) or, for a model fitted on a mixed table, "table".
  const std::optional<Node> columns = r.find("table");
  const Matrix inputs = columns ? Matrix() : matrix_of(r["inputs"], limits);
  const std::optional<Table> table =
      columns ? std::optional<Table>(table_of(*columns, limits)) : std::nullopt;
  VerificationReport report;
  report.same_build = same_build;
  const Node outputs = r["outputs"];
  for (const auto& [name, rows] : outputs.as_map()) {
    const Node rows_node(rows, outputs.path() + "." + name);
    const std::optional<Method> method = method_from_name(name);
    if (!method) rows_node.fail("is not a method name");
    const Method m = *method;
    const bool labels = m == Method::kPredict && predicts_labels(model);
    report.methods.push_back(compare(
        name, labels, matrix_of(rows_node, limits),
        table ? apply_method(model, m, *table) : apply_method(model, m, inputs), same_build));
  }
  return report;
}

bool VerificationReport::passed() const {
  for (const MethodDrift& d : methods)
    if (!d.passed) return false;
  return true;
}

Value VerificationReport::to_value() const {
  Array list;
  for (const MethodDrift& d : methods) {
    Map m;
    m.insert("method", d.method);
    m.insert("values", d.values);
    m.insert("differing", d.differing);
    m.insert("max_abs_difference", d.max_abs_difference);
    m.insert("max_ulps", d.max_ulps);
    m.insert("compared_as", d.labels ? "labels" : "values");
    m.insert("passed", d.passed);
    list.emplace_back(std::move(m));
  }
  Map out;
  out.insert("same_build", same_build);
  out.insert("tolerance", same_build ? 0.0 : kVerificationTolerance);
  out.insert("methods", std::move(list));
  out.insert("passed", passed());
  return out;
}

std::string VerificationReport::summary() const {
  std::string out;
  for (const MethodDrift& d : methods)
    out += d.method + ": " + std::to_string(d.values) + " values, " + std::to_string(d.differing) +
           " differ (max " + std::to_string(d.max_ulps) + " ulps)" + (d.passed ? "" : " FAILED") +
           "\n";
  return out;
}

Value current_versions(const Registry& registry, const Header& header) {
  Map plugins;
  const auto note = [&](const std::string& plugin) {
    if (plugins.contains(plugin)) return;
    if (const PluginInfo* p = registry.find_plugin(plugin)) plugins.insert(plugin, p->version);
  };
  for (const auto& [tag, version] : header.types)
    if (const TypeInfo* info = registry.find_type(tag)) note(info->plugin);
  if (const BackendInfo* b = registry.find_backend(header.backend)) note(b->plugin);
  Value v = build_environment();
  v.as_map().insert("plugins", std::move(plugins));
  return v;
}

bool VerifyReport::data_matches() const {
  return data_recorded_sha256.empty() || data_recorded_sha256 == data_actual_sha256;
}

bool VerifyReport::cv_passed() const {
  if (!cv_recorded) return true;
  if (!cv_rerun) return false;
  const Node old_cv(*cv_recorded, "cross_validation");
  const Node new_cv(*cv_rerun, "cross_validation");
  if (cv_deterministic) return old_cv["scores"].value() == new_cv["scores"].value();
  return std::abs(new_cv["mean"].as_double() - old_cv["mean"].as_double()) <= cv_tolerance;
}

bool VerifyReport::passed() const {
  return integrity && data_error.empty() && cv_error.empty() && records_error.empty() &&
         data_matches() && cv_passed() && (!records || records->passed());
}

Value VerifyReport::to_value() const {
  Map m;
  m.insert("file", file);
  m.insert("integrity", integrity);
  if (!integrity_error.empty()) m.insert("integrity_error", integrity_error);
  Map data;
  data.insert("recorded_uri", data_recorded_uri);
  data.insert("path", data_path);
  data.insert("recorded_sha256", data_recorded_sha256);
  data.insert("actual_sha256", data_actual_sha256);
  data.insert("matches", data_matches() && data_error.empty());
  if (!data_error.empty()) data.insert("error", data_error);
  m.insert("training_data", std::move(data));
  Map cv;
  if (cv_recorded) cv.insert("recorded", *cv_recorded);
  if (cv_rerun) cv.insert("rerun", *cv_rerun);
  cv.insert("deterministic", cv_deterministic);
  cv.insert("tolerance", cv_tolerance);
  cv.insert("passed", cv_passed() && cv_error.empty());
  if (!cv_error.empty()) cv.insert("error", cv_error);
  m.insert("cross_validation", std::move(cv));
  if (records) m.insert("verification_records", records->to_value());
  if (!records_error.empty()) m.insert("verification_records_error", records_error);
  m.insert("passed", passed());
  return m;
}

VerifyReport verify_artifact(const Registry& registry, const std::filesystem::path& file,
                             const VerifyOptions& options) {
  VerifyReport r;
  r.file = file.string();
  Document doc;
  std::shared_ptr<Estimator> model;
  run_check(r.integrity_error, [&] {
    doc = read_document(registry, file, options.load);
    model = instantiate(registry, doc, options.load);
    r.integrity = true;
  });
  if (!r.integrity) return r;
  const Map& metadata = doc.header.metadata.as_map();
  std::optional<TrainingData> recorded;
  run_check(r.data_error, [&] { check_data(r, metadata, options, recorded); });
  if (const Value* cv = metadata.find("cross_validation")) {
    r.cv_recorded = *cv;
    run_check(r.cv_error, [&] {
      if (r.data_path.empty() || !r.data_error.empty())
        throw UsageError(ErrorCode::kInvalidInput,
                         "no readable training data to cross-validate on; pass --data CSV");
      rerun_cv(r, *model, Node(*cv, "metadata.cross_validation"), recorded ? &*recorded : nullptr,
               options.load.limits);
    });
  }
  if (const Value* rec = metadata.find("verification")) {
    const Value* versions = metadata.find("versions");
    const bool same = versions != nullptr && *versions == current_versions(registry, doc.header);
    run_check(r.records_error,
              [&] { r.records = replay_verification(*model, *rec, same, options.load.limits); });
  }
  return r;
}

}  // namespace mlpersist
