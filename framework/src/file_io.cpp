#include "detail/file_io.hpp"

#include <mlpersist/error.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

namespace mlpersist::detail {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void io_error(const fs::path& file, const std::string& what, int err) {
  throw IoError(ErrorCode::kIo,
                "'" + file.string() + "': " + what + ": " + std::strerror(err));
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
  std::shared_ptr<const void> owner(p, [size](const void* q) {
    ::munmap(const_cast<void*>(q), size);
  });
  return {{static_cast<const std::byte*>(p), size}, std::move(owner)};
}

}  // namespace

std::uint64_t size_of_file(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) io_error(file, "cannot stat", errno);
  return static_cast<std::uint64_t>(st.st_size);
}

FileBytes read_file(const fs::path& file, bool map) {
  Fd fd{open_read(file)};
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) io_error(file, "cannot stat", errno);
  if (!S_ISREG(st.st_mode)) io_error(file, "not a regular file", EINVAL);
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) return {{}, nullptr};
  if (map) return map_file(fd.fd, size, file);
  std::shared_ptr<std::byte> buffer(static_cast<std::byte*>(std::malloc(size)),
                                    [](std::byte* p) { std::free(p); });
  if (!buffer) throw std::bad_alloc();
  read_all(fd.fd, buffer.get(), size, file);
  return {{buffer.get(), size}, std::move(buffer)};
}

std::string read_range(const fs::path& file, std::uint64_t offset, std::size_t size) {
  Fd fd{open_read(file)};
  const std::uint64_t total = size_of_file(file);
  const auto n = static_cast<std::size_t>(
      offset >= total ? 0 : std::min<std::uint64_t>(size, total - offset));
  if (::lseek(fd.fd, static_cast<off_t>(offset), SEEK_SET) < 0) io_error(file, "seek failed", errno);
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

void write_file_atomically(const fs::path& file, const std::function<void(int fd)>& write) {
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  std::random_device rd;
  const fs::path tmp = dir / ("." + file.filename().string() + ".tmp" + std::to_string(rd()));
  Fd fd{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)};
  if (fd.fd < 0) io_error(tmp, "cannot create temporary file", errno);
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
