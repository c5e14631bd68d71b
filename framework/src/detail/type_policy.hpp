#pragma once

// Which types an artifact may hold, decided from its header before any payload is decoded:
// every type must be provided by a loaded plugin at a schema it reads, and lie inside
// LoadOptions::allowed_types when that is set. LoadContext applies the allowlist again to
// each nested document.

#include <mlpersist/envelope.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/registry.hpp>
#include <string>
#include <string_view>

namespace mlpersist::detail {

/// Refuses unknown or too-new types (CompatibilityError naming them and the plugin to load or
/// upgrade). `source` names the artifact in messages.
void check_types(const Registry& registry, const Header& h, std::string_view source);
/// LoadOptions::allowed_types, checked on the types as they would load here (after renames).
void check_allowed(const Registry& registry, const Header& h, const LoadOptions& options,
                   std::string_view source);
/// Throws SecurityError(kTypeNotAllowed) naming `tags`, refused at `where`, and the allowed set.
[[noreturn]] void refuse_types(std::string_view where, const std::string& tags,
                               const LoadOptions& options);

}  // namespace mlpersist::detail
