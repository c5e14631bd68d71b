// Artifacts are portable across byte orders: a fixture set written on another machine (by
// default tests/fixtures/cross-arch/, written on x86-64; $MLPERSIST_CROSS_ARCH_DIR names another,
// as scripts/cross-s390x.sh does with a set written on s390x) loads here with every tensor
// bit-identical, the same class labels and the same real-valued outputs to 1e-12 relative.
#include "cross_arch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mlpersist/dataset.hpp>
#include <mlpersist/persist.hpp>
#include <set>

#include "test_support.hpp"

namespace {

using namespace mlpersist;
using namespace mlpersist::cross_arch;
namespace fs = std::filesystem;

// Real-valued outputs may differ in their last bits between machines (libm, the order in which
// vectorised code sums); stored state may not differ at all.
constexpr double kRelativeTolerance = 1e-12;

fs::path fixture_dir() {
  const char* env = std::getenv("MLPERSIST_CROSS_ARCH_DIR");
  return env != nullptr && *env != '\0' ? fs::path(env) : fs::path(MLPERSIST_CROSS_ARCH_FIXTURES);
}

const Manifest& manifest() {
  static const Manifest m = read_manifest(fixture_dir() / "manifest.json");
  return m;
}

// Distance in units in the last place: how many doubles lie between a and b (+0 and -0 count as
// one value, NaN is infinitely far from everything but NaN).
double ulps_between(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::isnan(a) && std::isnan(b) ? 0 : std::numeric_limits<double>::infinity();
  const auto key = [](double x) {
    const auto i = std::bit_cast<std::int64_t>(x);
    return i < 0 ? -static_cast<long double>(i & INT64_MAX) : static_cast<long double>(i);
  };
  return static_cast<double>(std::fabs(key(a) - key(b)));
}

double relative_difference(double a, double b) {
  if (a == b || (std::isnan(a) && std::isnan(b))) return 0;
  return std::fabs(a - b) / std::max(std::fabs(a), std::fabs(b));
}

Matrix output_of(const Estimator& e, const std::string& method, const Matrix& X) {
  const std::optional<Method> m = method_from_name(method);
  if (!m) ADD_FAILURE() << "unknown method " << method;
  return apply_method(e, m.value_or(Method::kPredict), X);
}

// The largest deviation seen over the whole fixture set, for the report.
struct Deviation {
  double ulps = 0;
  double relative = 0;
  std::string where = "(none)";
  int outputs = 0;
  int bit_identical = 0;
};

void compare_output(const Matrix& expected, const Matrix& actual, const Output& output,
                    const std::string& where, Deviation& worst) {
  ASSERT_EQ(actual.rows(), expected.rows()) << where;
  ASSERT_EQ(actual.cols(), expected.cols()) << where;
  ++worst.outputs;
  if (output.exact) {
    EXPECT_TRUE(test::bit_identical(actual, expected)) << where << ": labels differ";
  }
  bool identical = true;
  for (Eigen::Index r = 0; r < expected.rows(); ++r) {
    for (Eigen::Index c = 0; c < expected.cols(); ++c) {
      const double e = expected(r, c);
      const double a = actual(r, c);
      identical = identical && std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(e);
      const double rel = relative_difference(a, e);
      EXPECT_LE(rel, kRelativeTolerance)
          << where << " row " << r << " column " << c << ": expected " << format_double(e)
          << ", got " << format_double(a);
      const double ulps = ulps_between(a, e);
      if (ulps > worst.ulps) {
        worst.ulps = ulps;
        worst.where = where + " row " + std::to_string(r) + " column " + std::to_string(c);
      }
      worst.relative = std::max(worst.relative, rel);
    }
  }
  worst.bit_identical += identical ? 1 : 0;
}

TEST(CrossArch, ManifestCoversEveryModelAndBackend) {
  const Manifest& m = manifest();
  std::cout << "[cross-arch] " << fixture_dir().string() << ": written on " << m.written_on
            << " by mlpersist " << m.framework_version << "; read on " << host_description()
            << '\n';
  for (const ModelSpec& spec : model_specs()) {
    SCOPED_TRACE(spec.name);
    const auto record = std::find_if(m.models.begin(), m.models.end(),
                                     [&](const ModelRecord& r) { return r.name == spec.name; });
    ASSERT_NE(record, m.models.end()) << "no model " << spec.name << " in the manifest";
    EXPECT_EQ(record->type, spec.type);
    EXPECT_FALSE(record->outputs.empty());
    std::set<std::string> backends;
    for (const Artifact& a : record->artifacts) backends.insert(a.backend);
    for (const auto& [backend, extension] : backends_and_extensions())
      EXPECT_TRUE(backends.contains(backend)) << "no " << backend << " artifact";
  }
}

TEST(CrossArch, DecodedStateIsBitIdentical) {
  int tensors = 0;
  for (const ModelRecord& model : manifest().models) {
    for (const Artifact& artifact : model.artifacts) {
      SCOPED_TRACE(artifact.file);
      const Fingerprint actual = fingerprint(test::registry(), fixture_dir() / artifact.file);
      const std::map<std::string, std::string> found(actual.tensors.begin(), actual.tensors.end());
      EXPECT_EQ(actual.tensors.size(), artifact.state.tensors.size());
      for (const auto& [path, recorded] : artifact.state.tensors) {
        const auto it = found.find(path);
        ASSERT_NE(it, found.end()) << "tensor " << path << " is missing";
        EXPECT_EQ(it->second, recorded) << "tensor " << path << " differs";
        ++tensors;
      }
      EXPECT_EQ(actual.document, artifact.state.document) << "the decoded document differs";
    }
  }
  std::cout << "[cross-arch] state: " << tensors << " tensors compared bit for bit\n";
}

TEST(CrossArch, LoadedModelsReproduceRecordedOutputs) {
  Deviation worst;
  for (const ModelRecord& model : manifest().models) {
    const Matrix X = read_csv(test::data_dir() / (model.data + ".csv")).X;
    for (const Artifact& artifact : model.artifacts) {
      for (bool mmap : {true, false}) {
        const auto estimator =
            load(test::registry(), fixture_dir() / artifact.file, {.mmap = mmap});
        EXPECT_EQ(estimator->type_tag(), model.type);
        for (const Output& output : model.outputs) {
          const std::string where =
              artifact.file + (mmap ? " (mapped) " : " (read) ") + output.method;
          const Matrix expected = read_csv(fixture_dir() / output.file, "target", false).X;
          compare_output(expected, output_of(*estimator, output.method, X), output, where, worst);
        }
      }
    }
  }
  EXPECT_GT(worst.outputs, 0);
  std::cout << "[cross-arch] outputs: " << worst.outputs << " compared, " << worst.bit_identical
            << " bit-identical; largest difference " << worst.ulps << " ulps at " << worst.where
            << "; largest relative difference " << worst.relative << '\n';
}

}  // namespace
