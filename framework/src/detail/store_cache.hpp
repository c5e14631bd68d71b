#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace mlpersist::detail {

/// Notes that the cache file `file` (just written or hashed) holds the artifact whose SHA-256
/// is `hash`, with the file's identity and times, so that later hits need not hash it. A note
/// that cannot be written is left out (the next hit hashes the file).
void record_verified(const std::filesystem::path& file, const std::string& hash);

/// True when the cache file `file` holds the artifact of `size` bytes whose SHA-256 is `hash`:
/// trusted from its note while the file is unchanged since, hashed otherwise. A file with other
/// bytes is removed (with its note) and false returned, so that the caller fetches it again.
/// Throws IoError when the file cannot be read.
[[nodiscard]] bool cached_entry_valid(const std::filesystem::path& file, const std::string& hash,
                                      std::uint64_t size);

}  // namespace mlpersist::detail
