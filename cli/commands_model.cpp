// Subcommands that make and use models: convert, fit, predict.

#include <cctype>
#include <charconv>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/model_selection.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/provenance.hpp>
#include <mlpersist/spec.hpp>
#include <string>
#include <string_view>

#include "commands.hpp"

namespace mlpersist::cli {
namespace {

// The default target column of fit, and the column predict drops when present.
constexpr const char* kTargetColumn = "target";
constexpr Eigen::Index kVerificationRows = 5;
constexpr const char* kMethods[] = {"predict", "decision_function", "predict_proba", "transform"};

bool parses_whole(std::string_view text, auto& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// The text of a --param value as the Value a person means by it, as Python would read it.
Value param_value(std::string_view text) {
  if (text == "true" || text == "True") return true;
  if (text == "false" || text == "False") return false;
  if (text == "none" || text == "None") return nullptr;
  if (std::int64_t i = 0; parses_whole(text, i)) return i;
  // Only decimal or exponent literals become numbers: "nan" and "inf" stay strings.
  const std::string_view digits = text.substr(text.starts_with('-') ? 1 : 0);
  const bool numeric =
      !digits.empty() && (std::isdigit(static_cast<unsigned char>(digits[0])) || digits[0] == '.');
  if (double d = 0; numeric && parses_whole(text, d)) return d;
  return std::string(text);
}

Value parse_params(const std::vector<std::string>& assignments) {
  Map params;
  for (const std::string& assignment : assignments) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError(ErrorCode::kInvalidParameter,
                       "--param '" + assignment + "': expected KEY=VALUE, e.g. --param C=10");
    std::string key = assignment.substr(0, eq);
    if (params.contains(key))
      throw UsageError(ErrorCode::kInvalidParameter, "--param '" + key + "' given twice");
    params.insert(std::move(key), param_value(std::string_view(assignment).substr(eq + 1)));
  }
  return params;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

// Columns are matched by name, as scikit-learn does: the same count in another order would
// otherwise predict silently wrong.
void check_feature_names(const Estimator& model, const Dataset& data, const std::string& csv) {
  const auto& expected = model.feature_names_in();
  if (expected.empty() || expected == data.feature_names) return;
  throw UsageError(ErrorCode::kInvalidInput,
                   csv + ": feature columns [" + join(data.feature_names) +
                       "] differ from those the model was fitted on [" + join(expected) +
                       "]; give the same columns in the same order");
}

std::vector<std::string> output_header(Method method, Eigen::Index columns) {
  if (method == Method::kPredict) return {"prediction"};
  std::vector<std::string> header;
  for (Eigen::Index c = 0; c < columns; ++c) header.push_back(std::to_string(c));
  return header;
}

void write_output(const std::string& out, Method method, const Matrix& result) {
  const auto header = output_header(method, result.cols());
  if (out.empty()) {
    write_csv(std::cout, header, result);
    std::cout.flush();
    if (!std::cout) throw IoError(ErrorCode::kIo, "<stdout>: write failed");
    return;
  }
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  if (!file) throw IoError(ErrorCode::kIo, "'" + out + "': cannot open for writing");
  write_csv(file, header, result);
  file.close();
  if (!file) throw IoError(ErrorCode::kIo, "'" + out + "': write failed");
}

// A CSV cell as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break.
std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void write_labels(const std::string& out, const std::vector<std::string>& labels) {
  std::ofstream file;
  if (!out.empty()) {
    file.open(out, std::ios::binary | std::ios::trunc);
    if (!file) throw IoError(ErrorCode::kIo, "'" + out + "': cannot open for writing");
  }
  std::ostream& stream = out.empty() ? std::cout : file;
  stream << "prediction\n";
  for (const std::string& label : labels) stream << csv_cell(label) << '\n';
  stream.flush();
  if (!stream)
    throw IoError(ErrorCode::kIo,
                  (out.empty() ? "<stdout>" : "'" + out + "'") + std::string(": write failed"));
}

// The columns a model was fitted on as strings are read as strings, whatever they hold.
CsvOptions prediction_csv(const Estimator& model, const std::string& target) {
  CsvOptions options;
  options.target = target;
  options.target_required = false;
  const auto& types = model.feature_types_in();
  const auto& names = model.feature_names_in();
  for (std::size_t j = 0; j < types.size() && j < names.size(); ++j)
    if (types[j] == ColumnType::kString) options.categorical.push_back(names[j]);
  return options;
}

struct PredictOptions {
  std::string file, data, method = "predict", out, target = kTargetColumn;
};

void run_predict(Context& ctx, const PredictOptions& o) {
  const std::string &file = o.file, &data = o.data, &method = o.method, &out = o.out;
  const auto model = with_progress("loading", kBytes, [&](ProgressBar& bar) {
    return load(ctx.registry(), ctx.model_file(file), ctx.load_options(bar));
  });
  // --method is checked against the method names when the options are parsed.
  const Method m = method_from_name(method).value_or(Method::kPredict);
  TableDataset input = read_table_csv(data, prediction_csv(*model, o.target));
  if (input.X.all_numeric() && model->feature_types_in().empty() && model->class_labels().empty()) {
    const Dataset numeric{input.X.to_matrix("predict", true), {}, input.X.names(), {}};
    check_feature_names(*model, numeric, data);
    write_output(out, m, apply_method(*model, m, numeric.X));
    return;
  }
  if (m == Method::kPredict) {
    const Labels labels = model->predict(input.X);
    if (labels.is_string()) return write_labels(out, labels.strings());
    return write_output(out, m, labels.numbers());
  }
  write_output(out, m, apply_method(*model, m, input.X));
}

struct FitOptions {
  std::string type;
  std::string spec;
  std::vector<std::string> categorical;
  std::string data;
  std::string target = kTargetColumn;
  std::vector<std::string> steps;
  std::vector<std::string> params;
  std::vector<std::string> meta;
  std::string format = "binary";
  std::string out;
  int cv = 0;
};

// `--step NAME=TYPE` for composite estimators (Pipeline): each step is made by the registry.
void set_steps(Context& ctx, Estimator& estimator, const std::vector<std::string>& specs) {
  auto* composite = dynamic_cast<Composite*>(&estimator);
  if (composite == nullptr)
    throw UsageError(ErrorCode::kInvalidParameter,
                     "--step: " + std::string(estimator.type_tag()) + " has no steps");
  std::vector<Step> steps;
  for (const std::string& spec : specs) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError(ErrorCode::kInvalidParameter,
                       "--step '" + spec + "': expected NAME=TYPE, e.g. --step svc=svm.SVC");
    steps.emplace_back(spec.substr(0, eq), ctx.registry().create(spec.substr(eq + 1)));
  }
  composite->set_steps(std::move(steps));
}

// Cross-validates before the final fit; the scores go into the artifact's metadata.
template <class X, class Y>
CvResult cross_validation(const Estimator& prototype, const X& x, const Y& y, int k) {
  CvResult r = with_progress("cross-validating", "folds", [&](ProgressBar& bar) {
    const ProgressScope scope = bar.scope();
    return cross_validate(prototype, x, y, k);
  });
  std::cout << "cross-validation (" << r.splitter << ", " << r.metric << "):";
  for (double s : r.scores) std::cout << " " << format_double(s);
  std::cout << "\nmean " << format_double(r.mean) << ", std " << format_double(r.std) << "\n";
  return r;
}

std::map<std::string, std::string> parse_meta(const std::vector<std::string>& assignments) {
  std::map<std::string, std::string> meta;
  for (const std::string& assignment : assignments) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError(
          ErrorCode::kInvalidParameter,
          "--meta '" + assignment + "': expected KEY=VALUE, e.g. --meta owner=ml-team");
    if (!meta.emplace(assignment.substr(0, eq), assignment.substr(eq + 1)).second)
      throw UsageError(ErrorCode::kInvalidParameter,
                       "--meta '" + assignment.substr(0, eq) + "' given twice");
  }
  return meta;
}

// A few training rows spread over the file: their exact outputs become verification records.
std::vector<Eigen::Index> verification_rows(Eigen::Index rows) {
  const Eigen::Index n = std::min<Eigen::Index>(kVerificationRows, rows);
  std::vector<Eigen::Index> picked;
  for (Eigen::Index i = 0; i < n; ++i) picked.push_back(i * rows / n);
  return picked;
}

void fit_with_progress(Estimator& estimator, const Dataset& data) {
  with_progress("fitting", "iterations", [&](ProgressBar& bar) {
    const ProgressScope scope = bar.scope();
    estimator.fit(data.X, data.y);
  });
}

void save_with_progress(Context& ctx, const Estimator& estimator, const std::string& out,
                        SaveOptions& options) {
  with_progress("saving", kBytes, [&](ProgressBar& bar) {
    attach(options, bar);
    dump(ctx.registry(), estimator, std::filesystem::path(out), options);
  });
}

// The estimator of `fit`: from a spec file, or a type with --step and --param.
std::shared_ptr<Estimator> make_estimator(Context& ctx, const FitOptions& o) {
  if (!o.spec.empty()) {
    if (!o.type.empty() || !o.steps.empty())
      throw UsageError(ErrorCode::kInvalidParameter,
                       "--spec describes the whole model; give no TYPE and no --step with it");
    std::ifstream in(o.spec, std::ios::binary);
    if (!in) throw IoError(ErrorCode::kIo, "'" + o.spec + "': cannot open the spec");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto estimator = build_estimator(ctx.registry(), parse_json_text(text, o.spec, Limits{}));
    const Value params = parse_params(o.params);
    if (!params.as_map().empty()) estimator->set_params(params);
    return estimator;
  }
  if (o.type.empty())
    throw UsageError(ErrorCode::kInvalidParameter, "give an estimator TYPE or --spec SPEC.json");
  auto estimator = ctx.registry().create(o.type);
  if (!o.steps.empty()) set_steps(ctx, *estimator, o.steps);
  const Value params = parse_params(o.params);
  if (!params.as_map().empty()) estimator->set_params(params);
  return estimator;
}

// A table with string columns or string labels: fitted, cross-validated and recorded as a table.
void fit_table(Context& ctx, Estimator& estimator, const TableDataset& data, const FitOptions& o,
               SaveOptions& save) {
  if (o.cv > 0)
    save.provenance.cross_validation = cross_validation(estimator, data.X, data.y, o.cv);
  save.provenance.training_data =
      TrainingData::of_file(o.data, static_cast<Eigen::Index>(data.X.rows()),
                            static_cast<Eigen::Index>(data.X.cols()), data.target_name);
  with_progress("fitting", "iterations", [&](ProgressBar& bar) {
    const ProgressScope scope = bar.scope();
    estimator.fit(data.X, data.y);
  });
  save.provenance.verification_table =
      take_rows(data.X, verification_rows(static_cast<Eigen::Index>(data.X.rows())));
  save_with_progress(ctx, estimator, o.out, save);
}

void run_fit(Context& ctx, const FitOptions& o) {
  const auto estimator = make_estimator(ctx, o);
  // Unsupervised estimators fit on X alone; a target column, if present, is still left out.
  const EstimatorKind kind = estimator->kind();
  const bool supervised = kind == EstimatorKind::kClassifier || kind == EstimatorKind::kRegressor;
  CsvOptions csv{.target = o.target, .target_required = supervised, .categorical = o.categorical};
  TableDataset table = read_table_csv(o.data, csv);
  SaveOptions save{.format = o.format};
  save.provenance.user = parse_meta(o.meta);
  save.provenance.source = SourceInfo::of_current_program();
  if (!table.X.all_numeric() || table.y.is_string())
    return fit_table(ctx, *estimator, table, o, save);
  Dataset data{table.X.to_matrix("fit", true), table.y.numbers(), table.X.names(),
               table.target_name};
  if (!supervised) data.y.resize(0);
  Provenance& p = save.provenance;
  p.training_data =
      TrainingData::of_file(o.data, data.X.rows(), data.X.cols(), supervised ? o.target : "");
  if (o.cv > 0) p.cross_validation = cross_validation(*estimator, data.X, data.y, o.cv);
  estimator->set_feature_names(data.feature_names);
  fit_with_progress(*estimator, data);
  p.verification_inputs = take_rows(data.X, verification_rows(data.X.rows()));
  save_with_progress(ctx, *estimator, o.out, save);
}

}  // namespace

