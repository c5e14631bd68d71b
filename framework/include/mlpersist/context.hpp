#pragma once

// What an estimator's save_state and load_state receive: composite estimators (Pipeline) save
// and load their nested estimators through it. Estimators include this, not persist.hpp.

#include <cstdint>
#include <map>
#include <memory>
#include <mlpersist/export.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/value.hpp>
#include <string>

namespace mlpersist {

class Estimator;
class Registry;
struct Header;
struct LoadOptions;

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
