#pragma once

// Verification records (PMML's ModelVerification): a few inputs and the model's exact outputs
// on them, stored at save and replayed later — after a migration, on another machine, with
// another compiler — plus `verify_artifact`, which also re-checks the training data and the
// recorded cross-validation score.

#include <cstdint>
#include <filesystem>
#include <mlpersist/estimator.hpp>
#include <mlpersist/export.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/registry.hpp>
#include <mlpersist/table.hpp>
#include <mlpersist/value.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mlpersist {

/// Across builds and machines, values may differ by floating-point evaluation order:
/// |new - old| <= kVerificationTolerance * max(1, |old|). Labels (predict of a classifier or
/// clusterer) must always be identical, and everything must be bit-identical within one build.
inline constexpr double kVerificationTolerance = 1e-9;

/// {inputs, outputs: {method: rows}} for every method the model supports on `inputs` whose
/// outputs are finite (JSON holds them exactly; header metadata is JSON).
[[nodiscard]] MLPERSIST_API Value make_verification_record(const Estimator& model,
                                                           const Matrix& inputs);
/// The same for a model fitted on a mixed table: {table: [{name, type, values}], outputs}, with
/// null for a missing cell; predict's string labels are recorded as their class codes.
[[nodiscard]] MLPERSIST_API Value make_verification_record(const Estimator& model,
                                                           const Table& inputs);

/// How far one method's outputs moved.
struct MethodDrift {
  std::string method;
  std::uint64_t values = 0;     ///< compared
  std::uint64_t differing = 0;  ///< not bit-identical
  double max_abs_difference = 0;
  std::uint64_t max_ulps = 0;  ///< largest distance in units in the last place
  bool labels = false;         ///< compared as labels (must be identical)
  bool passed = true;
};

struct VerificationReport {
  bool same_build = false;  ///< the artifact was written by this very build: demand exactness
  std::vector<MethodDrift> methods;
  [[nodiscard]] MLPERSIST_API bool passed() const;
  [[nodiscard]] MLPERSIST_API Value to_value() const;
  /// One line per method, e.g. "decision_function: 450 values, 0 differ (max 0 ulps)".
  [[nodiscard]] MLPERSIST_API std::string summary() const;
};

/// Re-runs the record's inputs through `model`. Throws SchemaError when the record itself is
/// malformed (the path names where), UsageError(kLimitExceeded) when it holds more input values
/// than limits.max_verification_values.
[[nodiscard]] MLPERSIST_API VerificationReport replay_verification(const Estimator& model,
                                                                   const Value& record,
                                                                   bool same_build,
                                                                   const Limits& limits = {});

/// The versions block an artifact with this header would record if saved by this build now
/// (build_environment() plus the plugins of its types and backend): equal to the artifact's
/// own block exactly when the same build wrote it.
[[nodiscard]] MLPERSIST_API Value current_versions(const Registry& registry, const Header& header);

struct VerifyOptions {
  /// Training data to hash and cross-validate on. The artifact's recorded uri is provenance to
  /// display, never a path to open: a file must not choose what the verifier reads (a FIFO, a
  /// device, a secret it would then quote in error messages). Without `data` or `data_dir`, the
  /// recorded hash and cross-validation are reported as not checked, and verification fails.
  std::optional<std::filesystem::path> data;
  /// Opt-in: the recorded uri may be opened when it names a regular file under this directory
  /// (after resolving symbolic links; a relative uri is taken relative to it).
  std::optional<std::filesystem::path> data_dir;
  /// Also bounds the work the file can ask for: load.limits.max_verification_values and
  /// load.limits.max_refit_cost.
  LoadOptions load{};
};

/// Everything `mlpersist verify` checks, each part with its verdict.
struct VerifyReport {
  std::string file;
  bool integrity = false;  ///< decoded, checksums matched, state valid
  std::string integrity_error;
  // Training data: recorded vs recomputed SHA-256 (empty when not recorded or not readable).
  std::string data_recorded_uri;  ///< as the artifact records it (displayed, not opened)
  std::string data_path;          ///< the file actually read: --data, or the uri under data_dir
  std::string data_recorded_sha256;
  std::string data_actual_sha256;
  std::string data_error;
  // Cross-validation re-run with the stored parameters.
  std::optional<Value> cv_recorded;
  std::optional<Value> cv_rerun;
  bool cv_deterministic = false;
  double cv_tolerance = 0;
  std::string cv_error;
  std::optional<VerificationReport> records;
  std::string records_error;  ///< the stored records are malformed

  [[nodiscard]] MLPERSIST_API bool data_matches() const;
  [[nodiscard]] MLPERSIST_API bool cv_passed() const;
  /// Integrity holds and every recorded check that could run passed.
  [[nodiscard]] MLPERSIST_API bool passed() const;
  [[nodiscard]] MLPERSIST_API Value to_value() const;
};

/// Checks integrity, the training data hash, the recorded cross-validation (|Δ mean| <= 2 ×
/// the recorded fold std, exact when every `random_state` parameter is set) and the
/// verification records. Never throws for a failed check: the report says what failed.
[[nodiscard]] MLPERSIST_API VerifyReport verify_artifact(const Registry& registry,
                                                         const std::filesystem::path& file,
                                                         const VerifyOptions& options = {});

}  // namespace mlpersist
