#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mlpersist::detail {

/// A whole file's bytes, either mapped read-only or read into an owned buffer; `owner` keeps
/// them alive and may be shared with tensors that borrow from them.
struct FileBytes {
  std::span<const std::byte> bytes;
  std::shared_ptr<const void> owner;
  /// A copy of a container-2 artifact with a large payload: its chunk hashes, computed while
  /// it was read (PayloadIntegrity::verify_all compares them). Empty otherwise.
  std::vector<std::uint64_t> chunk_hashes;
  bool mapped = false;
};

/// Maps the file (`map`, unless it is smaller than 64 KiB) or reads it whole, telling `progress`
/// (if set) the bytes read so far. Throws IoError naming the file and the reason.
FileBytes read_file(const std::filesystem::path& file, bool map,
                    const std::function<void(std::uint64_t, std::uint64_t)>& progress = {});

/// A copy of an artifact in memory, hashed as it is copied like a file read by read_file: a copy
/// load then costs one memcpy, and its tensors borrow the copy.
FileBytes copy_hashing(std::span<const std::byte> bytes);

/// Reads at most `size` bytes at `offset` (fewer at the end of the file): header-only reads.
std::string read_range(const std::filesystem::path& file, std::uint64_t offset, std::size_t size);

/// Size of a file in bytes; throws IoError.
std::uint64_t size_of_file(const std::filesystem::path& file);

/// Writes through `write` into a new temporary file next to `file` (created exclusively, never
/// following a symlink), flushes it to disk and renames it over `file`, then syncs the
/// directory: a crash leaves either the old file or the new one, never a torn mix.
void write_file_atomically(const std::filesystem::path& file,
                           const std::function<void(int fd)>& write);

/// Writes all bytes at `offset` (a prelude filled in last); throws IoError naming `file`.
void pwrite_all(int fd, const void* data, std::size_t size, std::uint64_t offset,
                const std::filesystem::path& file);

/// Writes all bytes to a file descriptor; throws IoError naming `file`.
void write_all(int fd, const void* data, std::size_t size, const std::filesystem::path& file);

}  // namespace mlpersist::detail
