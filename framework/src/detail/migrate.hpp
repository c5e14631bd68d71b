#pragma once

#include <mlpersist/envelope.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/registry.hpp>

namespace mlpersist::detail {

/// Whether some type in the header is older than the registry's version of it, or not
/// registered (maybe renamed): only then does loading walk the document for migrations.
[[nodiscard]] bool needs_upgrade(const Registry& registry, const Header& h);

/// upgrade_document without its copy of the tree: for a document just decoded, which is
/// dropped if this throws (a copy would double the memory of loading an old file).
void upgrade_in_place(const Registry& registry, Document& document);

/// Refuses a decoded document that holds a typed document (the root or a nested one) whose
/// type and schema version the header does not declare: allowlists, the too-new check and
/// `inspect` all go by the header, so the document may not hold anything else. The root must
/// be the header's type_tag at its schema_version. Throws SecurityError(kTypeNotAllowed).
void check_declared_types(const Header& h, const Value& root);

}  // namespace mlpersist::detail
