#include "baselines.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace bench {

std::uint64_t touch_words(const std::byte* data, std::size_t bytes) {
  std::uint64_t sum = 0;
  const std::size_t words = bytes / 8;
  for (std::size_t i = 0; i < words; ++i) {
    std::uint64_t w;
    std::memcpy(&w, data + 8 * i, 8);
    sum += w;
  }
  return sum;
}

void expect_bytes(std::span<const std::byte> want, const void* got, std::size_t size,
                  const std::string& what) {
  if (size != want.size() || std::memcmp(want.data(), got, size) != 0)
    throw std::runtime_error(what + ": the loaded bytes differ from the saved ones");
}

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

void write_all(int fd, const void* data, std::size_t n) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w <= 0) fail("write");
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

void read_all(int fd, void* data, std::size_t n) {
  auto* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t r = ::read(fd, p, n);
    if (r <= 0) fail("read");
    p += r;
    n -= static_cast<std::size_t>(r);
  }
}

int open_or_fail(const std::filesystem::path& file, int flags) {
  const int fd = ::open(file.c_str(), flags, 0600);
  if (fd < 0) fail(file.string());
  return fd;
}

std::size_t file_size(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail("fstat");
  return static_cast<std::size_t>(st.st_size);
}

// A buffer a limit filled: from malloc (4 KiB pages) or huge pages.
struct Buffer {
  void* p = nullptr;
  std::size_t n = 0;
  bool huge = false;
  void allocate(std::size_t bytes, bool use_huge) {
    n = bytes;
    huge = use_huge;
    p = huge ? alloc_huge(bytes) : std::malloc(bytes);
    if (p == nullptr) throw std::bad_alloc();
  }
  void release() {
    if (huge)
      free_huge(p, n);
    else
      std::free(p);
    p = nullptr;
  }
};

void add_memcpy(Harness& h, const Subject& s, bool huge) {
  auto b = std::make_shared<Buffer>();
  const std::span<const std::byte> a = s.artifact;
  h.add({.name = huge ? row::kMemcpyHuge : row::kMemcpyMalloc,
         .bytes = a.size(),
         .op =
             [=](int) {
               b->allocate(a.size(), huge);
               std::memcpy(b->p, a.data(), a.size());
             },
         .check =
             [=] {
               expect_bytes(a, b->p, a.size(), "memcpy");
               b->release();
             }});
}

void add_read(Harness& h, const Subject& s, const std::filesystem::path& file, bool huge) {
  auto b = std::make_shared<Buffer>();
  const std::span<const std::byte> a = s.artifact;
  h.add({.name = huge ? row::kReadHuge : row::kReadMalloc,
         .bytes = a.size(),
         .op =
             [=](int) {
               const int fd = open_or_fail(file, O_RDONLY);
               b->allocate(file_size(fd), huge);
               read_all(fd, b->p, b->n);
               ::close(fd);
             },
         .check =
             [=] {
               expect_bytes(a, b->p, b->n, "read()");
               b->release();
             }});
}

void add_mmap_touch(Harness& h, const Subject& s, const std::filesystem::path& file) {
  struct Mapped {
    void* p = nullptr;
    std::size_t n = 0;
    std::uint64_t sum = 0;
  };
  auto m = std::make_shared<Mapped>();
  const std::uint64_t want = touch_words(s.artifact.data(), s.artifact.size());
  h.add({.name = row::kMmapTouch,
         .bytes = s.artifact.size(),
         .op =
             [=](int) {
               const int fd = open_or_fail(file, O_RDONLY);
               m->n = file_size(fd);
               m->p = ::mmap(nullptr, m->n, PROT_READ, MAP_PRIVATE, fd, 0);
               ::close(fd);
               if (m->p == MAP_FAILED) fail("mmap");
               m->sum = touch_words(static_cast<const std::byte*>(m->p), m->n);
             },
         .check =
             [=] {
               if (m->sum != want) throw std::runtime_error("mmap: the touched words differ");
               ::munmap(m->p, m->n);
             }});
}

}  // namespace

void write_file(const std::filesystem::path& file, std::span<const std::byte> bytes) {
  const int fd = open_or_fail(file, O_WRONLY | O_CREAT | O_TRUNC);
  write_all(fd, bytes.data(), bytes.size());
  ::close(fd);
}

void add_limits(Harness& h, const Subject& s) {
  const std::filesystem::path in = s.dir / "limit-read.bin";
  write_file(in, s.artifact);
  add_memcpy(h, s, false);
  add_memcpy(h, s, true);
  const std::filesystem::path out = s.dir / "limit-write.bin";
  h.add({.name = row::kWrite, .bytes = s.artifact.size(), .op = [=](int) {
           write_file(out, s.artifact);
         }});
  add_read(h, s, in, false);
  add_read(h, s, in, true);
  add_mmap_touch(h, s, in);
}

void add_hash_speed(Harness& h, const Subject& s) {
  constexpr std::size_t kChunk = std::size_t{256} << 10;
  const std::span<const std::byte> a = s.artifact;
  auto result = std::make_shared<std::uint64_t>(0);
  h.add({.name = "XXH3-64 of the artifact in 256 KiB chunks, one core",
         .bytes = a.size(),
         .op = [=](int) {
           std::uint64_t x = 0;
           for (std::size_t at = 0; at < a.size(); at += kChunk)
             x ^= XXH3_64bits_withSeed(a.data() + at, std::min(kChunk, a.size() - at), at);
           *result = x;
         }});
  constexpr int kRepeat = 256;
  h.add({.name = "XXH3-64 of one 256 KiB chunk in cache, one core",
         .bytes = kChunk,
         .batch = kRepeat,
         .op = [=](int i) { *result ^= XXH3_64bits_withSeed(a.data(), kChunk, i); }});
}

}  // namespace bench
