#include "test_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mlpersist/context.hpp>
#include <mlpersist/endian.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <sstream>

namespace mlpersist::test {
namespace fs = std::filesystem;

fs::path data_dir() {
  if (const char* env = std::getenv("MLPERSIST_TEST_DATA")) return env;
  return MLPERSIST_TEST_DATA_DIR;
}

Dataset load_dataset(const std::string& name) {
  return read_csv(data_dir() / (name + ".csv"));
}

rapidjson::Document load_reference(const std::string& name) {
  const fs::path file = data_dir() / "references" / (name + ".json");
  std::ifstream in(file);
  if (!in) throw std::runtime_error("missing reference file " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseFullPrecisionFlag>(text.str().c_str());
  if (doc.HasParseError()) throw std::runtime_error("bad reference JSON " + file.string());
  return doc;
}

Matrix json_matrix(const rapidjson::Value& v) {
  if (v.IsNumber()) return Matrix::Constant(1, 1, v.GetDouble());
  if (!v.IsArray()) throw std::runtime_error("reference value is neither a number nor an array");
  const auto rows = static_cast<Eigen::Index>(v.Size());
  if (rows == 0) return Matrix(0, 0);
  const bool two_d = v[0].IsArray();
  const auto cols = two_d ? static_cast<Eigen::Index>(v[0].Size()) : 1;
  Matrix m(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c)
      m(r, c) = two_d ? v[static_cast<rapidjson::SizeType>(r)][static_cast<rapidjson::SizeType>(c)]
                            .GetDouble()
                      : v[static_cast<rapidjson::SizeType>(r)].GetDouble();
  return m;
}

Vector json_vector(const rapidjson::Value& v) {
  Vector out(v.Size());
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) out(i) = v[i].GetDouble();
  return out;
}

const Registry& registry() {
  static const Registry r = [] {
    Registry reg;
    reg.load_plugins({MLPERSIST_TEST_PLUGIN_DIR});
    for (const auto& f : reg.failures())
      ADD_FAILURE() << "plugin failed to load: " << f.path << ": " << f.reason;
    return reg;
  }();
  return r;
}

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
  for (const auto& b : registry().backends()) names.push_back(b.name);
  return names;
}

