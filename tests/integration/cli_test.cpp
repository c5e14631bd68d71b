// The `mlpersist` command, run as a separate process the way operators and scripts use it.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mlpersist/json_text.hpp>
#include <mlpersist/version.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "shell_quote.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using mlpersist::Kind;
using mlpersist::Value;
using mlpersist::test::run_cli;

using mlpersist::test::shell_quoted;

std::string iris_csv() {
  return shell_quoted(mlpersist::test::data_dir() / "iris.csv");
}

Value parse_json(const std::string& text) {
  return mlpersist::parse_json_text(text, "<cli output>", mlpersist::Limits{});
}

// A map's member; a missing key fails the test (GoogleTest reports the exception) instead of
// crashing it.
const Value& at(const Value& map, std::string_view key) {
  const Value* v = map.as_map().find(key);
  if (v == nullptr) throw std::runtime_error("no key '" + std::string(key) + "' in CLI output");
  return *v;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
}

// Whether Python's strict parser, and jq where installed, accept the text.
::testing::AssertionResult json_tools_accept(const fs::path& dir, const std::string& text) {
  const fs::path file = dir / "tool_check.json";
  write_text(file, text);
  for (const std::string tool : {"python3 -m json.tool", "jq ."}) {
    const std::string program = tool.substr(0, tool.find(' '));
    if (std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) != 0) continue;
    if (std::system((tool + " " + shell_quoted(file) + " >/dev/null 2>&1").c_str()) != 0)
      return ::testing::AssertionFailure() << tool << " rejects:\n" << text;
  }
  return ::testing::AssertionSuccess();
}

// Line-by-line equality that reports only the first difference (documents are long).
::testing::AssertionResult same_lines(const std::string& actual, const std::string& expected) {
  const auto a = lines_of(actual);
  const auto e = lines_of(expected);
  for (std::size_t i = 0; i < std::max(a.size(), e.size()); ++i) {
    const std::string got = i < a.size() ? a[i] : "<end>";
    const std::string want = i < e.size() ? e[i] : "<end>";
    if (got != want)
      return ::testing::AssertionFailure()
             << "line " << i + 1 << ": got '" << got << "', expected '" << want << "'";
  }
  return ::testing::AssertionSuccess();
}

// One clear line on stderr, as every failure must give.
::testing::AssertionResult one_error_line(const std::string& err) {
  const auto lines = lines_of(err);
  if (lines.size() != 1 || lines[0].rfind("mlpersist: error: ", 0) != 0)
    return ::testing::AssertionFailure() << "expected one 'mlpersist: error:' line, got:\n" << err;
  return ::testing::AssertionSuccess();
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = mlpersist::test::temp_dir(); }

  // Fits an SVC on iris in its own process and returns the artifact's path.
  fs::path fit_iris(const std::string& extra = "") {
    const fs::path model = dir_ / "model.bin";
    std::string err;
    const int rc =
        run_cli("fit svm.SVC --data " + iris_csv() + " " + extra + " -o " + shell_quoted(model),
                nullptr, &err);
    EXPECT_EQ(rc, 0) << err;
    return model;
  }

  std::string predict(const fs::path& model, const std::string& data) {
    std::string out;
    std::string err;
    EXPECT_EQ(run_cli("predict " + shell_quoted(model) + " --data " + data, &out, &err), 0) << err;
    return out;
  }

  fs::path dir_;
};

TEST_F(Cli, PluginsJsonListsBackendsAndTypes) {
  std::string out;
  std::string err;
  ASSERT_EQ(run_cli("plugins --json", &out, &err), 0) << err;
  const Value doc = parse_json(out);
  std::vector<std::string> backends;
  for (const Value& b : at(doc, "backends").as_array())
    backends.push_back(at(b, "name").as_string());
  for (const char* name : {"binary", "json", "msgpack"})
    EXPECT_NE(std::find(backends.begin(), backends.end(), name), backends.end()) << name;
  std::vector<std::string> types;
  for (const Value& t : at(doc, "types").as_array()) types.push_back(at(t, "type").as_string());
  EXPECT_NE(std::find(types.begin(), types.end(), "svm.SVC"), types.end());
  EXPECT_TRUE(at(doc, "failures").as_array().empty()) << out;
}

