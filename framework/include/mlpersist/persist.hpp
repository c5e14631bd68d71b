#pragma once

#include <mlpersist/envelope.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/export.hpp>
#include <mlpersist/limits.hpp>
#include <mlpersist/registry.hpp>
#include <mlpersist/value.hpp>

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

namespace mlpersist {

/// How to save.
struct SaveOptions {
  std::string format = "binary";  ///< a backend name: "binary", "msgpack", "json", ...
  Value metadata = Map{};         ///< recorded in the header (JSON-compatible values only)
};

/// How to load.
struct LoadOptions {
  /// Files only: map the file and let tensors borrow it (zero-copy) instead of reading it.
  bool mmap = true;
  bool verify_checksum = true;
  Limits limits{};
};

/// An artifact's header and its decoded (not yet instantiated) document.
struct Document {
  Header header;
  Value root;  ///< the root typed document: {type, schema_version, params, ..., state}
};

/// Saves to bytes / a stream / a file (written whole, then renamed into place).
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
[[nodiscard]] MLPERSIST_API std::shared_ptr<Estimator> load(const Registry& registry,
                                                            std::istream& in,
                                                            const LoadOptions& options = {});
[[nodiscard]] MLPERSIST_API std::shared_ptr<Estimator> load(const Registry& registry,
                                                            const std::filesystem::path& file,
                                                            const LoadOptions& options = {});

/// Reads only the header of a file (no payload decoding, no plugin code).
[[nodiscard]] MLPERSIST_API Header inspect(const std::filesystem::path& file,
                                           const Limits& limits = {});

/// Decodes a file's document without instantiating an estimator (`show`, `convert`).
[[nodiscard]] MLPERSIST_API Document read_document(const Registry& registry,
                                                   const std::filesystem::path& file,
                                                   const LoadOptions& options = {});
/// Builds the estimator a decoded document describes (validating its state).
[[nodiscard]] MLPERSIST_API std::shared_ptr<Estimator> instantiate(const Registry& registry,
                                                                   const Document& document,
                                                                   const LoadOptions& options = {});
/// Writes a document with the given backend, keeping its header's metadata.
MLPERSIST_API void write_document(const Registry& registry, const Document& document,
                                  std::string_view format, const std::filesystem::path& file);

/// Used by estimators that contain estimators (Pipeline) to save a nested one as its own typed,
/// versioned document.
class MLPERSIST_API SaveContext {
 public:
  [[nodiscard]] Value save_nested(const Estimator& estimator);
  /// Type tags and schema versions seen so far (the header's `types`).
  [[nodiscard]] const std::map<std::string, std::uint32_t>& types() const { return types_; }

 private:
  std::map<std::string, std::uint32_t> types_;
};

/// Used by estimators that contain estimators to load a nested typed document.
class MLPERSIST_API LoadContext {
 public:
  LoadContext(const Registry& registry, const LoadOptions& options)
      : registry_(registry), options_(options) {}
  [[nodiscard]] std::shared_ptr<Estimator> load_nested(const Node& typed_document);
  [[nodiscard]] const Registry& registry() const { return registry_; }

 private:
  const Registry& registry_;
  const LoadOptions& options_;
};

}  // namespace mlpersist
