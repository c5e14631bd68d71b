#pragma once

// The application's header: saving and loading estimators. It brings in everything an
// application needs to use what it loads (the estimator interface, documents, provenance).

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <mlpersist/context.hpp>
#include <mlpersist/document.hpp>
#include <mlpersist/envelope.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/export.hpp>
#include <mlpersist/progress.hpp>
#include <mlpersist/provenance.hpp>
#include <mlpersist/registry.hpp>
#include <mlpersist/value.hpp>
#include <span>
#include <string>
#include <string_view>

namespace mlpersist {

/// How to save.
struct SaveOptions {
  std::string format = "binary";  ///< a backend name: "binary", "msgpack", "json", ...
  /// Training data, source, cross-validation, user key/values and verification inputs. The
  /// creation time and every version involved are always recorded.
  Provenance provenance{};
  /// Further header entries (JSON-compatible values only); kReservedMetadataKeys are refused.
  Value metadata = Map{};
  /// Called with bytes written and the artifact's size as the save goes (the CLI's bar). Setting
  /// it makes a file save size the payload first, which costs a JSON save a second encoding.
  ProgressFn progress{};
};

/// Saves to bytes / a stream / a file (a temporary file renamed into place). Tensor data goes
/// from the estimator's memory to the destination without an intermediate copy of the payload:
/// a file is written in one pass, bytes and streams are sized by a first pass that copies
/// nothing.
/// Throws CompatibilityError(kUnknownBackend), IoError, and whatever the estimator throws.
[[nodiscard]] MLPERSIST_API std::string dumps(const Registry& registry, const Estimator& estimator,
                                              const SaveOptions& options = {});
MLPERSIST_API void dump(const Registry& registry, const Estimator& estimator, std::ostream& out,
                        const SaveOptions& options = {});
MLPERSIST_API void dump(const Registry& registry, const Estimator& estimator,
                        const std::filesystem::path& file, const SaveOptions& options = {});

/// Loads from bytes / a stream / a file. The header names the backend: no format hint needed.
/// Throws FormatError (bad or altered bytes), CompatibilityError (unknown backend or type,
/// versions too new), SchemaError (state that violates the estimator's invariants), IoError.
[[nodiscard]] MLPERSIST_API std::shared_ptr<Estimator> loads(const Registry& registry,
                                                             std::string_view bytes,
                                                             const LoadOptions& options = {});
/// Loads from bytes that outlive the estimator: tensors borrow them (no copy) and `owner` keeps
/// them alive, as with a mapped file. The payload is verified before decoding.
[[nodiscard]] MLPERSIST_API std::shared_ptr<Estimator> loads(const Registry& registry,
                                                             std::span<const std::byte> bytes,
                                                             std::shared_ptr<const void> owner,
                                                             const LoadOptions& options = {});
[[nodiscard]] MLPERSIST_API std::shared_ptr<Estimator> load(const Registry& registry,
                                                            std::istream& in,
                                                            const LoadOptions& options = {});
[[nodiscard]] MLPERSIST_API std::shared_ptr<Estimator> load(const Registry& registry,
                                                            const std::filesystem::path& file,
                                                            const LoadOptions& options = {});

}  // namespace mlpersist
