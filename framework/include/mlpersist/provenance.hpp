#pragma once

// What an artifact records about how its model came to be (scikit-learn's advice: the training
// data, the code, the library versions and the cross-validation score), kept in the envelope
// header so that `mlpersist inspect` reads it without running any plugin code.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mlpersist/estimator.hpp>
#include <mlpersist/export.hpp>
#include <mlpersist/model_selection.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/value.hpp>
#include <optional>
#include <span>
#include <string>

namespace mlpersist {

/// SHA-256 as 64 lowercase hex digits.
[[nodiscard]] MLPERSIST_API std::string sha256_hex(std::span<const std::byte> bytes);
/// SHA-256 of a file's exact bytes, read in chunks. Throws IoError naming the file.
[[nodiscard]] MLPERSIST_API std::string sha256_file(const std::filesystem::path& file);

/// The snapshot of data a model was trained on.
struct MLPERSIST_API TrainingData {
  std::string sha256;        ///< of the file's exact bytes
  std::string uri;           ///< path or URI as the user gave it
  std::int64_t rows = 0;     ///< samples
  std::int64_t columns = 0;  ///< feature columns (the target excluded)
  std::string target;        ///< target column; empty for unsupervised estimators

  /// Hashes `file` now; the shape is what the caller read from it.
  [[nodiscard]] static TrainingData of_file(const std::filesystem::path& file, std::int64_t rows,
                                            std::int64_t columns, std::string target = {});
  [[nodiscard]] Value to_value() const;
  [[nodiscard]] static TrainingData from_node(const Node& node);
};

/// The program that trained a model.
struct MLPERSIST_API SourceInfo {
  std::string program;     ///< absolute path of the executable
  std::string sha256;      ///< of the executable's bytes
  std::string git_commit;  ///< HEAD of the git work tree around the working directory, or empty

  /// The running executable (/proc/self/exe) and the git work tree of the current directory
  /// (read from .git without running git).
  [[nodiscard]] static SourceInfo of_current_program();
  [[nodiscard]] Value to_value() const;
};

/// HEAD's commit of the git work tree containing `directory` (full hex), or empty when there is
/// none. Reads .git (a directory or a `gitdir:` file), HEAD, loose refs and packed-refs.
[[nodiscard]] MLPERSIST_API std::string git_head_commit(const std::filesystem::path& directory);

/// The build and the machine: mlpersist, Eigen, msgpack-c, RapidJSON, Boost, compiler, C++
/// standard, OS, CPU architecture and byte order. Plugins are added per artifact at save.
[[nodiscard]] MLPERSIST_API Value build_environment();

/// Now, in UTC, as ISO 8601 with seconds: "2026-11-28T15:04:05Z".
[[nodiscard]] MLPERSIST_API std::string utc_timestamp();

/// What a save records besides the model. The framework always adds `created_at` and
/// `versions` (build_environment() plus every plugin involved).
struct Provenance {
  std::optional<TrainingData> training_data;
  std::optional<SourceInfo> source;
  std::optional<CvResult> cross_validation;
  std::map<std::string, std::string> user;  ///< free key/values (`mlpersist fit --meta K=V`)
  /// Sample inputs whose exact outputs are stored (verification records; see verify.hpp).
  std::optional<Matrix> verification_inputs;
  /// The same for a model fitted on a mixed table (used when verification_inputs is not set).
  std::optional<Table> verification_table;
};

/// Metadata keys the framework owns; SaveOptions::metadata may not use them.
inline constexpr const char* kReservedMetadataKeys[] = {
    "created_at", "versions",     "training_data", "source",   "cross_validation",
    "user",       "verification", "migrations",    "signature"};

}  // namespace mlpersist
