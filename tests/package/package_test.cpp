// The installed package as a third party uses it. This build is installed into a temporary
// prefix (`cmake --install`), examples/custom_plugin is configured with find_package(mlpersist)
// against that prefix alone, built and installed into it, and then the *installed* mlpersist
// command runs with no plugin or library path in the environment: it must find libmlpersist
// through its RPATH, every plugin (the new one included) next to the library, and fit, predict,
// inspect and list the new estimator type.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <mlpersist/dataset.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "shell_quote.hpp"
#include "test_support.hpp"

namespace {

using namespace mlpersist;
namespace fs = std::filesystem;

const fs::path kWork = MLPERSIST_TEST_WORK_DIR;
const fs::path kPrefix = kWork / "prefix";
const fs::path kLibDir = kPrefix / MLPERSIST_TEST_LIBDIR;
const fs::path kPluginDir = kLibDir / "mlpersist" / "plugins";
const fs::path kExampleBuild = kWork / "example-build";
const std::string kType = "neighbors.NearestCentroid";

using mlpersist::test::shell_quoted;

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Without $MLPERSIST_PLUGIN_PATH and $LD_LIBRARY_PATH: whatever is found is found through the
// installed tree's own layout and RPATHs.
int run_clean(const std::string& command, std::string* out = nullptr, std::string* err = nullptr) {
  return test::run_command("env -u MLPERSIST_PLUGIN_PATH -u LD_LIBRARY_PATH " + command, out, err);
}

int run_installed_cli(const std::string& args, std::string* out = nullptr,
                      std::string* err = nullptr) {
  return run_clean(shell_quoted(kPrefix / "bin" / "mlpersist") + " " + args, out, err);
}

// Installs this build, then configures, builds and installs the example against it, once for
// the whole program; every test starts by checking that this worked.
class InstalledPackage : public ::testing::Environment {
 public:
  void SetUp() override {
    fs::remove_all(kWork);
    fs::create_directories(kWork);
    const std::string cmake = shell_quoted(MLPERSIST_TEST_CMAKE);
    ready = step(cmake + " --install " + shell_quoted(MLPERSIST_TEST_BUILD_DIR) + " --prefix " +
                 shell_quoted(kPrefix)) &&
            step(cmake + " -S " +
                 shell_quoted(fs::path(MLPERSIST_TEST_SOURCE_DIR) / "examples" / "custom_plugin") +
                 " -B " + shell_quoted(kExampleBuild) +
                 " -DCMAKE_PREFIX_PATH=" + shell_quoted(kPrefix) +
                 " -DCMAKE_CXX_COMPILER=" + shell_quoted(MLPERSIST_TEST_CXX) +
                 " -DCMAKE_BUILD_TYPE=" MLPERSIST_TEST_BUILD_TYPE
                 " -DCMAKE_COMPILE_WARNING_AS_ERROR=" MLPERSIST_TEST_WERROR
                 " -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF") &&
            step(cmake + " --build " + shell_quoted(kExampleBuild) + " --parallel 2") &&
            step(cmake + " --install " + shell_quoted(kExampleBuild) + " --prefix " +
                 shell_quoted(kPrefix));
  }

  static inline bool ready = false;
  static inline std::string log;

 private:
  static bool step(const std::string& command) {
    std::string out, err;
    const int rc = run_clean(command, &out, &err);
    log += "$ " + command + "\n" + out + err;
    return rc == 0;
  }
};

[[maybe_unused]] const auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new InstalledPackage);

#define ASSERT_INSTALLED() ASSERT_TRUE(InstalledPackage::ready) << InstalledPackage::log

std::vector<std::string> so_files(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".so") names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The path `ldd` resolves `library` to for `binary` (empty when it is not found).
fs::path resolved_by_ldd(const fs::path& binary, const std::string& library) {
  std::string out, err;
  EXPECT_EQ(run_clean("ldd " + shell_quoted(binary), &out, &err), 0) << err;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    const auto arrow = line.find(" => ");
    if (line.find(library) == std::string::npos || arrow == std::string::npos) continue;
    const std::string path = line.substr(arrow + 4, line.find(" (", arrow) - arrow - 4);
    return path == "not found" ? fs::path() : fs::weakly_canonical(path);
  }
  return {};
}

rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseFullPrecisionFlag>(text.c_str());
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

