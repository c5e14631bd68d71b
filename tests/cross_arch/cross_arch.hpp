#pragma once

// Artifacts written on one architecture and read on another (scripts/cross-s390x.sh): which
// models a fixture set holds, how the state of an artifact is fingerprinted, and the manifest
// that records both next to the artifacts.

#include <filesystem>
#include <mlpersist/estimator.hpp>
#include <mlpersist/registry.hpp>
#include <mlpersist/value.hpp>
#include <string>
#include <utility>
#include <vector>

namespace mlpersist::cross_arch {

/// One model of a fixture set, fitted on tests/data/<data>.csv.
struct ModelSpec {
  std::string name;  ///< file stem: <name>.bin, <name>.json, <name>.msgpack, <name>.<method>.csv
  std::string type;
  std::vector<std::pair<std::string, std::string>> steps;  ///< Pipeline steps (name, type)
  Map params;
  std::string data;
};

/// The models every fixture set holds (classifiers, a regressor, transformers, a clusterer and
/// a Pipeline, so that every tensor dtype and nested documents are covered).
std::vector<ModelSpec> model_specs();

/// The backends every model is saved with, and the file extension of each.
std::vector<std::pair<std::string, std::string>> backends_and_extensions();

/// Creates and fits the model a spec describes.
std::shared_ptr<Estimator> fit_model(const Registry& registry, const ModelSpec& spec,
                                     const std::filesystem::path& data_dir);

/// The state of an artifact, independent of the host: the XXH3-64 of the document decoded by
/// the artifact's backend (no migrations, no estimator code) and re-encoded with the binary
/// backend, which writes every number little-endian; and of each tensor, "dtype[shape]:xxh3"
/// of its little-endian bytes, keyed by its document path, so a mismatch names the tensor.
struct Fingerprint {
  std::string document;
  std::vector<std::pair<std::string, std::string>> tensors;
};
Fingerprint fingerprint(const Registry& registry, const std::filesystem::path& artifact);

/// An output an artifact's model must reproduce: method name, CSV file, and whether it must
/// match exactly (class labels) or to within a relative tolerance (real-valued outputs).
struct Output {
  std::string method;
  std::string file;
  bool exact = false;
};

struct Artifact {
  std::string file;
  std::string backend;
  Fingerprint state;
};

struct ModelRecord {
  std::string name;
  std::string type;
  std::string data;
  std::vector<Output> outputs;
  std::vector<Artifact> artifacts;
};

/// manifest.json of a fixture set.
struct Manifest {
  std::string written_on;  ///< architecture and byte order of the writer
  std::string framework_version;
  std::vector<ModelRecord> models;
};

/// "x86_64, little-endian", "s390x, big-endian", ...
std::string host_description();

void write_manifest(const Manifest& manifest, const std::filesystem::path& file);
/// Throws std::runtime_error on a file that is not a manifest.
Manifest read_manifest(const std::filesystem::path& file);

}  // namespace mlpersist::cross_arch
