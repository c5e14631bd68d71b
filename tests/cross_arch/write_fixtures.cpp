// Writes a cross-architecture fixture set into DIR: every model of model_specs() fitted on this
// host and saved with every backend, the outputs each must reproduce (CSV with shortest
// round-trip numbers), and manifest.json with the state fingerprint of every artifact.
//
//   cross_arch_fixtures DIR
//
// tests/fixtures/cross-arch/ holds a set written on x86-64; like every fixture written by older
// code it is committed and never regenerated. scripts/cross-s390x.sh writes a set on s390x and
// checks it on x86-64 with cross_arch_test.
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mlpersist/dataset.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/version.hpp>

#include "cross_arch.hpp"

namespace {

using namespace mlpersist;
using namespace mlpersist::cross_arch;
namespace fs = std::filesystem;

// The CLI's column names: "prediction", else the column numbers.
std::vector<std::string> header_for(Method m, Eigen::Index columns) {
  if (m == Method::kPredict) return {"prediction"};
  std::vector<std::string> names;
  for (Eigen::Index i = 0; i < columns; ++i) names.push_back(std::to_string(i));
  return names;
}

ModelRecord write_model(const Registry& registry, const ModelSpec& spec, const fs::path& dir) {
  const auto estimator = fit_model(registry, spec, MLPERSIST_TEST_DATA_DIR);
  const Matrix X = read_csv(fs::path(MLPERSIST_TEST_DATA_DIR) / (spec.data + ".csv")).X;
  ModelRecord record{spec.name, spec.type, spec.data, {}, {}};
  for (Method m :
       {Method::kPredict, Method::kDecisionFunction, Method::kPredictProba, Method::kTransform}) {
    if (!estimator->supports(m)) continue;
    const Matrix values = apply_method(*estimator, m, X);
    const std::string file = spec.name + "." + std::string(method_name(m)) + ".csv";
    std::ofstream out(dir / file, std::ios::binary);
    write_csv(out, header_for(m, values.cols()), values);
    if (!out) throw std::runtime_error("cannot write " + (dir / file).string());
    const bool labels = estimator->kind() == EstimatorKind::kClassifier ||
                        estimator->kind() == EstimatorKind::kClusterer;
    record.outputs.push_back({std::string(method_name(m)), file, m == Method::kPredict && labels});
  }
  for (const auto& [backend, extension] : backends_and_extensions()) {
    const std::string file = spec.name + "." + extension;
    dump(registry, *estimator, dir / file, {.format = backend});
    record.artifacts.push_back({file, backend, fingerprint(registry, dir / file)});
  }
  return record;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: cross_arch_fixtures DIR\n";
    return 2;
  }
  try {
    const fs::path dir = argv[1];
    fs::create_directories(dir);
    Registry registry;
    registry.load_plugins({MLPERSIST_TEST_PLUGIN_DIR});
    for (const auto& f : registry.failures())
      throw std::runtime_error("plugin " + f.path.string() + " failed to load: " + f.reason);
    Manifest manifest{host_description(), MLPERSIST_VERSION_STRING, {}};
    for (const ModelSpec& spec : model_specs())
      manifest.models.push_back(write_model(registry, spec, dir));
    write_manifest(manifest, dir / "manifest.json");
    std::cout << "cross_arch_fixtures: wrote " << manifest.models.size() << " models x "
              << backends_and_extensions().size() << " backends to " << dir.string() << " ("
              << manifest.written_on << ")\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "cross_arch_fixtures: " << e.what() << '\n';
    return 1;
  }
}