Command add_convert_command(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("convert", "Rewrite an artifact with another format backend");
  auto file = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  sub->add_option("FILE", *file, "Model artifact, or STORE#NAME@REF")->required();
  sub->add_option("--format", *format, "Backend to write: binary, json, msgpack, ...")
      ->type_name("NAME")
      ->required();
  sub->add_option("-o,--output", *out, "Artifact to write")->type_name("OUT")->required();
  add_trust_options(*sub, ctx);
  return {sub, [&ctx, file, format, out] {
            const Document doc = read_with_progress(ctx, *file);
            write_with_progress(ctx, doc, *format, *out);
          }};
}

Command add_fit_command(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("fit", "Fit an estimator on a CSV file and save it");
  auto o = std::make_shared<FitOptions>();
  sub->add_option("TYPE", o->type, "Estimator type tag, e.g. svm.SVC (or give --spec)");
  sub->add_option("--spec", o->spec,
                  "The whole model as JSON: {\"type\": TAG, \"params\": {...}}, in the shape of "
                  "a saved document's params (nested estimators included)")
      ->type_name("SPEC.json");
  sub->add_option("--categorical", o->categorical,
                  "Read column COL as strings even when its cells are numbers (repeatable)")
      ->type_name("COL");
  sub->add_option("--data", o->data, "Training data: CSV with a header row")
      ->type_name("CSV")
      ->required();
  sub->add_option("--target", o->target, "Target column")->capture_default_str()->type_name("COL");
  sub->add_option("--step", o->steps,
                  "Step NAME=TYPE of a composite estimator such as pipeline.Pipeline (repeatable, "
                  "in order); address a step's parameters as NAME__PARAM")
      ->type_name("NAME=TYPE");
  sub->add_option("--cv", o->cv, "Cross-validate with K folds first; print and keep the scores")
      ->type_name("K")
      ->check(CLI::Range(2, 1000));
  sub->add_option("--param", o->params,
                  "Parameter KEY=VALUE (repeatable); true/false, integers, decimals, none, or text")
      ->type_name("KEY=VALUE");
  sub->add_option("--meta", o->meta, "Record KEY=VALUE in the artifact's metadata (repeatable)")
      ->type_name("KEY=VALUE");
  sub->add_option("--format", o->format, "Backend to save with")
      ->capture_default_str()
      ->type_name("NAME");
  sub->add_option("-o,--output", o->out, "Artifact to write")->type_name("OUT")->required();
  return {sub, [&ctx, o] { run_fit(ctx, *o); }};
}

Command add_predict_command(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("predict", "Apply a saved model to a CSV file; write CSV");
  auto o = std::make_shared<PredictOptions>();
  sub->add_option("FILE", o->file, "Model artifact, or STORE#NAME@REF")->required();
  sub->add_option("--data", o->data, "Input CSV with a header row (the target column is ignored)")
      ->type_name("CSV")
      ->required();
  sub->add_option("--target", o->target, "Column to ignore when present (the training target)")
      ->capture_default_str()
      ->type_name("COL");
  sub->add_option("--method", o->method, "Method to call")
      ->type_name("METHOD")
      ->capture_default_str()
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kMethods), std::end(kMethods))));
  sub->add_option("-o,--output", o->out, "CSV to write (default: stdout)")->type_name("OUT");
  add_trust_options(*sub, ctx);
  return {sub, [&ctx, o] { run_predict(ctx, *o); }};
}

}  // namespace mlpersist::cli
