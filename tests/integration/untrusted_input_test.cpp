// Untrusted input, round two: one test per class of attack that still got through genuine
// validation (edited, re-sealed artifacts; files that choose work, paths or terminal output).
// Hash flooding is in tests/unit/value_test.cpp, state overflows beside each estimator's tests.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/provenance.hpp>
#include <mlpersist/verify.hpp>
#include <sstream>

#include "allocation_counter.hpp"
#include "test_support.hpp"

namespace mlpersist::test {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<Estimator> fitted(const std::string& tag, const Value& params = Map{}) {
  const Dataset iris = load_dataset("iris");
  auto model = registry().create(tag);
  model->set_params(params);
  model->fit(iris.X, iris.y);
  return model;
}

// A fitted StandardScaler -> SVC pipeline, saved to `file`.
void save_pipeline(const fs::path& file) {
  auto pipeline = registry().create("pipeline.Pipeline");
  auto& composite = dynamic_cast<Composite&>(*pipeline);
  composite.set_steps({{"scale", registry().create("preprocessing.StandardScaler")},
                       {"svc", registry().create("svm.SVC")}});
  const Dataset iris = load_dataset("iris");
  pipeline->fit(iris.X, iris.y);
  dump(registry(), *pipeline, file);
}

template <class E>
void expect_code(const std::function<void()>& f, ErrorCode code, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no exception; expected " << to_string(code);
  } catch (const E& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

// --- 3. The type allowlist and the header's declared types hold for every command. ---------

// A genuine pipeline whose header no longer lists the nested SVC: allowlists and `inspect` see
// the header, so a document that holds more than it declares is refused wherever it is read.
fs::path pipeline_hiding_svc(const fs::path& dir) {
  const fs::path genuine = dir / "pipeline.mlp";
  save_pipeline(genuine);
  Document doc = read_document(registry(), genuine);
  doc.header.types.erase("svm.SVC");
  const fs::path hidden = dir / "hidden.mlp";
  write_document(registry(), doc, "binary", hidden);
  return hidden;
}

TEST(TypePolicy, NestedTypesTheHeaderDoesNotDeclareAreRefusedEverywhere) {
  const fs::path file = pipeline_hiding_svc(temp_dir());
  expect_code<SecurityError>([&] { (void)read_document(registry(), file); },
                             ErrorCode::kTypeNotAllowed, "'svm.SVC' is not listed");
  expect_code<SecurityError>([&] { (void)load(registry(), file); }, ErrorCode::kTypeNotAllowed,
                             "state.steps[1].estimator");
  // migrate with an allowlist that the header satisfies used to build the hidden SVC.
  std::string error;
  EXPECT_EQ(run_cli("migrate " + file.string() + " --allow-type pipeline.Pipeline --allow-type " +
                        "preprocessing.StandardScaler -o " + (file.parent_path() / "out").string(),
                    nullptr, &error),
            1);
  EXPECT_NE(error.find("not listed in the header's types"), std::string::npos) << error;
  const std::string f = file.string();
  const std::string out = (file.parent_path() / "converted.mlp").string();
  for (const std::string& command :
       {"show " + f, "verify " + f,
        "predict " + f + " --data " + (data_dir() / "iris.csv").string(),
        "convert " + f + " --format json -o " + out}) {
    std::string output;
    EXPECT_EQ(run_cli(command, &output, &error), 1) << command;
    // verify reports the refusal in its integrity line, the others on stderr.
    EXPECT_NE((output + error).find("'svm.SVC' is not listed"), std::string::npos)
        << command << ": " << output << error;
  }
  EXPECT_FALSE(fs::exists(out));
}

TEST(TypePolicy, TheRootMustBeTheTypeTheHeaderNames) {
  const fs::path dir = temp_dir();
  dump(registry(), *fitted("svm.SVC"), dir / "svc.mlp");
  Document doc = read_document(registry(), dir / "svc.mlp");
  doc.header.type_tag = "preprocessing.StandardScaler";
  doc.header.types["preprocessing.StandardScaler"] =
      registry().find_type("preprocessing.StandardScaler")->schema_version;
  write_document(registry(), doc, "binary", dir / "renamed.mlp");
  LoadOptions only_scalers;
  only_scalers.allowed_types = {"preprocessing.StandardScaler", "svm.SVC"};
  expect_code<SecurityError>([&] { (void)load(registry(), dir / "renamed.mlp", only_scalers); },
                             ErrorCode::kTypeNotAllowed, "the header names");
}

TEST(TypePolicy, MigrateAppliesAllowTypeToTheDocumentItInstantiates) {
  const fs::path dir = temp_dir();
  save_pipeline(dir / "p.mlp");
  std::string error;
  EXPECT_EQ(run_cli("migrate " + (dir / "p.mlp").string() +
                        " --allow-type pipeline.Pipeline --allow-type svm.SVC -o " +
                        (dir / "out.mlp").string(),
                    nullptr, &error),
            1);
  EXPECT_NE(error.find("outside the allowed set"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(dir / "out.mlp"));
}

// --- 2. No file chooses a path that verify opens. --------------------------------------------

struct Recorded {
  fs::path dir;
  fs::path model;
};

// A model whose recorded training data uri is `uri` (the real data sits in dir/iris.csv).
Recorded model_recording(const std::string& uri) {
  Recorded r{temp_dir(), {}};
  fs::copy_file(data_dir() / "iris.csv", r.dir / "iris.csv");
  const Dataset d = read_csv(r.dir / "iris.csv");
  SaveOptions o;
  o.provenance.training_data =
      TrainingData::of_file(r.dir / "iris.csv", d.X.rows(), d.X.cols(), "target");
  o.provenance.training_data->uri = uri;
  r.model = r.dir / "model.mlp";
  dump(registry(), *fitted("naive_bayes.GaussianNB"), r.model, o);
  return r;
}

TEST(VerifyPaths, TheRecordedUriIsShownButNeverOpened) {
  const std::string secret = (temp_dir() / "secret.txt").string();
  std::ofstream(secret) << "password=hunter2\n";
  const Recorded r = model_recording(secret);
  const VerifyReport report = verify_artifact(registry(), r.model);
  EXPECT_EQ(report.data_recorded_uri, secret);
  EXPECT_TRUE(report.data_path.empty());
  EXPECT_TRUE(report.data_actual_sha256.empty());
  EXPECT_NE(report.data_error.find("--data"), std::string::npos) << report.data_error;
  EXPECT_EQ(report.data_error.find("hunter2"), std::string::npos);
  EXPECT_FALSE(report.passed());
  // The user's own --data is read.
  VerifyOptions given;
  given.data = r.dir / "iris.csv";
  EXPECT_TRUE(verify_artifact(registry(), r.model, given).passed());
}

TEST(VerifyPaths, DataDirAdmitsOnlyRegularFilesInsideIt) {
  const Recorded inside = model_recording("iris.csv");
  VerifyOptions options;
  options.data_dir = inside.dir;
  const VerifyReport ok = verify_artifact(registry(), inside.model, options);
  EXPECT_TRUE(ok.passed()) << ok.data_error;

  const Recorded outside = model_recording("../../../etc/passwd");
  options.data_dir = outside.dir;
  const VerifyReport escaped = verify_artifact(registry(), outside.model, options);
  EXPECT_NE(escaped.data_error.find("does not name a file under"), std::string::npos)
      << escaped.data_error;

  // A FIFO would block open() forever; it is refused without being opened.
  const Recorded fifo = model_recording("pipe");
  ASSERT_EQ(::mkfifo((fifo.dir / "pipe").c_str(), 0600), 0);
  options.data_dir = fifo.dir;
  const VerifyReport blocked = verify_artifact(registry(), fifo.model, options);
  EXPECT_NE(blocked.data_error.find("other than a regular file"), std::string::npos)
      << blocked.data_error;
}

// --- 4. Work chosen by the file is bounded. ------------------------------------------------

TEST(VerifyWork, ACrossValidationReRunTheParametersMakeEnormousIsRefused) {
  const fs::path dir = temp_dir();
  fs::copy_file(data_dir() / "iris.csv", dir / "iris.csv");
  const Dataset d = read_csv(dir / "iris.csv");
  auto forest = fitted("ensemble.RandomForestClassifier",
                       Map{}.insert("n_estimators", 3).insert("random_state", 0));
  SaveOptions o;
  o.provenance.training_data =
      TrainingData::of_file(dir / "iris.csv", d.X.rows(), d.X.cols(), "target");
  o.provenance.cross_validation = cross_validate(*forest, d.X, d.y, 3);
  dump(registry(), *forest, dir / "forest.mlp", o);
  // Re-sealed with a parameter asking for 10^12 trees (a 6 KB file).
  Document doc = read_document(registry(), dir / "forest.mlp");
  *doc.root.as_map().find("params")->as_map().find("n_estimators") =
      std::int64_t{1'000'000'000'000};
  write_document(registry(), doc, "binary", dir / "greedy.mlp");
  VerifyOptions options;
  options.data = dir / "iris.csv";
  const VerifyReport r = verify_artifact(registry(), dir / "greedy.mlp", options);
  EXPECT_TRUE(r.integrity) << r.integrity_error;
  EXPECT_NE(r.cv_error.find("max_refit_cost"), std::string::npos) << r.cv_error;
  EXPECT_FALSE(r.passed());
}

TEST(VerifyWork, VerificationRecordsLargerThanTheLimitAreNotReplayed) {
  auto model = fitted("naive_bayes.GaussianNB");
  Array rows;
  for (int i = 0; i < 20'000; ++i) rows.emplace_back(Array{5.0, 3.0, 1.5, 0.2});
  const Value record = Map{}.insert("inputs", std::move(rows)).insert("outputs", Map{});
  expect_code<UsageError>([&] { (void)replay_verification(*model, record, true); },
                          ErrorCode::kLimitExceeded, "max_verification_values");
}

TEST(VerifyWork, OutOfMemoryIsOneClearLineFromTheCommand) {
  std::string error;
  EXPECT_EQ(
      run_cli("fit ensemble.RandomForestClassifier --param n_estimators=1000000000000 "
              "--data " +
                  (data_dir() / "iris.csv").string() + " -o " + (temp_dir() / "m.mlp").string(),
              nullptr, &error),
      1);
  EXPECT_NE(error.find("mlpersist: error: out of memory"), std::string::npos) << error;
  EXPECT_EQ(error.find("std::bad_alloc"), std::string::npos) << error;
}

// --- 5. Memory proportional to the file. ---------------------------------------------------

// What any load may take beyond the file: the tree of Limits::min_values values (about 200
// bytes each), held twice while an upgrade hook rewrites it.
constexpr std::size_t kMemoryConstant = std::size_t{32} << 20;

TEST(ProportionalMemory, DenseSmallValuesAreRefusedBeyondOnePerTwentyFourBytes) {
  const std::uint32_t version = registry().find_type("naive_bayes.GaussianNB")->schema_version;
  Array small(200'000, Value(std::int64_t{1}));
  Map doc;
  doc.insert("type", "naive_bayes.GaussianNB").insert("schema_version", version);
  doc.insert("params", Map{}).insert("state", Map{}.insert("x", std::move(small)));
  for (const std::string& backend : backend_names()) {
    Header h;
    h.backend = backend;
    h.type_tag = "naive_bayes.GaussianNB";
    h.schema_version = version;
    h.types[h.type_tag] = version;
    const std::string payload = encode_payload(backend, Value(doc));
    const std::string artifact = craft_artifact(h, payload);
    reset_peak_heap();
    const std::size_t before = current_heap_bytes();
    try {
      (void)loads(registry(), artifact);
      ADD_FAILURE() << backend << ": 200,000 values in " << payload.size() << " bytes decoded";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kLimitExceeded) << e.what();
    }
    EXPECT_LT(peak_heap_bytes() - before, 16 * payload.size() + kMemoryConstant) << backend;
  }
}

TEST(ProportionalMemory, UpgradingAnOldDocumentHoldsAtMostTwoTrees) {
  const fs::path golden = data_dir().parent_path() / "fixtures" / "schema-v1" / "svc_iris.json.mlp";
  LoadOptions raw;
  raw.migrate = false;
  Document doc = read_document(registry(), golden, raw);
  {
    Array padding(1'000'000, Value(std::string(22, 'p')));
    doc.root.as_map().find("state")->as_map().insert("padding", std::move(padding));
  }
  const fs::path file = temp_dir() / "old_and_large.mlp";
  write_document(registry(), doc, "json", file);
  doc = Document{};
  const auto size = fs::file_size(file);
  reset_peak_heap();
  const std::size_t before = current_heap_bytes();
  const Document upgraded = read_document(registry(), file);
  EXPECT_GT(Node(upgraded.header.metadata, "metadata")["migrations"].size(), 0u);
  EXPECT_LT(peak_heap_bytes() - before, 16 * size + kMemoryConstant) << size << " bytes";
}

// --- 8. Signed means all of it. --------------------------------------------------------------

std::string file_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(SignatureEntry, FieldsBesideTheSignedOnesAreRefused) {
  const fs::path dir = temp_dir();
  const KeyPair keys = generate_key_pair();
  dump(registry(), *fitted("svm.SVC"), dir / "svc.mlp");
  sign_file(dir / "svc.mlp", keys.secret_key);
  // The same header and payload, re-sealed with a claim inside the signature entry: the
  // signature itself still verifies, since it covers the header without its own entry.
  Header h = inspect(dir / "svc.mlp");
  const std::string bytes = file_bytes(dir / "svc.mlp");
  const std::string payload = bytes.substr(h.payload_offset, h.payload_size);
  h.metadata.as_map().find("signature")->as_map().insert("approved_by", "security team");
  {
    std::ofstream out(dir / "claim.mlp", std::ios::binary);
    out << craft_artifact(h, payload);
  }
  LoadOptions trusting;
  trusting.trusted_public_keys = {keys.public_key};
  expect_code<SecurityError>([&] { (void)load(registry(), dir / "claim.mlp", trusting); },
                             ErrorCode::kBadSignature, "'approved_by', which is not signed");
  expect_code<SecurityError>([&] { (void)inspect(dir / "claim.mlp"); }, ErrorCode::kBadSignature,
                             "approved_by");
  EXPECT_NO_THROW((void)load(registry(), dir / "svc.mlp", trusting));
}

// --- 7. What the terminal shows is what the file says, safely. -----------------------------

TEST(TerminalOutput, FileStringsCannotDriveTheTerminalOrImitateStatusLines) {
  const fs::path dir = temp_dir();
  SaveOptions o;
  o.metadata.as_map().insert("\x1b[2Jtitle", "x\nsignature:          verified OK");
  o.metadata.as_map().insert("signature:          verified OK",
                             "\xe2\x80\xae"
                             "evil");
  dump(registry(), *fitted("naive_bayes.GaussianNB"), dir / "m.mlp", o);
  std::string out;
  ASSERT_EQ(run_cli("inspect " + (dir / "m.mlp").string(), &out), 0) << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.find("\xe2\x80\xae"), std::string::npos) << out;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    EXPECT_FALSE(line.find("signature:") < line.find('"')) << "unquoted file text: " << line;
  ASSERT_EQ(run_cli("show " + (dir / "m.mlp").string(), &out), 0);
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
}

// --- 9. Linear paths. ------------------------------------------------------------------------

TEST(LinearPaths, ACsvOfEmptyColumnsAndLinesIsRefusedBeforeAnyLargeAllocation) {
  const std::string text = std::string(200'000, ',') + "\n" + std::string(200'000, '\n');
  reset_peak_heap();
  const std::size_t before = current_heap_bytes();
  EXPECT_THROW((void)parse_csv(text, "wide.csv", "target", false), UsageError);
  EXPECT_LT(peak_heap_bytes() - before, 16 * text.size() + (1u << 20));
}

TEST(LinearPaths, SixtyThousandPipelineStepsWithADuplicateAtTheEnd) {
  std::vector<Step> steps;
  for (int i = 0; i < 60'000; ++i)
    steps.emplace_back("s" + std::to_string(i), registry().create("preprocessing.StandardScaler"));
  steps.emplace_back("s59999", registry().create("preprocessing.StandardScaler"));
  auto pipeline = registry().create("pipeline.Pipeline");
  expect_code<UsageError>([&] { dynamic_cast<Composite&>(*pipeline).set_steps(std::move(steps)); },
                          ErrorCode::kInvalidParameter, "duplicate step name 's59999'");
}

// --- 10. Clear errors. -----------------------------------------------------------------------

TEST(ClearErrors, AMalformedMigrationsEntrySaysSoByName) {
  const fs::path golden = data_dir().parent_path() / "fixtures" / "schema-v1" / "svc_iris.json.mlp";
  LoadOptions raw;
  raw.migrate = false;
  Document doc = read_document(registry(), golden, raw);
  doc.header.metadata.as_map().insert("migrations", "none");
  expect_code<SchemaError>([&] { upgrade_document(registry(), doc); }, ErrorCode::kSchemaMismatch,
                           "header metadata 'migrations' is a string");
}

TEST(ClearErrors, ACsvByteOrderMarkIsNotPartOfTheFirstName) {
  const Dataset d = parse_csv(
      "\xEF\xBB\xBF"
      "a,target\n1,2\n",
      "bom.csv", "target", true);
  EXPECT_EQ(d.feature_names, std::vector<std::string>{"a"});
}

}  // namespace
}  // namespace mlpersist::test
