#pragma once

#include <mlpersist/store.hpp>
#include <span>
#include <string_view>

namespace mlpersist::detail {

/// A checked artifact as a version to push: validates the name and aliases, checks the envelope
/// and every checksum, cuts it into content-addressed chunks and indexes its header. The chunks
/// borrow `artifact`. Throws UsageError, FormatError.
[[nodiscard]] NewVersion prepare_store_version(std::span<const std::byte> artifact,
                                               std::string_view name, const PushOptions& options);

}  // namespace mlpersist::detail
