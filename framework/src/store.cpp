// ModelStore: artifacts cut into content-addressed chunks on push, fetched into a verified
// local cache on load, then loaded as files are.

#include <pwd.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <future>
#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/provenance.hpp>
#include <mlpersist/store.hpp>
#include <string>

#include "detail/file_io.hpp"
#include "detail/store_cache.hpp"
#include "detail/store_push.hpp"

namespace mlpersist {
namespace {

namespace fs = std::filesystem;

std::span<const std::byte> as_span(std::string_view text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

// "user@host" of this process, for the record of who pushed a version or moved an alias.
std::string who_am_i() {
  std::string user = std::to_string(::geteuid());
  if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr && pw->pw_name != nullptr)
    user = pw->pw_name;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "unknown-host");
  return user + "@" + host;
}

std::string hex(std::span<const unsigned char> digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::string describe(std::string_view name, std::uint64_t version) {
  return std::string(name) + "@" + std::to_string(version);
}

// Hashes arrive from the database; only 64 lowercase hex digits may become a cache file name.
void check_hash_text(const std::string& hash, std::string_view what) {
  const bool ok = hash.size() == 64 && hash.find_first_not_of("0123456789abcdef") == hash.npos;
  if (!ok)
    throw FormatError(ErrorCode::kMalformed, std::string(what) + ": the store lists hash '" +
                                                 hash.substr(0, 80) +
                                                 "', not a SHA-256; the store is damaged");
}

// The first chunk holds the prelude and header (up to the payload), so inspect reads one small
// chunk; the rest of the artifact follows in kStoreChunkSize pieces.
std::vector<NewChunk> cut_chunks(std::span<const std::byte> artifact, const Header& h) {
  std::vector<NewChunk> chunks;
  const auto add = [&](std::uint64_t offset, std::uint64_t size) {
    const auto piece = artifact.subspan(offset, size);
    chunks.push_back({sha256_hex(piece), piece});
  };
  add(0, h.payload_offset);
  for (std::uint64_t at = h.payload_offset; at < artifact.size(); at += kStoreChunkSize)
    add(at, std::min<std::uint64_t>(kStoreChunkSize, artifact.size() - at));
  return chunks;
}

void check_chunk(const ChunkRef& chunk, const std::string& bytes, std::string_view what) {
  if (bytes.size() != chunk.size || sha256_hex(as_span(bytes)) != chunk.hash)
    throw FormatError(ErrorCode::kChecksumMismatch,
                      std::string(what) + ": chunk " + chunk.hash +
                          " does not match its SHA-256 or size in the store; the store's bytes "
                          "were altered or damaged. Push the model again");
}

// A cache that others may write to could be made to serve another model under this name.
void prepare_cache_dir(const fs::path& dir) {
  std::error_code ec;
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
  if (!ec && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    ec = std::error_code(errno, std::generic_category());
  if (ec)
    throw IoError(ErrorCode::kIo, "cache directory '" + dir.string() +
                                      "': cannot create it: " + ec.message() +
                                      "; set MLPERSIST_CACHE_DIR to a writable directory");
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0)
    throw IoError(ErrorCode::kIo,
                  "cache directory '" + dir.string() + "': " + std::strerror(errno));
  if (st.st_uid != ::geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    throw SecurityError(ErrorCode::kUnsafePermissions,
                        "cache directory '" + dir.string() +
                            "' is not owned by this user or is writable by others; use a private "
                            "directory (chmod 700) or set MLPERSIST_CACHE_DIR");
}

// The trailer's checksum, which the first chunk does not hold: the push recorded it in the
// version's header JSON (header_to_value of the whole, verified artifact), so inspect needs no
// read of the last chunk. Throws FormatError when the record does not match the first chunk.
std::uint64_t recorded_trailer_checksum(const StoredVersion& v, const Header& h,
                                        const std::string& what) {
  const Value recorded = parse_json_text(v.header_json, what, Limits{});
  const Map* m = recorded.kind() == Kind::kMap ? &recorded.as_map() : nullptr;
  const Value* text =
      m ? m->find(h.container_version < 2 ? "payload_xxh3" : "chunk_table_xxh3") : nullptr;
  const Value* offset = m ? m->find("payload_offset") : nullptr;
  std::uint64_t checksum = 0;
  const bool ok =
      text != nullptr && text->kind() == Kind::kString && text->as_string().size() == 16 &&
      offset != nullptr && offset->kind() == Kind::kInt &&
      static_cast<std::uint64_t>(offset->as_int()) == h.payload_offset &&
      std::from_chars(text->as_string().data(), text->as_string().data() + 16, checksum, 16).ptr ==
          text->as_string().data() + 16;
  if (!ok)
    throw FormatError(ErrorCode::kMalformed,
                      what +
                          ": the header recorded with this version does not match its first "
                          "chunk; the store is damaged. Push the model again");
  return checksum;
}

}  // namespace

NewVersion detail::prepare_store_version(std::span<const std::byte> artifact, std::string_view name,
                                         const PushOptions& options) {
  check_model_name(name);
  for (const std::string& alias : options.aliases) check_alias(alias);
  const std::string source = "push of " + std::string(name);
  const Header h = read_header(artifact, source, Limits{});
  (void)checked_payload(artifact, h, source, /*verify_checksum=*/true);
  // The whole artifact's hash runs on a second thread while the chunks are hashed.
  auto whole = std::async(std::launch::async, [artifact] { return sha256_hex(artifact); });
  NewVersion v;
  v.name = std::string(name);
  v.size = artifact.size();
  v.header_json = to_json_text(header_to_value(h));
  v.created_at = utc_timestamp();
  v.pushed_by = who_am_i();
  v.chunks = cut_chunks(artifact, h);
  v.fields = index_fields(h);
  v.aliases = options.aliases;
  v.content_hash = whole.get();
  return v;
}

ModelStore::ModelStore(StoreUri uri, std::shared_ptr<StoreBackend> backend, fs::path cache)
    : uri_(std::move(uri)), backend_(std::move(backend)), cache_dir_(std::move(cache)) {}

ModelStore ModelStore::open(const Registry& registry, std::string_view uri, StoreOptions options) {
  StoreUri parsed = parse_store_uri(uri);
  auto backend = registry.open_store(parsed);
  fs::path cache = options.cache_dir.empty() ? default_cache_dir() : options.cache_dir;
  return ModelStore(std::move(parsed), std::move(backend), std::move(cache));
}

std::uint64_t ModelStore::push(const fs::path& file, std::string_view name,
                               const PushOptions& options) {
  const detail::FileBytes bytes = detail::read_file(file, /*map=*/true);
  return push(bytes.bytes, name, options);
}

std::uint64_t ModelStore::push(std::span<const std::byte> artifact, std::string_view name,
                               const PushOptions& options) {
  const NewVersion v = detail::prepare_store_version(artifact, name, options);
  return backend_->push(std::span(&v, 1), options.progress).at(0);
}

StoredVersion ModelStore::resolve(std::string_view name, std::string_view ref) {
  const ModelLocation loc = parse_model_ref(uri_.uri, std::string(name) + "@" + std::string(ref));
  VersionRef r;
  if (loc.ref != "latest" && loc.ref.find_first_not_of("0123456789") == std::string::npos) {
    std::uint64_t number = 0;
    const auto [end, ec] = std::from_chars(loc.ref.data(), loc.ref.data() + loc.ref.size(), number);
    if (ec != std::errc() || number == 0)
      throw UsageError(ErrorCode::kInvalidParameter,
                       "version '" + loc.ref + "': versions are numbered from 1");
    r.version = number;
  } else if (loc.ref != "latest") {
    r.alias = loc.ref;
  }
  return backend_->find(loc.name, r);
}

fs::path ModelStore::fetch(const StoredVersion& v) {
  const std::string what = uri_.uri + "#" + describe(v.name, v.version);
  check_hash_text(v.content_hash, what);
  const fs::path file = cache_dir_ / (v.content_hash + ".mlp");
  prepare_cache_dir(cache_dir_);
  // Entries are renamed in whole once verified; a hit is checked against its content hash
  // (store_cache.cpp), so bytes changed in the cache are fetched again, never loaded.
  if (detail::cached_entry_valid(file, v.content_hash, v.size)) return file;
  detail::write_file_atomically(file, [&](int fd) {
    crypto_hash_sha256_state whole;
    crypto_hash_sha256_init(&whole);
    std::uint64_t written = 0;
    for (const ChunkRef& chunk : v.chunks) {
      check_hash_text(chunk.hash, what);
      const std::string bytes = backend_->read_chunk(chunk.hash);
      check_chunk(chunk, bytes, what);
      crypto_hash_sha256_update(&whole, reinterpret_cast<const unsigned char*>(bytes.data()),
                                bytes.size());
      detail::write_all(fd, bytes.data(), bytes.size(), file);
      written += bytes.size();
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&whole, digest);
    if (written != v.size || hex(digest) != v.content_hash)
      throw FormatError(ErrorCode::kChecksumMismatch,
                        what + ": the chunks do not add up to the recorded SHA-256 " +
                            v.content_hash + "; the store is damaged. Push the model again");
  });
  detail::record_verified(file, v.content_hash);
  return file;
}

void ModelStore::pull(std::string_view name, std::string_view ref, const fs::path& out) {
  const fs::path cached = fetch(resolve(name, ref));
  const detail::FileBytes bytes = detail::read_file(cached, /*map=*/true);
  detail::write_file_atomically(
      out, [&](int fd) { detail::write_all(fd, bytes.bytes.data(), bytes.bytes.size(), out); });
}

Header ModelStore::inspect(std::string_view name, std::string_view ref) {
  const StoredVersion v = resolve(name, ref);
  const std::string what = uri_.uri + "#" + describe(v.name, v.version);
  if (v.chunks.empty())
    throw FormatError(ErrorCode::kTruncated, what + ": the store lists no chunks for it");
  check_hash_text(v.chunks.front().hash, what);
  const std::string head = backend_->read_chunk(v.chunks.front().hash);
  check_chunk(v.chunks.front(), head, what);
  Header h = read_header(as_span(head), what, Limits{});
  h.payload_checksum = recorded_trailer_checksum(v, h, what);
  return h;
}

std::shared_ptr<Estimator> ModelStore::load(const Registry& registry, std::string_view name,
                                            std::string_view ref, const LoadOptions& options) {
  return mlpersist::load(registry, fetch(resolve(name, ref)), options);
}

std::vector<ModelSummary> ModelStore::models() {
  return backend_->models();
}

std::vector<StoredVersion> ModelStore::versions(std::string_view name) {
  check_model_name(name);
  return backend_->versions(name);
}

void ModelStore::set_alias(std::string_view name, std::uint64_t version, std::string_view alias) {
  check_model_name(name);
  check_alias(alias);
  backend_->move_alias(AliasInfo{std::string(name), std::string(alias), version, std::nullopt,
                                 utc_timestamp(), who_am_i()});
}

std::vector<AliasInfo> ModelStore::alias_history(std::string_view name) {
  check_model_name(name);
  return backend_->alias_history(name);
}

std::vector<StoredVersion> ModelStore::search(const std::vector<SearchTerm>& terms) {
  return backend_->search(terms);
}

}  // namespace mlpersist