fs::path temp_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path dir = fs::path(MLPERSIST_TEST_BINARY_DIR) / "tmp" /
                 (std::string(info->test_suite_name()) + "." + info->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

template <class M>
::testing::AssertionResult bits_equal(const M& a, const M& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    return ::testing::AssertionFailure() << "shapes differ: " << a.rows() << "x" << a.cols()
                                         << " vs " << b.rows() << "x" << b.cols();
  for (Eigen::Index r = 0; r < a.rows(); ++r)
    for (Eigen::Index c = 0; c < a.cols(); ++c)
      if (std::memcmp(&a(r, c), &b(r, c), sizeof(double)) != 0)
        return ::testing::AssertionFailure()
               << "differ at (" << r << ", " << c << "): " << a(r, c) << " vs " << b(r, c);
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult bit_identical(const Matrix& a, const Matrix& b) {
  return bits_equal(a, b);
}
::testing::AssertionResult bit_identical(const Vector& a, const Vector& b) {
  return bits_equal(a, b);
}

namespace {

void expect_same_outputs(const Estimator& a, const Estimator& b, const Matrix& X,
                         const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_EQ(a.type_tag(), b.type_tag());
  EXPECT_EQ(a.get_params(), b.get_params());
  EXPECT_EQ(a.n_features_in(), b.n_features_in());
  EXPECT_EQ(a.feature_names_in(), b.feature_names_in());
  if (a.supports(Method::kPredict)) {
    EXPECT_TRUE(bit_identical(a.predict(X), b.predict(X)));
  }
  if (a.supports(Method::kDecisionFunction)) {
    EXPECT_TRUE(bit_identical(a.decision_function(X), b.decision_function(X)));
  }
  if (a.supports(Method::kPredictProba)) {
    EXPECT_TRUE(bit_identical(a.predict_proba(X), b.predict_proba(X)));
  }
  if (a.supports(Method::kTransform)) {
    const Matrix t = a.transform(X);
    EXPECT_TRUE(bit_identical(t, b.transform(X)));
    if (a.supports(Method::kInverseTransform)) {
      EXPECT_TRUE(bit_identical(a.inverse_transform(t), b.inverse_transform(t)));
    }
  }
}

}  // namespace

std::string craft_artifact(Header header, std::string_view payload) {
  std::string out = write_header(header, payload.size());
  out += payload;
  out += write_trailer(std::as_bytes(std::span(payload.data(), payload.size())));
  return out;
}

std::string encode_payload(std::string_view backend, const Value& value) {
  std::string out;
  StringSink sink(out);
  registry().backend(backend)->encode(value, sink);
  return out;
}

Value decode_payload(std::string_view backend, std::string_view payload, const Limits& limits) {
  DecodeInput input;
  input.payload = std::as_bytes(std::span(payload.data(), payload.size()));
  input.source = "model.mlp";
  input.payload_offset = 64;
  input.limits = limits;
  return registry().backend(backend)->decode(input);
}

void expect_round_trips_bit_identical(const Estimator& estimator, const Matrix& X) {
  const Registry& reg = registry();
  SaveContext original_ctx;
  const Value original = original_ctx.save_nested(estimator);
  const auto check = [&](const Estimator& loaded, const std::string& what) {
    expect_same_outputs(estimator, loaded, X, what);
    SaveContext ctx;
    EXPECT_TRUE(ctx.save_nested(loaded) == original)
        << what << ": the restored parameters or state differ from the saved ones";
  };
  for (const std::string& format : backend_names()) {
    const SaveOptions save{.format = format};
    check(*loads(reg, dumps(reg, estimator, save)), format + " bytes");
    std::stringstream stream;
    dump(reg, estimator, stream, save);
    check(*load(reg, stream), format + " stream");
    const fs::path file = temp_dir() / ("model." + format);
    dump(reg, estimator, file, save);
    check(*load(reg, file, {.mmap = true}), format + " mapped file");
    check(*load(reg, file, {.mmap = false}), format + " read file");
  }
}

void expect_rejected_edit(const Estimator& fitted, const std::string& key, Value replacement,
                          std::string blamed) {
  if (blamed.empty()) blamed = key;
  (void)expect_rejected_edit_in(fitted, "state", key, std::move(replacement), "state." + blamed);
}

std::string expect_rejected_edit_in(const Estimator& fitted, const std::string& section,
                                    const std::string& key, Value replacement,
                                    const std::string& blamed) {
  const auto file = temp_dir() / "edited.bin";
  dump(registry(), fitted, file);
  Document doc = read_document(registry(), file);
  Value* slot = doc.root.as_map().find(section)->as_map().find(key);
  if (slot == nullptr) {
    ADD_FAILURE() << "no " << section << "." << key;
    return "";
  }
  *slot = std::move(replacement);
  try {
    (void)instantiate(registry(), doc);
    ADD_FAILURE() << "accepted an inconsistent " << section << "." << key;
  } catch (const SchemaError& e) {
    EXPECT_NE(std::string(e.what()).find("'" + blamed + "'"), std::string::npos) << e.what();
    return e.what();
  }
  return "";
}

namespace {
std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

int run_command(const std::string& command, std::string* output, std::string* error) {
  const fs::path dir = fs::path(MLPERSIST_TEST_BINARY_DIR) / "tmp" / "cli";
  fs::create_directories(dir);
  const fs::path out = dir / ("cli_out_" + std::to_string(::getpid()));
  const fs::path err = dir / ("cli_err_" + std::to_string(::getpid()));
  const std::string cmd = command + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  if (output) *output = slurp(out);
  if (error) *error = slurp(err);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int run_cli(const std::string& args, std::string* output, std::string* error) {
  // A cross build runs the command under the emulator, as CTest runs the test executables.
  const std::string launcher = MLPERSIST_TEST_CLI_LAUNCHER;
  const std::string environment = "MLPERSIST_PLUGIN_PATH='" MLPERSIST_TEST_PLUGIN_DIR "'";
  return run_command(environment + " " + launcher + " '" MLPERSIST_TEST_CLI "' " + args, output,
                     error);
}

}  // namespace mlpersist::test