TEST_F(Cli, PluginDirReplacesTheDefaultDirectories) {
  std::string out;
  std::string err;
  ASSERT_EQ(run_cli("--plugin-dir " + shell_quoted(dir_) + " plugins --json", &out, &err), 0)
      << err;
  const Value doc = parse_json(out);
  EXPECT_TRUE(at(doc, "plugins").as_array().empty()) << out;
  EXPECT_NE(run_cli("--plugin-dir " + shell_quoted(dir_) + " fit svm.SVC --data " + iris_csv() +
                        " -o " + shell_quoted(dir_ / "m.bin"),
                    nullptr, &err),
            0);
  EXPECT_TRUE(one_error_line(err));
  EXPECT_NE(err.find("svm.SVC"), std::string::npos) << err;
}

TEST_F(Cli, FittedModelPredictsIrisInAnotherProcess) {
  const fs::path model = fit_iris();
  const auto lines = lines_of(predict(model, iris_csv()));
  ASSERT_EQ(lines.size(), 151u);
  EXPECT_EQ(lines[0], "prediction");
  const mlpersist::Dataset iris = mlpersist::test::load_dataset("iris");
  int equal = 0;
  for (std::size_t r = 0; r < 150; ++r)
    equal += std::stod(lines[r + 1]) == iris.y(static_cast<Eigen::Index>(r));
  EXPECT_GE(equal, 143) << "accuracy below 95%";
  EXPECT_EQ(std::stod(lines[1]), 0.0);
}

TEST_F(Cli, PredictWritesTheChosenMethodToAFile) {
  const fs::path model = fit_iris();
  const fs::path out = dir_ / "scores.csv";
  std::string err;
  ASSERT_EQ(run_cli("predict " + shell_quoted(model) + " --data " + iris_csv() +
                        " --method decision_function -o " + shell_quoted(out),
                    nullptr, &err),
            0)
      << err;
  std::ifstream in(out);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header, "0,1,2");
}

TEST_F(Cli, InspectShowsTypeAndBackend) {
  const fs::path model = fit_iris();
  std::string out;
  std::string err;
  ASSERT_EQ(run_cli("inspect " + shell_quoted(model), &out, &err), 0) << err;
  EXPECT_NE(out.find("svm.SVC"), std::string::npos) << out;
  EXPECT_NE(out.find("binary"), std::string::npos) << out;
  ASSERT_EQ(run_cli("inspect --json " + shell_quoted(model), &out, &err), 0) << err;
  EXPECT_TRUE(json_tools_accept(dir_, out));
  const Value header = parse_json(out);
  EXPECT_EQ(at(header, "type").as_string(), "svm.SVC");
  EXPECT_EQ(at(header, "backend").as_string(), "binary");
}

TEST_F(Cli, ShowPrintsStrictJson) {
  const fs::path model = fit_iris();
  for (const char* flags : {"", "--full"}) {
    std::string out;
    std::string err;
    ASSERT_EQ(run_cli(std::string("show ") + flags + " " + shell_quoted(model), &out, &err), 0)
        << err;
    EXPECT_TRUE(json_tools_accept(dir_, out)) << flags;
    EXPECT_EQ(at(parse_json(out), "type").as_string(), "svm.SVC");
    EXPECT_NE(out.find(std::string("\"$tensor\"")), std::string::npos) << out;
    EXPECT_NE(out.find(*flags ? "\"data\"" : "\"preview\""), std::string::npos) << out;
  }
}

TEST_F(Cli, ConvertedModelsPredictIdenticalBytes) {
  const fs::path model = fit_iris();
  const std::string expected = predict(model, iris_csv());
  for (const char* format : {"json", "msgpack"}) {
    const fs::path converted = dir_ / (std::string("model.") + format);
    std::string out;
    std::string err;
    ASSERT_EQ(run_cli("convert " + shell_quoted(model) + " --format " + format + " -o " +
                          shell_quoted(converted),
                      nullptr, &err),
              0)
        << err;
    ASSERT_EQ(run_cli("inspect --json " + shell_quoted(converted), &out, &err), 0) << err;
    EXPECT_EQ(at(parse_json(out), "backend").as_string(), format);
    EXPECT_EQ(predict(converted, iris_csv()), expected) << format;
  }
}

