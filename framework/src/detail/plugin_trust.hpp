#pragma once

#include <filesystem>

namespace mlpersist::detail {

/// Throws PluginError(kUnsafePermissions) naming the offending path unless only root or this
/// user can replace `path` (a plugin file, or a directory whose every `*.so` gets loaded): the
/// path itself after symlinks must be owned by root or us and writable by nobody else, and no
/// directory above it may let others rename its entries (writable without the sticky bit).
void check_plugin_path(const std::filesystem::path& path);

}  // namespace mlpersist::detail
