#pragma once

// Artifacts as documents: the options of a load, the decoded header and document, and what
// tools do with documents without running a model (inspect, show, convert, migrate). Nothing
// here needs the estimator interface, so such tools do not parse Eigen.

#include <filesystem>
#include <memory>
#include <mlpersist/envelope.hpp>
#include <mlpersist/export.hpp>
#include <mlpersist/limits.hpp>
#include <mlpersist/progress.hpp>
#include <mlpersist/registry.hpp>
#include <mlpersist/signature.hpp>
#include <mlpersist/value.hpp>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mlpersist {

class Estimator;

/// How to load.
struct LoadOptions {
  /// Files only: map the file and let tensors borrow it (zero-copy) instead of reading it.
  /// Files under 64 KiB are read anyway: mapping and unmapping them costs more than a copy.
  bool mmap = true;
  /// Verify the payload's checksums (container 2: one per 256 KiB chunk). Turn off only for
  /// forensics on a damaged file.
  bool verify_checksum = true;
  /// Mapped files only: verify each borrowed tensor's bytes when it is first read, rather than
  /// the whole payload at load, so that a load is O(1) whatever the model's size. Everything
  /// the decoder reads is still verified before use; a tensor whose bytes were altered throws
  /// FormatError(kChecksumMismatch) from its first access (e.g. predict) instead of from load.
  bool lazy_verification = true;
  /// Upgrade documents saved at older schema versions (or under renamed tags) with the
  /// registered hooks; each step is recorded in the header metadata's "migrations".
  bool migrate = true;
  /// Replay the artifact's verification records after loading and throw
  /// CompatibilityError(kVerificationFailed) on drift (see verify.hpp).
  bool replay_verification = false;
  Limits limits{};
  /// Public keys whose signatures are trusted (signature.hpp). When any is given, a signed
  /// artifact is verified before anything is decoded, and an invalid signature is refused.
  std::vector<PublicKey> trusted_public_keys{};
  /// Refuse artifacts that do not carry a valid signature by one of trusted_public_keys.
  bool require_signature = false;
  /// When not empty, only these type tags may be built (nested ones too, after renames); an
  /// artifact listing any other is refused before decoding, naming them all.
  std::set<std::string, std::less<>> allowed_types{};
  /// Called with bytes read and the file's size while a file is read (mmap = false; a mapped
  /// load reads nothing up front).
  ProgressFn progress{};
};

/// An artifact's header and its decoded (not yet instantiated) document.
struct Document {
  Header header;
  Value root;  ///< the root typed document: {type, schema_version, params, ..., state}
};

/// Reads only the header of a file (no payload decoding, no plugin code).
[[nodiscard]] MLPERSIST_API Header inspect(const std::filesystem::path& file,
                                           const Limits& limits = {});

/// Upgrades every typed document in `document`, nested ones included, to the schema versions
/// the registry reads, following tag renames. Each applied step is appended to
/// header.metadata["migrations"] and the header's types are updated. Throws SchemaError naming
/// the hook and the document path when a hook fails, CompatibilityError when a step is missing;
/// `document` is unchanged then.
MLPERSIST_API void upgrade_document(const Registry& registry, Document& document);
/// Rewrites every typed document of `type_tag` at `to_version` with the registered downgrade
/// hooks, for deployments that read only that version. Same error guarantees as upgrade.
MLPERSIST_API void downgrade_document(const Registry& registry, Document& document,
                                      std::string_view type_tag, std::uint32_t to_version);

/// Decodes a file's document without instantiating an estimator (`show`, `convert`), upgraded
/// unless `options.migrate` is false.
[[nodiscard]] MLPERSIST_API Document read_document(const Registry& registry,
                                                   const std::filesystem::path& file,
                                                   const LoadOptions& options = {});
/// The same from bytes that `owner` keeps alive: tensors borrow them, as with a mapped file (the
/// Python package reads `bytes` objects this way).
[[nodiscard]] MLPERSIST_API Document read_document(const Registry& registry,
                                                   std::span<const std::byte> bytes,
                                                   std::shared_ptr<const void> owner,
                                                   const LoadOptions& options = {});
/// Builds the estimator a decoded document describes (validating its state).
[[nodiscard]] MLPERSIST_API std::shared_ptr<Estimator> instantiate(const Registry& registry,
                                                                   const Document& document,
                                                                   const LoadOptions& options = {});
/// Writes a document with the given backend, keeping its header's metadata; `progress` hears
/// of the bytes written, as SaveOptions::progress does.
MLPERSIST_API void write_document(const Registry& registry, const Document& document,
                                  std::string_view format, const std::filesystem::path& file,
                                  const ProgressFn& progress = {});

}  // namespace mlpersist
