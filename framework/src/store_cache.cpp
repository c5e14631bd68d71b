// The store's local cache: one file per content hash, and next to it a small "verified" note
// recording which file (device, inode, size, mtime, ctime) was last hashed to that content
// hash and when. A hit whose file still matches its note is trusted without hashing it again
// (a cached load then costs what a local file load costs); any other hit is hashed before use,
// so a cached file changed in place (same size, other bytes) is never loaded as the version.

#include "detail/store_cache.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <ctime>
#include <mlpersist/error.hpp>
#include <mlpersist/provenance.hpp>
#include <sstream>
#include <string>

#include "detail/file_io.hpp"

namespace mlpersist::detail {
namespace {

namespace fs = std::filesystem;

// Timestamps are kept with the kernel's coarse clock: a change made within the same tick as a
// verification could leave mtime and ctime as they were (the "racy" case git knows). A note
// is trusted only for a file whose ctime is this much older than the verification.
constexpr std::int64_t kRacyMarginNs = 1'000'000'000;

struct Stamp {
  std::uint64_t dev = 0, ino = 0, size = 0;
  std::int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator==(const Stamp&) const = default;
};

std::int64_t ns(const timespec& t) {
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

bool stamp_of(const fs::path& file, Stamp& out) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  out = {st.st_dev, st.st_ino, static_cast<std::uint64_t>(st.st_size), ns(st.st_mtim),
         ns(st.st_ctim)};
  return true;
}

fs::path note_of(const fs::path& file) {
  return fs::path(file.string() + ".verified");
}

// The note's text: "mlpersist-cache 1 HASH dev ino size mtime_ns ctime_ns verified_ns".
bool read_note(const fs::path& file, const std::string& hash, Stamp& stamp,
               std::int64_t& verified_ns) {
  std::string text;
  try {
    text = read_range(note_of(file), 0, 512);
  } catch (const Error&) {
    return false;  // no note yet: the file is hashed
  }
  std::istringstream in(text);
  std::string magic, format, noted_hash;
  in >> magic >> format >> noted_hash >> stamp.dev >> stamp.ino >> stamp.size >> stamp.mtime_ns >>
      stamp.ctime_ns >> verified_ns;
  return in && magic == "mlpersist-cache" && format == "1" && noted_hash == hash;
}

std::int64_t now_ns() {
  timespec t{};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return ns(t);
}

void remove_entry(const fs::path& file) {
  std::error_code ec;
  fs::remove(note_of(file), ec);
  fs::remove(file, ec);
}

}  // namespace

void record_verified(const fs::path& file, const std::string& hash) {
  Stamp s;
  if (!stamp_of(file, s)) return;  // gone already: the next load fetches it again
  const std::string text = "mlpersist-cache 1 " + hash + " " + std::to_string(s.dev) + " " +
                           std::to_string(s.ino) + " " + std::to_string(s.size) + " " +
                           std::to_string(s.mtime_ns) + " " + std::to_string(s.ctime_ns) + " " +
                           std::to_string(now_ns()) + "\n";
  const fs::path note = note_of(file);
  try {
    write_file_atomically(note, [&](int fd) { write_all(fd, text.data(), text.size(), note); });
  } catch (const IoError&) {
    // A full or read-only disk: without a note the next hit hashes the file, which is safe.
  }
}

bool cached_entry_valid(const fs::path& file, const std::string& hash, std::uint64_t size) {
  Stamp now;
  if (!stamp_of(file, now)) return false;
  if (now.size != size) {
    remove_entry(file);
    return false;
  }
  Stamp noted;
  std::int64_t verified_ns = 0;
  if (read_note(file, hash, noted, verified_ns) && noted == now &&
      now.ctime_ns + kRacyMarginNs <= verified_ns)
    return true;
  // Changed since it was verified (or never noted, or noted within the racy margin): hash it.
  const FileBytes bytes = read_file(file, /*map=*/true);
  if (sha256_hex(bytes.bytes) != hash) {
    remove_entry(file);
    return false;
  }
  record_verified(file, hash);
  return true;
}

}  // namespace mlpersist::detail