TEST(InstalledTree, HoldsLibraryHeadersCommandPluginsAndPackageFiles) {
  ASSERT_INSTALLED();
  for (const fs::path& file :
       {kPrefix / "include" / "mlpersist" / "plugin.hpp",
        kPrefix / "include" / "mlpersist" / "persist.hpp", kLibDir / "libmlpersist.so",
        kPrefix / "bin" / "mlpersist", kLibDir / "cmake" / "mlpersist" / "mlpersistConfig.cmake",
        kLibDir / "cmake" / "mlpersist" / "mlpersistConfigVersion.cmake",
        kLibDir / "cmake" / "mlpersist" / "mlpersistTargets.cmake",
        kLibDir / "cmake" / "mlpersist" / "MlpersistPlugin.cmake",
        kLibDir / "pkgconfig" / "mlpersist.pc"})
    EXPECT_TRUE(fs::exists(file)) << file;
  // Every plugin of this build, and the example's, which its own install put there.
  std::vector<std::string> expected = so_files(MLPERSIST_TEST_PLUGIN_DIR);
  expected.push_back("nearest_centroid.so");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(so_files(kPluginDir), expected);
}

// The lines of `text` that state a dependency (#include, find_dependency, Requires, the
// targets' INTERFACE_ properties), lower-cased.
std::string dependency_lines(const std::string& text) {
  std::string out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("#include") == std::string::npos &&
        line.find("find_dependency") == std::string::npos && line.rfind("Requires", 0) != 0 &&
        line.find("INTERFACE_") == std::string::npos)
      continue;
    std::transform(line.begin(), line.end(), line.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out += line + '\n';
  }
  return out;
}

TEST(InstalledTree, PackageRequiresOnlyWhatPublicHeadersUse) {
  ASSERT_INSTALLED();
  const fs::path cmake_dir = kLibDir / "cmake" / "mlpersist";
  std::string used = dependency_lines(slurp(cmake_dir / "mlpersistTargets.cmake")) +
                     dependency_lines(slurp(cmake_dir / "mlpersistConfig.cmake"));
  EXPECT_NE(used.find("boost::headers"), std::string::npos) << used;
  EXPECT_NE(used.find("eigen3::eigen"), std::string::npos) << used;
  EXPECT_NE(used.find("find_dependency(boost"), std::string::npos) << used;
  EXPECT_NE(used.find("find_dependency(eigen3"), std::string::npos) << used;
  // Private dependencies appear in no installed header, exported target or requirement.
  used += dependency_lines(slurp(kLibDir / "pkgconfig" / "mlpersist.pc"));
  for (const auto& entry : fs::recursive_directory_iterator(kPrefix / "include"))
    if (entry.is_regular_file()) used += dependency_lines(slurp(entry.path()));
  for (const char* private_dependency : {"xxhash", "rapidjson", "msgpack", "cli11", "sodium"})
    EXPECT_EQ(used.find(private_dependency), std::string::npos) << private_dependency;
}

TEST(InstalledTree, RpathsFindTheInstalledFramework) {
  ASSERT_INSTALLED();
  const fs::path library = fs::weakly_canonical(kLibDir / "libmlpersist.so");
  EXPECT_EQ(resolved_by_ldd(kPrefix / "bin" / "mlpersist", "libmlpersist.so"), library);
  EXPECT_EQ(resolved_by_ldd(kPluginDir / "nearest_centroid.so", "libmlpersist.so"), library);
  EXPECT_EQ(resolved_by_ldd(kPluginDir / "svm.so", "libmlpersist.so"), library);
}

TEST(InstalledTree, PkgConfigBuildsAProgramThatFindsThePlugins) {
  ASSERT_INSTALLED();
  const fs::path source = kWork / "consumer.cpp";
  std::ofstream(source) << "#include <iostream>\n#include <mlpersist/persist.hpp>\n"
                           "int main() {\n"
                           "  const auto r = mlpersist::Registry::with_default_plugins();\n"
                           "  for (const auto& t : r.types()) std::cout << t.type_tag << '\\n';\n"
                           "  return r.failures().empty() ? 0 : 1;\n"
                           "}\n";
  const fs::path program = kWork / "consumer";
  std::string out, err;
  ASSERT_EQ(run_clean("PKG_CONFIG_PATH=" + shell_quoted(kLibDir / "pkgconfig") + " sh -c " +
                          shell_quoted(std::string(MLPERSIST_TEST_CXX) + " -std=c++20 " +
                                       source.string() + " -o " + program.string() +
                                       " $(pkg-config --cflags --libs mlpersist) -Wl,-rpath," +
                                       kLibDir.string()),
                      &out, &err),
            0)
      << out << err;
  ASSERT_EQ(run_clean(shell_quoted(program), &out, &err), 0) << out << err;
  EXPECT_NE(out.find("svm.SVC\n"), std::string::npos) << out;
  EXPECT_NE(out.find(kType + "\n"), std::string::npos) << out;
}

