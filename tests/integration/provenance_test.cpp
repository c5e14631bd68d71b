// Provenance metadata in the header, verification records, `verify` and `migrate`.

#include <gtest/gtest.h>

#include <fstream>
#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/provenance.hpp>
#include <mlpersist/verify.hpp>

#include "test_support.hpp"

namespace mlpersist::test {
namespace {

namespace fs = std::filesystem;

void write_text(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

// What git itself says HEAD is in `dir` ("" outside a work tree): the reference the recorded
// commit is checked against, independent of the file reading that provenance does.
std::string git_rev_parse_head(const fs::path& dir) {
  std::string out;
  if (run_command("git -C '" + dir.string() + "' rev-parse HEAD", &out) != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// A copy of iris in `dir`, so that tests may alter it.
fs::path iris_copy(const fs::path& dir) {
  const fs::path file = dir / "iris.csv";
  fs::copy_file(data_dir() / "iris.csv", file, fs::copy_options::overwrite_existing);
  return file;
}

struct Saved {
  fs::path file;
  std::shared_ptr<Estimator> model;
};

// What `mlpersist fit --cv 3` records, through the API.
Saved save_with_provenance(const std::string& tag, const fs::path& data, const Value& params,
                           const std::string& format = "binary") {
  // Beside the data: temp_dir() would empty the directory again.
  auto model = registry().create(tag);
  model->set_params(params);
  const Dataset d = read_csv(data);
  SaveOptions o{.format = format};
  o.provenance.training_data = TrainingData::of_file(data, d.X.rows(), d.X.cols(), "target");
  o.provenance.source = SourceInfo::of_current_program();
  o.provenance.cross_validation = cross_validate(*model, d.X, d.y, 3);
  o.provenance.user = {{"owner", "ml-team"}};
  model->fit(d.X, d.y);
  o.provenance.verification_inputs = d.X.topRows(4);
  const fs::path file = data.parent_path() / (tag + "." + format);
  dump(registry(), *model, file, o);
  return {file, model};
}

TEST(Provenance, Sha256MatchesTheStandardVectors) {
  const std::string abc = "abc";
  EXPECT_EQ(sha256_hex(std::as_bytes(std::span(abc.data(), abc.size()))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const fs::path empty = temp_dir() / "empty";  // the test's only temp_dir() call
  write_text(empty, "");
  EXPECT_EQ(sha256_file(empty), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Provenance, GitCommitIsReadFromLooseAndPackedRefsAndWorktreeFiles) {
  const fs::path dir = temp_dir();
  const fs::path repo = dir / "repo";
  const std::string a(40, 'a');
  const std::string b(40, 'b');
  write_text(repo / ".git" / "HEAD", "ref: refs/heads/main\n");
  write_text(repo / ".git" / "refs" / "heads" / "main", a + "\n");
  fs::create_directories(repo / "src" / "deep");
  EXPECT_EQ(git_head_commit(repo / "src" / "deep"), a);
  fs::remove(repo / ".git" / "refs" / "heads" / "main");
  write_text(repo / ".git" / "packed-refs", "# pack-refs\n" + b + " refs/heads/main\n");
  EXPECT_EQ(git_head_commit(repo), b);
  write_text(repo / ".git" / "HEAD", a + "\n");  // detached
  EXPECT_EQ(git_head_commit(repo), a);
  write_text(dir / "linked" / ".git", "gitdir: " + (repo / ".git").string() + "\n");
  EXPECT_EQ(git_head_commit(dir / "linked"), a);
  EXPECT_EQ(git_head_commit("/"), "");
}

TEST(Provenance, EveryEntryIsInTheHeaderAndReadableWithoutPlugins) {
  const fs::path data = iris_copy(temp_dir());
  const Saved s = save_with_provenance("svm.SVC", data, Map{}.insert("C", 10.0), "json");
  const Header h = inspect(s.file);
  const Node m(h.metadata, "metadata");
  EXPECT_EQ(m["training_data"]["sha256"].as_string(), sha256_file(data));
  EXPECT_EQ(m["training_data"]["rows"].as_int(), 150);
  EXPECT_EQ(m["training_data"]["columns"].as_int(), 4);
  EXPECT_EQ(m["source"]["sha256"].as_string(), sha256_file(m["source"]["program"].as_string()));
  // The test binary runs inside this repository's work tree in CI and here alike; git itself
  // is the reference.
  const std::string head = git_rev_parse_head(fs::current_path());
  ASSERT_EQ(head.size(), 40U) << "git rev-parse HEAD in " << fs::current_path();
  EXPECT_EQ(m["source"]["git_commit"].as_string(), head);
  EXPECT_EQ(m["cross_validation"]["k"].as_int(), 3);
  EXPECT_EQ(m["cross_validation"]["scores"].size(), 3u);
  EXPECT_EQ(m["user"]["owner"].as_string(), "ml-team");
  EXPECT_EQ(m["versions"]["plugins"]["svm"].as_string(), "1.0.0");
  EXPECT_EQ(m["versions"]["plugins"]["json"].as_string(), "1.0.0");
  for (const char* key : {"mlpersist", "eigen", "msgpack_c", "rapidjson", "boost", "compiler",
                          "cxx_standard", "os", "cpu", "endianness"})
    EXPECT_TRUE(m["versions"].find(key).has_value()) << key;
  const std::string created = m["created_at"].as_string();
  EXPECT_EQ(created.size(), 20u);
  EXPECT_EQ(created.back(), 'Z');
  EXPECT_EQ(m["verification"]["inputs"].size(), 4u);
}

TEST(Provenance, ReservedMetadataKeysAreRefused) {
  const Saved s = save_with_provenance("naive_bayes.GaussianNB", iris_copy(temp_dir()), Map{});
  SaveOptions o;
  o.metadata.as_map().insert("training_data", "mine");
  EXPECT_THROW((void)dumps(registry(), *s.model, o), UsageError);
}

TEST(Verification, RecordsReplayExactlyAndCatchAPerturbedModel) {
  const Saved s = save_with_provenance("svm.SVC", iris_copy(temp_dir()), Map{});
  LoadOptions replay;
  replay.replay_verification = true;
  EXPECT_NO_THROW((void)load(registry(), s.file, replay));

  // A model that is a hair off: one intercept moved by 1e-12.
  Document doc = read_document(registry(), s.file);
  Value& intercept = *doc.root.as_map().find("state")->as_map().find("intercept_");
  std::vector<double> moved(intercept.as_tensor().values<double>().begin(),
                            intercept.as_tensor().values<double>().end());
  moved[0] += 1e-12;
  Tensor t = Tensor::from_values(std::span<const double>(moved));
  intercept = std::move(t);
  const fs::path perturbed = s.file.parent_path() / "perturbed.mlp";
  write_document(registry(), doc, "binary", perturbed);
  try {
    (void)load(registry(), perturbed, replay);
    ADD_FAILURE() << "a perturbed model passed its verification records";
  } catch (const CompatibilityError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kVerificationFailed);
    EXPECT_NE(std::string(e.what()).find("decision_function"), std::string::npos) << e.what();
  }
  const VerifyReport r = verify_artifact(registry(), perturbed);
  ASSERT_TRUE(r.records.has_value());
  EXPECT_TRUE(r.records->same_build);
  EXPECT_FALSE(r.records->passed());
  EXPECT_FALSE(r.passed());
}

TEST(Verify, PassesOnAFreshModelAndFailsWhenTheDataChanged) {
  const fs::path data = iris_copy(temp_dir());
  const Saved s =
      save_with_provenance("tree.DecisionTreeClassifier", data, Map{}.insert("random_state", 0));
  VerifyOptions given;
  given.data = data;
  const VerifyReport ok = verify_artifact(registry(), s.file, given);
  EXPECT_TRUE(ok.passed()) << to_json_text(ok.to_value());
  EXPECT_TRUE(ok.cv_deterministic);

  std::string text;
  {
    std::ifstream in(data);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  text.replace(text.find("5.1,3.5"), 7, "5.1,3.6");
  write_text(data, text);
  const VerifyReport changed = verify_artifact(registry(), s.file, given);
  EXPECT_FALSE(changed.data_matches());
  EXPECT_NE(changed.data_actual_sha256, changed.data_recorded_sha256);
  EXPECT_FALSE(changed.passed());
}

TEST(Verify, NonDeterministicEstimatorsGetTwoFoldStdOfSlack) {
  const fs::path data = iris_copy(temp_dir());
  const Saved s = save_with_provenance("ensemble.RandomForestClassifier", data,
                                       Map{}.insert("n_estimators", 5));
  VerifyOptions given;
  given.data = data;
  const VerifyReport r = verify_artifact(registry(), s.file, given);
  EXPECT_FALSE(r.cv_deterministic);
  const double recorded_std = Node(*r.cv_recorded, "cv")["std"].as_double();
  EXPECT_EQ(r.cv_tolerance, 2 * recorded_std);
  EXPECT_TRUE(r.integrity);
}

TEST(VerifyCli, ExitCodesFollowTheVerdict) {
  const fs::path data = iris_copy(temp_dir());
  const fs::path model = data.parent_path() / "svc.mlp";
  ASSERT_EQ(run_cli("fit svm.SVC --data " + data.string() + " --cv 3 --meta owner=me -o " +
                    model.string()),
            0);
  std::string out;
  const std::string with_data = " --data " + data.string();
  EXPECT_EQ(run_cli("verify " + model.string() + with_data, &out), 0) << out;
  EXPECT_NE(out.find("deterministic, so every fold score must be identical"), std::string::npos)
      << out;
  std::string json;
  EXPECT_EQ(run_cli("verify --json " + model.string() + with_data, &json), 0);
  EXPECT_NE(json.find("\"passed\": true"), std::string::npos) << json;

  std::ofstream(data, std::ios::app) << "5.0,3.0,1.5,0.2,0\n";
  std::string error;
  EXPECT_EQ(run_cli("verify " + model.string() + with_data, &out, &error), 1);
  EXPECT_NE(out.find("changed since training"), std::string::npos) << out;
  EXPECT_NE(error.find("verification failed"), std::string::npos) << error;
  // Without --data, the recorded path is shown but not read: nothing is checked, nothing passes.
  EXPECT_EQ(run_cli("verify " + model.string(), &out, &error), 1);
  EXPECT_NE(out.find("recorded data uri:   \"" + data.string() + "\""), std::string::npos) << out;
  // The original data, given explicitly, passes again.
  EXPECT_EQ(run_cli("verify " + model.string() + " --data " + (data_dir() / "iris.csv").string()),
            0);
}

TEST(MigrateCli, RewritesGoldenFilesAtTodaysVersionsAndDowngradesOnRequest) {
  const fs::path golden = data_dir().parent_path() / "fixtures" / "schema-v1" / "svc_iris.json.mlp";
  const fs::path dir = temp_dir();
  const fs::path out = dir / "svc_v2.mlp";
  std::string text;
  ASSERT_EQ(run_cli("migrate " + golden.string() + " -o " + out.string(), &text), 0) << text;
  EXPECT_NE(text.find("\"from\":1,\"to\":2"), std::string::npos) << text;
  const Header h = inspect(out);
  EXPECT_EQ(h.schema_version, registry().find_type("svm.SVC")->schema_version);
  EXPECT_EQ(h.backend, "json");
  EXPECT_EQ(Node(h.metadata, "metadata")["migrations"].size(), 1u);

  const fs::path back = dir / "svc_v1.mlp";
  ASSERT_EQ(run_cli("migrate " + out.string() + " --to-version 1 -o " + back.string(), &text), 0)
      << text;
  LoadOptions raw;
  raw.migrate = false;
  EXPECT_EQ(read_document(registry(), back, raw).root, read_document(registry(), golden, raw).root);
  const Dataset iris = load_dataset("iris");
  EXPECT_TRUE(bit_identical(load(registry(), back)->predict(iris.X),
                            load(registry(), golden)->predict(iris.X)));
}

}  // namespace
}  // namespace mlpersist::test
