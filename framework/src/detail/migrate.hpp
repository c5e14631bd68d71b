#pragma once

#include <mlpersist/envelope.hpp>
#include <mlpersist/registry.hpp>

namespace mlpersist::detail {

/// Whether some type in the header is older than the registry's version of it, or not
/// registered (maybe renamed): only then does loading walk the document for migrations.
[[nodiscard]] bool needs_upgrade(const Registry& registry, const Header& h);

}  // namespace mlpersist::detail