TEST(ExamplePlugin, IsBuiltAgainstTheInstalledTreeOnly) {
  ASSERT_INSTALLED();
  const std::string cache = slurp(kExampleBuild / "CMakeCache.txt");
  EXPECT_NE(cache.find("mlpersist_DIR:PATH=" + (kLibDir / "cmake" / "mlpersist").string()),
            std::string::npos);
  const std::string commands = slurp(kExampleBuild / "compile_commands.json");
  EXPECT_NE(commands.find((kPrefix / "include").string()), std::string::npos);
  EXPECT_EQ(commands.find(std::string(MLPERSIST_TEST_SOURCE_DIR) + "/framework"),
            std::string::npos);
  EXPECT_TRUE(fs::exists(kExampleBuild / "lib" / "mlpersist" / "plugins" / "nearest_centroid.so"));
}

TEST(InstalledCli, LoadsEveryInstalledPluginWithoutEnvironment) {
  ASSERT_INSTALLED();
  std::string out, err;
  ASSERT_EQ(run_installed_cli("plugins --json", &out, &err), 0) << err;
  const rapidjson::Document d = parse_json(out);
  ASSERT_TRUE(d.IsObject());
  ASSERT_EQ(d["directories"].Size(), 1u);
  EXPECT_EQ(fs::weakly_canonical(d["directories"][0].GetString()),
            fs::weakly_canonical(kPluginDir));
  EXPECT_EQ(d["failures"].Size(), 0u) << out;
  std::set<std::string> names;
  for (const auto& p : d["plugins"].GetArray()) {
    names.insert(p["name"].GetString());
    EXPECT_EQ(fs::weakly_canonical(p["path"].GetString()).parent_path(),
              fs::weakly_canonical(kPluginDir));
  }
  for (const std::string& file : so_files(kPluginDir))
    EXPECT_TRUE(names.contains(fs::path(file).stem().string())) << file;
  bool found = false;
  for (const auto& t : d["types"].GetArray()) {
    if (t["type"].GetString() != kType) continue;
    found = true;
    EXPECT_EQ(t["schema_version"].GetInt(), 1);
    EXPECT_STREQ(t["plugin"].GetString(), "nearest_centroid");
  }
  EXPECT_TRUE(found) << out;
}

// NearestCentroid from its definition, independently of the plugin: per class the mean of each
// feature (the median with the manhattan metric), then the class of the nearest centroid.
struct Reference {
  Matrix centroids;
  Vector labels;
};

Reference nearest_centroid(const Dataset& d, bool manhattan) {
  std::map<double, std::vector<Eigen::Index>> rows_of;
  for (Eigen::Index i = 0; i < d.y.size(); ++i) rows_of[d.y(i)].push_back(i);
  Reference ref{Matrix(static_cast<Eigen::Index>(rows_of.size()), d.X.cols()), Vector(d.X.rows())};
  std::vector<double> classes;
  for (const auto& [label, rows] : rows_of) {
    const auto k = static_cast<Eigen::Index>(classes.size());
    classes.push_back(label);
    const Matrix members = d.X(rows, Eigen::all);
    for (Eigen::Index j = 0; j < d.X.cols(); ++j) {
      std::vector<double> column(members.col(j).begin(), members.col(j).end());
      std::sort(column.begin(), column.end());
      const std::size_t n = column.size();
      ref.centroids(k, j) = manhattan
                                ? (n % 2 ? column[n / 2] : (column[n / 2 - 1] + column[n / 2]) / 2)
                                : members.col(j).mean();
    }
  }
  for (Eigen::Index i = 0; i < d.X.rows(); ++i) {
    Eigen::Index nearest = 0;
    const Matrix differences = ref.centroids.rowwise() - d.X.row(i);
    if (manhattan)
      differences.cwiseAbs().rowwise().sum().minCoeff(&nearest);
    else
      differences.rowwise().norm().minCoeff(&nearest);
    ref.labels(i) = classes[static_cast<std::size_t>(nearest)];
  }
  return ref;
}

struct Case {
  std::string metric;
  std::string format;
};

void PrintTo(const Case& c, std::ostream* out) {
  *out << c.metric << " " << c.format;
}

class NearestCentroidCli : public ::testing::TestWithParam<Case> {};

