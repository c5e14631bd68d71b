#include "detail/file_io.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mlpersist/endian.hpp>
#include <mlpersist/envelope.hpp>
#include <mlpersist/error.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "detail/buffer.hpp"
#include "detail/chunk_hash.hpp"

namespace mlpersist::detail {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void io_error(const fs::path& file, const std::string& what, int err) {
  std::string message = "'";
  message += file.native();
  message += "': ";
  message += what;
  message += ": ";
  message += std::strerror(err);
  throw IoError(ErrorCode::kIo, message);
}

// Closes a descriptor on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

int open_read(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) io_error(file, "cannot open for reading", errno);
  return fd;
}

void read_all(int fd, std::byte* out, std::size_t size, const fs::path& file) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, out + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) io_error(file, "read failed", errno);
    if (n == 0) break;  // the file shrank while being read
    done += static_cast<std::size_t>(n);
  }
  if (done != size) io_error(file, "file changed size while being read", EIO);
}

FileBytes map_file(int fd, std::size_t size, const fs::path& file) {
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) io_error(file, "cannot map", errno);
  std::shared_ptr<const void> owner(
      p, [size](const void* q) { ::munmap(const_cast<void*>(q), size); });
  return {{static_cast<const std::byte*>(p), size}, std::move(owner), {}, true};
}

// Smaller files are read even when a mapping is asked for: mapping, faulting the pages in and
// unmapping (a TLB shootdown on every core) cost more than copying them.
constexpr std::size_t kMapThreshold = std::size_t{64} << 10;

// The payload range a container-2 prelude declares, when it is large enough to be worth
// hashing while the file is read. The prelude is not verified yet: a wrong range only makes
// the hashes useless, and the header and chunk table checks that follow catch it.
std::optional<std::pair<std::uint64_t, std::uint64_t>> payload_to_hash(const std::byte* prelude,
                                                                       std::uint64_t file_size) {
  if (std::memcmp(prelude, kMagic.data(), kMagic.size()) != 0) return std::nullopt;
  if (load_le<std::uint16_t>(prelude + prelude_offset::kContainerVersion) < 2) return std::nullopt;
  const auto offset = load_le<std::uint64_t>(prelude + prelude_offset::kPayloadOffset);
  const auto size = load_le<std::uint64_t>(prelude + prelude_offset::kPayloadSize);
  if (offset > file_size || size > file_size - offset) return std::nullopt;
  if (size < kParallelHashThreshold) return std::nullopt;
  return std::pair{offset, offset + size};
}

// Hashes [begin, end) of `data` into chunk hashes as `ready` says the bytes have arrived.
std::vector<std::uint64_t> hash_as_read(const std::byte* data, std::uint64_t begin,
                                        std::uint64_t end,
                                        const std::atomic<std::uint64_t>& ready) {
  ChunkHasher hasher;
  for (std::uint64_t at = begin; at < end;) {
    const std::uint64_t available = ready.load(std::memory_order_acquire);
    if (available <= at) {
      ready.wait(available, std::memory_order_acquire);
      continue;
    }
    const std::uint64_t upto = std::min(available, end);
    hasher.update(data + at, static_cast<std::size_t>(upto - at));
    at = upto;
  }
  return hasher.finish();
}

// Fills a new buffer of `size` bytes piece by piece through `fill(destination, offset, n)`. A
// container-2 artifact's payload is hashed on a second thread while the rest arrives, so
// verifying it adds no time to a copy.
template <class Fill>
FileBytes fill_hashing(std::size_t size, const Fill& fill,
                       const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  // Aligned for huge pages when large: it then fills several times faster.
  auto buffer = aligned_buffer(size);
  std::byte* data = buffer.get();
  // Artifacts too small to hash in parallel are filled in one call.
  const std::size_t head = size < kParallelHashThreshold ? size : kPreludeSize;
  fill(data, 0, head);
  std::atomic<std::uint64_t> ready{head};
  std::vector<std::uint64_t> hashes;
  std::thread hashing;
  if (const auto range = head == kPreludeSize ? payload_to_hash(data, size) : std::nullopt)
    hashing = std::thread(
        [&, range] { hashes = hash_as_read(data, range->first, range->second, ready); });
  constexpr std::size_t kPiece = std::size_t{4} << 20;
  try {
    for (std::size_t done = head; done < size;) {
      const std::size_t n = std::min(kPiece, size - done);
      fill(data, done, n);
      done += n;
      ready.store(done, std::memory_order_release);
      ready.notify_one();
      if (progress) progress(done, size);
    }
  } catch (...) {
    ready.store(size, std::memory_order_release);  // lets the hashing thread run out and stop
    ready.notify_one();
    if (hashing.joinable()) hashing.join();
    throw;
  }
  if (hashing.joinable()) hashing.join();
  return {{data, size}, std::move(buffer), std::move(hashes), false};
}

