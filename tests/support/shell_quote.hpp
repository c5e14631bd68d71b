#pragma once

#include <filesystem>
#include <string>

namespace mlpersist::test {

/// `p` in single quotes, for the command lines tests run (run_cli, std::system): the paths and
/// store locations tests make hold no single quote of their own.
inline std::string shell_quoted(const std::filesystem::path& p) {
  return "'" + p.string() + "'";
}

}  // namespace mlpersist::test