TEST_P(NearestCentroidCli, FitsPredictsAndSavesWhatTheDefinitionGives) {
  ASSERT_INSTALLED();
  const Case& c = GetParam();
  const fs::path iris = test::data_dir() / "iris.csv";
  const fs::path model = kWork / ("model_" + c.metric + "." + c.format);
  std::string out, err;
  ASSERT_EQ(run_installed_cli("fit " + kType + " --data " + shell_quoted(iris) +
                                  " --param metric=" + c.metric + " --format " + c.format + " -o " +
                                  shell_quoted(model),
                              &out, &err),
            0)
      << err;
  ASSERT_EQ(run_installed_cli("predict " + shell_quoted(model) + " --data " + shell_quoted(iris),
                              &out, &err),
            0)
      << err;
  const Dataset d = test::load_dataset("iris");
  const Reference ref = nearest_centroid(d, c.metric == "manhattan");
  const Vector predicted = parse_csv(out, "<predict output>", "target", false).X.col(0);
  EXPECT_TRUE(test::bit_identical(predicted, ref.labels));
  // Worked out by hand from the CSV (and what scikit-learn 1.2 gives): 139 of 150 right, with
  // either metric.
  EXPECT_EQ((predicted.array() == d.y.array()).count(), 139);

  // The saved state: scikit-learn's names, the classes and the centroids.
  ASSERT_EQ(run_installed_cli("show --full " + shell_quoted(model), &out, &err), 0) << err;
  const rapidjson::Document doc = parse_json(out);
  EXPECT_STREQ(doc["type"].GetString(), kType.c_str());
  EXPECT_STREQ(doc["params"]["metric"].GetString(), c.metric.c_str());
  const auto& classes = doc["state"]["classes_"]["$tensor"]["data"];
  ASSERT_EQ(classes.Size(), 3u);
  for (rapidjson::SizeType k = 0; k < 3; ++k) EXPECT_EQ(classes[k].GetDouble(), k);
  const auto& centroids = doc["state"]["centroids_"]["$tensor"];
  ASSERT_EQ(centroids["shape"].Size(), 2u);
  EXPECT_EQ(centroids["shape"][0].GetUint64(), 3u);
  EXPECT_EQ(centroids["shape"][1].GetUint64(), 4u);
  ASSERT_EQ(centroids["data"].Size(), 12u);
  for (rapidjson::SizeType i = 0; i < 12; ++i)
    EXPECT_NEAR(centroids["data"][i].GetDouble(), ref.centroids(i / 4, i % 4), 1e-12) << i;
}

INSTANTIATE_TEST_SUITE_P(MetricsAndFormats, NearestCentroidCli,
                         ::testing::Values(Case{"euclidean", "binary"}, Case{"euclidean", "json"},
                                           Case{"euclidean", "msgpack"},
                                           Case{"manhattan", "binary"}),
                         [](const auto& info) {
                           return info.param.metric + "_" + info.param.format;
                         });

TEST(InstalledCli, InspectsTheNewTypeFromTheHeader) {
  ASSERT_INSTALLED();
  const fs::path model = kWork / "inspected.bin";
  std::string out, err;
  ASSERT_EQ(
      run_installed_cli("fit " + kType + " --data " + shell_quoted(test::data_dir() / "iris.csv") +
                            " -o " + shell_quoted(model),
                        &out, &err),
      0)
      << err;
  ASSERT_EQ(run_installed_cli("inspect --json " + shell_quoted(model), &out, &err), 0) << err;
  const rapidjson::Document d = parse_json(out);
  EXPECT_STREQ(d["type"].GetString(), kType.c_str());
  EXPECT_EQ(d["schema_version"].GetInt(), 1);
  EXPECT_STREQ(d["backend"].GetString(), "binary");
  EXPECT_EQ(d["types"][kType.c_str()].GetInt(), 1);
}

TEST(InstalledCli, RefusesAnUnsupportedMetric) {
  ASSERT_INSTALLED();
  std::string out, err;
  EXPECT_NE(
      run_installed_cli("fit " + kType + " --data " + shell_quoted(test::data_dir() / "iris.csv") +
                            " --param metric=cosine -o " + shell_quoted(kWork / "never.bin"),
                        &out, &err),
      0);
  EXPECT_NE(err.find("metric must be 'euclidean' or 'manhattan', got 'cosine'"), std::string::npos)
      << err;
  EXPECT_FALSE(fs::exists(kWork / "never.bin"));
}

}  // namespace