// Reads a whole file into memory, hashing as it arrives.
FileBytes read_copy(int fd, std::size_t size, const fs::path& file,
                    const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  return fill_hashing(
      size,
      [&](std::byte* data, std::size_t at, std::size_t n) { read_all(fd, data + at, n, file); },
      progress);
}

// A name for a temporary file that no other save (in this process or another) is using: the
// process id, a random number drawn once (opening the entropy source costs more than writing
// a small model) and a counter.
std::string temporary_suffix() {
  static const std::uint64_t salt = [] {
    std::random_device rd;
    return (std::uint64_t{rd()} << 32) | rd();
  }();
  static std::atomic<std::uint64_t> counter{0};
  return std::to_string(::getpid()) + "-" + std::to_string(salt) + "-" +
         std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace

std::uint64_t size_of_file(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) io_error(file, "cannot stat", errno);
  return static_cast<std::uint64_t>(st.st_size);
}

FileBytes read_file(const fs::path& file, bool map,
                    const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  Fd fd{open_read(file)};
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) io_error(file, "cannot stat", errno);
  if (!S_ISREG(st.st_mode)) io_error(file, "not a regular file", EINVAL);
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) return {};
  if (map && size >= kMapThreshold) return map_file(fd.fd, size, file);
  return read_copy(fd.fd, size, file, progress);
}

FileBytes copy_hashing(std::span<const std::byte> bytes) {
  return fill_hashing(bytes.size(),
                      [&](std::byte* data, std::size_t at, std::size_t n) {
                        std::memcpy(data + at, bytes.data() + at, n);
                      },
                      {});
}

std::string read_range(const fs::path& file, std::uint64_t offset, std::size_t size) {
  Fd fd{open_read(file)};
  const std::uint64_t total = size_of_file(file);
  const auto n =
      static_cast<std::size_t>(offset >= total ? 0 : std::min<std::uint64_t>(size, total - offset));
  if (::lseek(fd.fd, static_cast<off_t>(offset), SEEK_SET) < 0)
    io_error(file, "seek failed", errno);
  std::string out(n, '\0');
  read_all(fd.fd, reinterpret_cast<std::byte*>(out.data()), n, file);
  return out;
}

void write_all(int fd, const void* data, std::size_t size, const fs::path& file) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) io_error(file, "write failed", errno);
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

void pwrite_all(int fd, const void* data, std::size_t size, std::uint64_t offset,
                const fs::path& file) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::pwrite(fd, p, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) io_error(file, "write failed", errno);
    p += n;
    offset += static_cast<std::uint64_t>(n);
    size -= static_cast<std::size_t>(n);
  }
}

void write_file_atomically(const fs::path& file, const std::function<void(int fd)>& write) {
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  fs::path tmp;
  Fd fd;
  // O_EXCL makes a name taken by another writer (or planted by an attacker) fail, not clobber.
  for (int attempt = 0; fd.fd < 0; ++attempt) {
    std::string name = ".";
    name += file.filename().native();
    name += ".tmp";
    name += temporary_suffix();
    tmp = dir / name;
    fd.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd.fd < 0 && (errno != EEXIST || attempt == 8))
      io_error(tmp, "cannot create temporary file", errno);
  }
  try {
    write(fd.fd);
    if (::fsync(fd.fd) != 0) io_error(tmp, "fsync failed", errno);
    if (::rename(tmp.c_str(), file.c_str()) != 0) io_error(file, "cannot rename into place", errno);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  Fd dfd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (dfd.fd >= 0) ::fsync(dfd.fd);  // best effort: some file systems refuse directory fsync
}

}  // namespace mlpersist::detail
