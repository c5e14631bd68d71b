// Plugins are code: before one is loaded, nobody but root and this user may have been able to
// put it there (the rules OpenSSH applies to authorized_keys and its parent directories).

#include "detail/plugin_trust.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mlpersist/error.hpp>
#include <string>

namespace mlpersist::detail {
namespace {

namespace fs = std::filesystem;

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

[[noreturn]] void refuse(const fs::path& plugin, const fs::path& culprit, const std::string& why) {
  throw PluginError(ErrorCode::kUnsafePermissions,
                    "plugin '" + plugin.string() + "': refused because '" + culprit.string() +
                        "' " + why +
                        ", so someone other than root or you could have replaced "
                        "its code; fix it (chmod go-w, chown), or accept it explicitly with "
                        "PluginTrust::allow_writable_by_others (mlpersist "
                        "--allow-writable-plugins)");
}

struct stat stat_of(const fs::path& plugin, const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw PluginError(ErrorCode::kPlugin, "plugin '" + plugin.string() + "': cannot stat '" +
                                              path.string() + "': " + std::strerror(errno));
  return st;
}

// Why users other than root and us may write to it; empty when they may not.
std::string writable_by_others(const struct stat& st) {
  if (st.st_uid != 0 && st.st_uid != ::geteuid())
    return "is owned by another user (uid " + std::to_string(st.st_uid) + ")";
  if ((st.st_mode & S_IWOTH) != 0)
    return "is writable by every user (mode " + octal_mode(st.st_mode) + ")";
  if ((st.st_mode & S_IWGRP) != 0 && st.st_gid != 0 && st.st_gid != ::getegid())
    return "is writable by group " + std::to_string(st.st_gid) + " (mode " +
           octal_mode(st.st_mode) + ")";
  return {};
}

fs::path resolved(const fs::path& plugin, const fs::path& path) {
  std::error_code ec;
  fs::path real = fs::canonical(path, ec);
  if (ec)
    throw PluginError(ErrorCode::kPlugin, "plugin '" + plugin.string() + "': cannot resolve '" +
                                              path.string() + "': " + ec.message());
  return real;
}

// Ancestors may be shared (/tmp): others may write there, but under the sticky bit they cannot
// rename or remove what they do not own.
void check_ancestors(const fs::path& plugin, const fs::path& real) {
  for (fs::path dir = real.parent_path();; dir = dir.parent_path()) {
    const struct stat st = stat_of(plugin, dir);
    if (const std::string why = writable_by_others(st); !why.empty() && (st.st_mode & S_ISVTX) == 0)
      refuse(plugin, dir, why + " without the sticky bit");
    if (dir == dir.root_path() || dir.empty()) return;
  }
}

}  // namespace

void check_plugin_path(const fs::path& path) {
  const fs::path real = resolved(path, path);
  if (const std::string why = writable_by_others(stat_of(path, real)); !why.empty())
    refuse(path, real, why);
  check_ancestors(path, real);
}

}  // namespace mlpersist::detail