// The document model is the same whatever the format, so its display must be too (1.0 stays a
// double: a backend that turns it into the integer 1 changes the document).
TEST_F(Cli, ShowIsTheSameWhateverTheBackend) {
  const fs::path model = fit_iris();
  std::string expected;
  std::string err;
  ASSERT_EQ(run_cli("show --full " + shell_quoted(model), &expected, &err), 0) << err;
  for (const char* format : {"json", "msgpack"}) {
    const fs::path converted = dir_ / (std::string("model.") + format);
    ASSERT_EQ(run_cli("convert " + shell_quoted(model) + " --format " + format + " -o " +
                          shell_quoted(converted),
                      nullptr, &err),
              0)
        << err;
    std::string out;
    ASSERT_EQ(run_cli("show --full " + shell_quoted(converted), &out, &err), 0) << err;
    EXPECT_TRUE(same_lines(out, expected)) << format;
  }
}

TEST_F(Cli, FitParamsAreReflectedInShow) {
  const fs::path model = fit_iris("--param C=10 --param kernel=linear");
  std::string out;
  std::string err;
  ASSERT_EQ(run_cli("show " + shell_quoted(model), &out, &err), 0) << err;
  const Value doc = parse_json(out);
  const Value& params = at(doc, "params");
  const Value& c = at(params, "C");
  EXPECT_EQ(c.kind() == Kind::kInt ? static_cast<double>(c.as_int()) : c.as_double(), 10.0);
  EXPECT_EQ(at(params, "kernel").as_string(), "linear");
}

TEST_F(Cli, PredictRejectsWrongColumns) {
  const fs::path model = fit_iris();
  const fs::path three = dir_ / "three.csv";
  write_text(three, "sepal_length,sepal_width,petal_length\n5.1,3.5,1.4\n");
  const fs::path renamed = dir_ / "renamed.csv";
  write_text(renamed, "a,b,c,d\n5.1,3.5,1.4,0.2\n");
  for (const fs::path& data : {three, renamed}) {
    std::string err;
    EXPECT_NE(
        run_cli("predict " + shell_quoted(model) + " --data " + shell_quoted(data), nullptr, &err),
        0);
    EXPECT_TRUE(one_error_line(err));
    EXPECT_NE(err.find("petal_width"), std::string::npos) << "names the expected columns: " << err;
  }
}

TEST_F(Cli, InspectRejectsAFileThatIsNoArtifact) {
  std::string out;
  std::string err;
  EXPECT_EQ(run_cli("inspect " + iris_csv(), &out, &err), 1);
  EXPECT_TRUE(one_error_line(err));
  EXPECT_TRUE(out.empty()) << out;
}

TEST_F(Cli, UnknownSubcommandOrTypeFails) {
  std::string err;
  EXPECT_EQ(run_cli("frobnicate", nullptr, &err), 2);
  EXPECT_TRUE(one_error_line(err));
  EXPECT_EQ(run_cli("fit no.Such --data " + iris_csv() + " -o " + shell_quoted(dir_ / "m.bin"),
                    nullptr, &err),
            1);
  EXPECT_TRUE(one_error_line(err));
  EXPECT_NE(err.find("no.Such"), std::string::npos) << err;
}

TEST_F(Cli, MalformedParamsFailWithoutWritingAModel) {
  const fs::path model = dir_ / "m.bin";
  for (const char* param : {"C", "C=1 --param C=2", "C=not-a-number"}) {
    std::string err;
    EXPECT_EQ(run_cli("fit svm.SVC --data " + iris_csv() + " --param " + param + " -o " +
                          shell_quoted(model),
                      nullptr, &err),
              1)
        << param;
    EXPECT_TRUE(one_error_line(err)) << param;
    EXPECT_FALSE(fs::exists(model)) << param;
  }
}

TEST_F(Cli, MissingRequiredOptionIsAUsageError) {
  std::string err;
  EXPECT_EQ(run_cli("fit svm.SVC -o " + shell_quoted(dir_ / "m.bin"), nullptr, &err), 2);
  EXPECT_TRUE(one_error_line(err));
  EXPECT_NE(err.find("--data"), std::string::npos) << err;
}

TEST_F(Cli, VersionAndHelp) {
  std::string out;
  EXPECT_EQ(run_cli("--version", &out), 0);
  EXPECT_EQ(out, MLPERSIST_VERSION_STRING "\n");
  for (const char* command : {"plugins", "inspect", "show", "convert", "fit", "predict"}) {
    EXPECT_EQ(run_cli(std::string(command) + " --help", &out), 0) << command;
    EXPECT_NE(out.find(command), std::string::npos) << out;
  }
}

}  // namespace
