#pragma once

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <mlpersist/envelope.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/export.hpp>
#include <mlpersist/limits.hpp>
#include <mlpersist/progress.hpp>
#include <mlpersist/provenance.hpp>
#include <mlpersist/registry.hpp>
#include <mlpersist/signature.hpp>
#include <mlpersist/value.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

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

/// Reads only the header of a file (no payload decoding, no plugin code).
[[nodiscard]] MLPERSIST_API Header inspect(const std::filesystem::path& file,
                                           const Limits& limits = {});

/// The registered type that `type_tag`, as an artifact lists it, loads as here (following
/// renames); nullptr when no loaded plugin provides it.
[[nodiscard]] MLPERSIST_API const TypeInfo* resolve_type(const Registry& registry,
                                                         std::string_view type_tag);

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

/// Used by estimators that contain estimators (Pipeline) to save a nested one as its own typed,
/// versioned document.
class MLPERSIST_API SaveContext {
 public:
  [[nodiscard]] Value save_nested(const Estimator& estimator);
  /// Type tags and schema versions seen so far (the header's `types`).
  [[nodiscard]] const std::map<std::string, std::uint32_t>& types() const { return types_; }
  /// Oldest reader versions of the types whose writers declare one below their version.
  [[nodiscard]] const std::map<std::string, std::uint32_t>& min_reader_versions() const {
    return min_readers_;
  }

 private:
  std::map<std::string, std::uint32_t> types_;
  std::map<std::string, std::uint32_t> min_readers_;
};

/// Used by estimators that contain estimators to load a nested typed document.
class MLPERSIST_API LoadContext {
 public:
  /// With `header`, every nested type must be one it declares (instantiate passes the
  /// document's own header).
  LoadContext(const Registry& registry, const LoadOptions& options, const Header* header = nullptr)
      : registry_(registry), options_(options), header_(header) {}
  [[nodiscard]] std::shared_ptr<Estimator> load_nested(const Node& typed_document);
  [[nodiscard]] const Registry& registry() const { return registry_; }

 private:
  const Registry& registry_;
  const LoadOptions& options_;
  const Header* header_;
};

}  // namespace mlpersist
