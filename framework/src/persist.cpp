#include <array>
#include <cstring>
#include <istream>
#include <limits>
#include <mlpersist/endian.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/verify.hpp>
#include <mlpersist/version.hpp>
#include <ostream>
#include <thread>

#include "detail/buffer.hpp"
#include "detail/chunk_hash.hpp"
#include "detail/file_io.hpp"
#include "detail/migrate.hpp"
#include "detail/signature_policy.hpp"

namespace mlpersist {
namespace {

namespace fs = std::filesystem;

// What a save writes: the header (whose payload size is filled in once known), the root
// document and the backend that encodes it.
struct Prepared {
  Header header;
  Value root;
  std::shared_ptr<const Backend> backend;
  ProgressFn progress{};
};

Prepared prepare_document(const Registry& registry, Header h, Value root) {
  h.framework_version = MLPERSIST_VERSION_STRING;
  // Re-encoding (migrate, convert) writes today's container even for an old file.
  h.container_version = kContainerVersion;
  h.min_container_version = kContainerVersion;
  auto backend = registry.backend(h.backend);
  return {std::move(h), std::move(root), std::move(backend), {}};
}

// Counts what a backend would write: bytes and streams size the payload first, since they
// cannot go back to fill in the prelude.
class CountingSink final : public Sink {
 public:
  void write(const void*, std::size_t size) override { size_ += size; }
  [[nodiscard]] std::uint64_t position() const override { return size_; }

 private:
  std::uint64_t size_ = 0;
};

class FdSink final : public Sink {
 public:
  FdSink(int fd, const fs::path& file) : fd_(fd), file_(file) {}
  void write(const void* data, std::size_t size) override {
    detail::write_all(fd_, data, size, file_);
    written_ += size;
  }
  [[nodiscard]] std::uint64_t position() const override { return written_; }

 private:
  int fd_;
  const fs::path& file_;
  std::uint64_t written_ = 0;
};

class StreamSink final : public Sink {
 public:
  explicit StreamSink(std::ostream& out) : out_(out) {}
  void write(const void* data, std::size_t size) override {
    out_.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out_) throw IoError(ErrorCode::kIo, "<stream>: write failed");
    written_ += size;
  }
  [[nodiscard]] std::uint64_t position() const override { return written_; }

 private:
  std::ostream& out_;
  std::uint64_t written_ = 0;
};

// Passes the artifact on to `out` while hashing its payload into the chunk table. Small writes
// (a backend writes a document's structure a few bytes at a time) are gathered in a buffer, so
// that a file sees one system call per buffer and the hash runs on whole blocks. The header
// goes in first, unhashed, and the trailer last, so a small artifact is written in one piece.
// Large blocks (tensor data) bypass the buffer and are hashed on a second thread while `out`
// writes them, so the checksum costs no time. A progress callback hears of each flush and of
// each 32 MB slice of a large block.
class HashingSink final : public Sink {
 public:
  HashingSink(Sink& out, std::string_view head, const ProgressFn& progress, std::uint64_t total)
      : out_(out), progress_(progress), total_(total) {
    if (head.size() > kBuffer) {  // large metadata: written at once, never rewritten in place
      out_.write(head.data(), head.size());
      flushed_ = head.size();
    } else {
      append(head.data(), head.size());
      unhashed_ = head.size();
    }
    head_ = head.size();
  }
  void write(const void* data, std::size_t size) override {
    written_ += size;
    if (size <= kBuffer - used_) return append(data, size);
    flush();
    if (size < kBuffer) return append(data, size);
    write_large(static_cast<const std::byte*>(data), size);
  }
  /// Payload bytes written so far.
  [[nodiscard]] std::uint64_t position() const override { return written_; }
  /// Appends the trailer; the caller then may rewrite the header and must flush().
  void finish_payload() {
    const std::string trailer =
        detail::chunk_trailer(hasher_.finish({buffer_.data() + unhashed_, used_ - unhashed_}));
    unhashed_ = used_;
    if (trailer.size() > kBuffer - used_) flush();
    if (trailer.size() > kBuffer) {  // a payload over 1 GiB: more than 4096 chunks
      out_.write(trailer.data(), trailer.size());
      flushed_ += trailer.size();
      return report();
    }
    append(trailer.data(), trailer.size());
    unhashed_ = used_;
  }
  /// Replaces the header when it is still in the buffer (a file's prelude, once the payload
  /// size is known); false when it was written already.
  bool rewrite_head(std::string_view head) {
    if (flushed_ != 0 || head.size() != head_) return false;
    std::memcpy(buffer_.data(), head.data(), head.size());
    return true;
  }
  void flush() {
    if (used_ == 0) return;
    hasher_.update(buffer_.data() + unhashed_, used_ - unhashed_);
    out_.write(buffer_.data(), used_);
    flushed_ += used_;
    used_ = unhashed_ = 0;
    report();
  }

 private:
  static constexpr std::size_t kBuffer = std::size_t{32} << 10;

  void append(const void* data, std::size_t size) {
    std::memcpy(buffer_.data() + used_, data, size);
    used_ += size;
  }
  void report() const {
    if (progress_) progress_(std::min(flushed_, total_ == 0 ? flushed_ : total_), total_);
  }
  void write_large(const std::byte* bytes, std::size_t size) {
    constexpr std::size_t kSlice = std::size_t{32} << 20;
    const std::size_t slice = progress_ ? kSlice : size;
    for (std::size_t done = 0; done < size; done += slice) {
      write_block(bytes + done, std::min(slice, size - done));
      report();
    }
  }
  void write_block(const std::byte* bytes, std::size_t size) {
    if (size < detail::kParallelHashThreshold) {
      hasher_.update(bytes, size);
      out_.write(bytes, size);
    } else {
      std::thread hashing([&] { hasher_.update(bytes, size); });
      try {
        out_.write(bytes, size);
      } catch (...) {
        hashing.join();
        throw;
      }
      hashing.join();
    }
    flushed_ += size;
  }

  Sink& out_;
  const ProgressFn& progress_;
  std::uint64_t total_;  // the artifact's size, 0 when unknown
  detail::ChunkHasher hasher_;
  std::array<std::byte, kBuffer> buffer_;
  std::size_t used_ = 0;
  std::size_t unhashed_ = 0;  // buffered bytes that are not payload (header, trailer)
  std::size_t head_ = 0;
  std::uint64_t flushed_ = 0;  // artifact bytes passed on to `out`
  std::uint64_t written_ = 0;  // payload bytes received
};

// An artifact gathered in pieces that grow geometrically, for a bytes save whose backend cannot
// size its payload cheaply: one encoding instead of two. Each piece is freed once joined, so
// memory peaks at the result plus the largest piece (64 MiB); large pieces and the result use
// huge pages, so filling them costs little beside the encoding.
class PieceSink final : public Sink {
 public:
  void write(const void* data, std::size_t size) override {
    const auto* bytes = static_cast<const std::byte*>(data);
    written_ += size;
    while (size > 0) {
      if (pieces_.empty() || pieces_.back().used == pieces_.back().size) grow();
      Piece& piece = pieces_.back();
      const std::size_t n = std::min(size, piece.size - piece.used);
      std::memcpy(piece.data.get() + piece.used, bytes, n);
      piece.used += n;
      bytes += n;
      size -= n;
    }
  }
  [[nodiscard]] std::uint64_t position() const override { return written_; }
  /// The pieces as one string, its first bytes replaced by `head` (of the same length).
  std::string join(std::string_view head) {
    std::string out;
    out.reserve(static_cast<std::size_t>(written_));
    detail::advise_huge_pages(out.data(), out.capacity());
    for (Piece& piece : pieces_) {
      out.append(reinterpret_cast<const char*>(piece.data.get()), piece.used);
      piece.data.reset();
    }
    out.replace(0, head.size(), head);
    return out;
  }

 private:
  struct Piece {
    std::shared_ptr<std::byte> data;
    std::size_t size = 0;
    std::size_t used = 0;
  };
  void grow() {
    constexpr std::size_t kFirst = std::size_t{64} << 10;
    constexpr std::size_t kLargest = std::size_t{64} << 20;
    const std::size_t size = pieces_.empty() ? kFirst : std::min(2 * pieces_.back().size, kLargest);
    pieces_.push_back({detail::aligned_buffer(size), size, 0});
  }

  std::vector<Piece> pieces_;
  std::uint64_t written_ = 0;
};

std::uint64_t measure(const Prepared& p) {
  CountingSink counter;
  p.backend->encode(p.root, counter);
  return counter.position();
}

// Header, payload and trailer, in one pass, when the payload size is known in advance; `head`
// is write_header's output for that size.
void write_sized(const Prepared& p, Sink& out, const std::string& head,
                 std::uint64_t payload_size) {
  const std::uint64_t total =
      head.size() + payload_size + 8 * (chunk_count(kContainerVersion, payload_size) + 1);
  HashingSink sink(out, head, p.progress, total);
  p.backend->encode(p.root, sink);
  if (sink.position() != payload_size)
    throw PluginError(ErrorCode::kPlugin, "backend '" + p.header.backend + "' wrote " +
                                              std::to_string(sink.position()) +
                                              " payload bytes after measuring " +
                                              std::to_string(payload_size) +
                                              "; its encoder must write the same bytes every time");
  sink.finish_payload();
  sink.flush();
}

// Header, payload and trailer in one pass, the payload's size not known yet. Returns the final
// header, which must replace the first bytes written unless `in_place` says it did already
// (a small artifact, still buffered at the end).
std::string write_unsized(Prepared& p, Sink& out, bool& in_place) {
  HashingSink sink(out, write_header(p.header, 0), p.progress, 0);
  p.backend->encode(p.root, sink);
  sink.finish_payload();
  std::string head = write_header(p.header, sink.position());
  in_place = sink.rewrite_head(head);
  sink.flush();
  return head;
}

// A file is written in one pass: the prelude's payload size and checksum are filled in at the
// end, which changes no other byte (the header text does not depend on the payload).
void write_to_file(Prepared& p, const fs::path& file) {
  detail::write_file_atomically(file, [&](int fd) {
    Header& h = p.header;
    FdSink out(fd, file);
    // Only a progress bar needs the size in advance (time left), and only when it is cheap to
    // know: text formats show bytes written and time elapsed instead of encoding twice.
    if (p.progress && p.backend->sizes_cheaply()) {
      const std::uint64_t payload_size = measure(p);
      return write_sized(p, out, write_header(h, payload_size), payload_size);
    }
    bool in_place = false;
    const std::string head = write_unsized(p, out, in_place);
    if (!in_place) detail::pwrite_all(fd, head.data(), head.size(), 0, file);
  });
}

// The header metadata: the framework's entries (created_at, versions, provenance), then the
// caller's own, which may not reuse a reserved name.
Value compose_metadata(const Registry& registry, const Estimator& estimator, const Header& h,
                       const SaveOptions& options) {
  if (options.metadata.kind() != Kind::kMap)
    throw UsageError(ErrorCode::kInvalidParameter, "SaveOptions::metadata must be a map");
  const Provenance& p = options.provenance;
  Map m;
  m.insert("created_at", utc_timestamp());
  m.insert("versions", current_versions(registry, h));
  if (p.training_data) m.insert("training_data", p.training_data->to_value());
  if (p.source) m.insert("source", p.source->to_value());
  if (p.cross_validation) m.insert("cross_validation", p.cross_validation->to_value());
  if (!p.user.empty()) {
    Map user;
    for (const auto& [key, value] : p.user) user.insert(key, value);
    m.insert("user", std::move(user));
  }
  if (p.verification_inputs)
    m.insert("verification", make_verification_record(estimator, *p.verification_inputs));
  for (const auto& [key, value] : options.metadata.as_map()) {
    for (const char* reserved : kReservedMetadataKeys)
      if (key == reserved)
        throw UsageError(ErrorCode::kInvalidParameter, "SaveOptions::metadata: key '" + key +
                                                           "' is reserved; set it through "
                                                           "SaveOptions::provenance");
    m.insert(key, value);
  }
  return m;
}

Prepared prepare(const Registry& registry, const Estimator& estimator, const SaveOptions& options) {
  SaveContext ctx;
  Value root = ctx.save_nested(estimator);
  Header h;
  h.backend = options.format;
  h.type_tag = std::string(estimator.type_tag());
  h.schema_version = estimator.schema_version();
  h.types = ctx.types();
  h.min_reader_versions = ctx.min_reader_versions();
  h.metadata = compose_metadata(registry, estimator, h, options);
  Prepared p = prepare_document(registry, std::move(h), std::move(root));
  p.progress = options.progress;
  return p;
}

// The type a tag names here, following renames registered by plugins.
const TypeInfo* resolve(const Registry& registry, std::string tag) {
  for (int hop = 0; hop < 16; ++hop) {
    if (const TypeInfo* info = registry.find_type(tag)) return info;
    const RenameInfo* rename = registry.find_rename(tag);
    if (rename == nullptr) return nullptr;
    tag = rename->new_tag;
  }
  return nullptr;
}

std::uint32_t min_reader(const Header& h, const std::string& tag, std::uint32_t version) {
  const auto it = h.min_reader_versions.find(tag);
  return it == h.min_reader_versions.end() ? version : it->second;
}

// A file newer than the plugin is readable only when its writer says so (min_reader_version,
// as SQLite's and ext4's feature flags do); otherwise refuse before decoding anything.
void check_not_too_new(const Header& h, const std::string& tag, std::uint32_t version,
                       const TypeInfo& info, std::string_view source) {
  const std::uint32_t needs = min_reader(h, tag, version);
  if (needs <= info.schema_version) return;
  throw CompatibilityError(ErrorCode::kSchemaTooNew,
                           std::string(source) + ": type '" + tag +
                               "' was saved with schema version " + std::to_string(version) +
                               ", which needs a reader of schema " + std::to_string(needs) +
                               " or later; plugin '" + info.plugin + "' reads up to schema " +
                               std::to_string(info.schema_version) + ". Upgrade that plugin");
}

// Refuses unknown or too-new types before any payload is decoded (the header lists them all).
void check_types(const Registry& registry, const Header& h, std::string_view source) {
  std::string unknown;
  for (const auto& [tag, version] : h.types) {
    if (const TypeInfo* info = resolve(registry, tag))
      check_not_too_new(h, tag, version, *info, source);
    else
      unknown += (unknown.empty() ? "" : ", ") + tag;
  }
  if (!unknown.empty())
    throw CompatibilityError(ErrorCode::kUnknownTypeTag,
                             std::string(source) + ": no loaded plugin provides type(s): " +
                                 unknown + "; load the plugins that provide them");
}

std::string join(const std::set<std::string, std::less<>>& tags) {
  std::string out;
  for (const std::string& tag : tags) out += (out.empty() ? "" : ", ") + tag;
  return out;
}

[[noreturn]] void refuse_types(std::string_view where, const std::string& tags,
                               const LoadOptions& options) {
  throw SecurityError(ErrorCode::kTypeNotAllowed,
                      std::string(where) + ": type(s) outside the allowed set: " + tags +
                          "; allowed: " + join(options.allowed_types) +
                          " (LoadOptions::allowed_types, --allow-type)");
}

// LoadOptions::allowed_types, checked on the types as they would load here (after renames).
void check_allowed(const Registry& registry, const Header& h, const LoadOptions& options,
                   std::string_view source) {
  if (options.allowed_types.empty()) return;
  std::string refused;
  for (const auto& [tag, version] : h.types) {
    const TypeInfo* info = resolve(registry, tag);
    if (!options.allowed_types.contains(info != nullptr ? info->type_tag : tag))
      refused += (refused.empty() ? "" : ", ") + tag;
  }
  if (!refused.empty()) refuse_types(source, refused, options);
}

// Migration errors name the document path; the file is added here.
void upgrade(const Registry& registry, Document& doc, std::string_view source) {
  try {
    detail::upgrade_in_place(registry, doc);
  } catch (const SchemaError& e) {
    throw SchemaError(e.code(), std::string(source) + ": " + e.what());
  } catch (const CompatibilityError& e) {
    throw CompatibilityError(e.code(), std::string(source) + ": " + e.what());
  }
}

// Artifact bytes to decode, and how they reached memory.
struct Input {
  std::span<const std::byte> bytes;
  std::string_view source;
  std::shared_ptr<const void> owner;        ///< set when tensors may borrow the bytes
  bool mapped = false;                      ///< a mapped file: tensors may be verified lazily
  std::vector<std::uint64_t> chunk_hashes;  ///< computed while a copy was read
};

// Verifies the payload before decoding, or (mapped files, backends that verify what they read)
// hands the checksums to the decoder so that tensors are verified when first read.
std::shared_ptr<const PayloadIntegrity> verification(const Input& in, const Header& h,
                                                     const Backend& backend,
                                                     const LoadOptions& options) {
  if (!options.verify_checksum) {
    (void)checked_payload(in.bytes, h, in.source, /*verify_checksum=*/false);  // sizes only
    return nullptr;
  }
  auto integrity =
      std::make_shared<const PayloadIntegrity>(in.bytes, h, std::string(in.source), in.owner);
  if (in.mapped && options.lazy_verification && backend.verifies_ranges()) return integrity;
  integrity->verify_all(in.chunk_hashes);
  return nullptr;
}

Document decode(const Registry& registry, const Input& in, const LoadOptions& options) {
  Document doc;
  doc.header = read_header(in.bytes, in.source, options.limits);
  const Header& h = doc.header;
  const auto backend = registry.backend(h.backend);
  auto integrity = verification(in, h, *backend, options);
  const auto payload = in.bytes.subspan(h.payload_offset, h.payload_size);
  detail::enforce_signature_policy(h, payload, options.trusted_public_keys,
                                   options.require_signature, in.source);
  check_allowed(registry, h, options, in.source);
  check_types(registry, h, in.source);
  Limits limits = options.limits;
  limits.max_values = limits.values_limit(payload.size());
  DecodeInput input{payload, in.source, h.payload_offset, in.owner, limits, std::move(integrity)};
  doc.root = backend->decode(input);
  detail::check_declared_types(h, doc.root);
  if (options.migrate && detail::needs_upgrade(registry, h)) upgrade(registry, doc, in.source);
  return doc;
}

std::vector<std::string> feature_names(const Node& names, std::int64_t n_features) {
  if (names.size() != static_cast<std::size_t>(n_features))
    names.fail("has " + std::to_string(names.size()) + " names for " + std::to_string(n_features) +
               " features");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < names.size(); ++i) out.push_back(names[i].as_string());
  return out;
}

// The column types and string classes beside the signature (absent for numeric models).
void restore_table_signature(Estimator& estimator, const Node& doc, std::int64_t n_features) {
  std::vector<ColumnType> types;
  if (auto t = doc.find("feature_types_in_")) {
    if (t->size() != static_cast<std::size_t>(n_features))
      t->fail("has " + std::to_string(t->size()) + " types for " + std::to_string(n_features) +
              " features");
    for (std::size_t i = 0; i < t->size(); ++i) {
      const auto type = column_type_from_name((*t)[i].as_string());
      if (!type) (*t)[i].fail("expected \"number\" or \"string\"");
      types.push_back(*type);
    }
  }
  std::vector<std::string> classes;
  if (auto c = doc.find("class_labels_")) {
    for (std::size_t i = 0; i < c->size(); ++i) {
      classes.push_back((*c)[i].as_string());
      if (i > 0 && !(classes[i - 1] < classes[i]))
        (*c)[i].fail("class labels must be unique and sorted (by code point)");
    }
    if (classes.empty()) c->fail("expected at least one class label");
  }
  estimator.restore_table_signature(std::move(types), std::move(classes));
}

// Reads exactly `size` bytes, growing the buffer only as data actually arrives, so a header
// that lies about the payload size cannot make us allocate more than the stream holds.
void read_exact(std::istream& in, std::string& out, std::uint64_t size) {
  constexpr std::uint64_t kChunk = 1u << 20;
  while (out.size() < size) {
    const std::size_t before = out.size();
    const auto n = static_cast<std::size_t>(std::min(kChunk, size - out.size()));
    out.resize(before + n);
    in.read(out.data() + before, static_cast<std::streamsize>(n));
    out.resize(before + static_cast<std::size_t>(in.gcount()));
    if (out.size() != before + n) return;
  }
}

}  // namespace

namespace {

// Same version, or newer with only optional additions (min_reader_version); older documents
// must have been upgraded by upgrade_document first.
void check_readable(const Node& doc, const TypeInfo& info) {
  const Node version_node = doc["schema_version"];
  const auto version = static_cast<std::uint32_t>(version_node.as_int(1, UINT32_MAX));
  if (version == info.schema_version) return;
  auto needs = version;
  if (auto m = doc.find("min_reader_version"))
    needs = static_cast<std::uint32_t>(m->as_int(1, version));
  if (version > info.schema_version && needs <= info.schema_version) return;
  const std::string what = "state of '" + info.type_tag + "' has schema version " +
                           std::to_string(version) + ", plugin '" + info.plugin + "' reads " +
                           std::to_string(info.schema_version);
  if (version > info.schema_version)
    version_node.fail(what + " and the file needs a reader of schema " + std::to_string(needs) +
                      "; upgrade that plugin");
  // instantiate() builds what it is given: a document read without LoadOptions::migrate (or
  // built by hand) must be upgraded first.
  version_node.fail(what +
                    "; upgrade the document first (upgrade_document, or read it with "
                    "LoadOptions::migrate, the default)");
}

// LoadOptions::replay_verification: the model must reproduce its recorded outputs.
void replay_or_throw(const Registry& registry, const Document& doc, const Estimator& model,
                     const Limits& limits) {
  const Map& metadata = doc.header.metadata.as_map();
  const Value* record = metadata.find("verification");
  if (record == nullptr) return;
  const Value* versions = metadata.find("versions");
  const bool same = versions != nullptr && *versions == current_versions(registry, doc.header);
  const VerificationReport report = replay_verification(model, *record, same, limits);
  if (!report.passed())
    throw CompatibilityError(ErrorCode::kVerificationFailed,
                             "the loaded '" + doc.header.type_tag +
                                 "' does not reproduce its "
                                 "verification records" +
                                 (same ? " (same build: exact)" : "") + ": " + report.summary() +
                                 "; re-fit or re-verify the model");
}

}  // namespace

Value SaveContext::save_nested(const Estimator& estimator) {
  const std::string tag(estimator.type_tag());
  types_[tag] = estimator.schema_version();
  Map m;
  m.insert("type", tag);
  m.insert("schema_version", estimator.schema_version());
  if (estimator.min_reader_version() < estimator.schema_version()) {
    min_readers_[tag] = estimator.min_reader_version();
    m.insert("min_reader_version", estimator.min_reader_version());
  }
  m.insert("params", estimator.get_params());
  if (!estimator.is_fitted()) {
    m.insert("state", Value());
    return m;
  }
  m.insert("n_features_in_", estimator.n_features_in());
  if (!estimator.feature_names_in().empty()) {
    Array names(estimator.feature_names_in().begin(), estimator.feature_names_in().end());
    m.insert("feature_names_in_", std::move(names));
  }
  // Only tables with a string column and classifiers fitted on string labels add these, so
  // documents of all-numeric models stay as they were.
  if (!estimator.feature_types_in().empty()) {
    Array types;
    for (ColumnType t : estimator.feature_types_in()) types.emplace_back(column_type_name(t));
    m.insert("feature_types_in_", std::move(types));
  }
  if (!estimator.class_labels().empty()) {
    Array labels(estimator.class_labels().begin(), estimator.class_labels().end());
    m.insert("class_labels_", std::move(labels));
  }
  m.insert("state", estimator.save_state(*this));
  return m;
}

std::shared_ptr<Estimator> LoadContext::load_nested(const Node& doc) {
  const Node type = doc["type"];
  const std::string& tag = type.as_string();
  const TypeInfo* info = registry_.find_type(tag);
  if (info == nullptr)
    type.fail("unknown estimator type '" + tag + "'; load the plugin that provides it");
  if (!options_.allowed_types.empty() && !options_.allowed_types.contains(tag))
    refuse_types("'" + type.path() + "'", tag, options_);
  if (header_ != nullptr && !header_->types.contains(tag))
    type.fail("type '" + tag + "' is not listed in the header's types; a document may only " +
              "hold the types its header declares");
  check_readable(doc, *info);
  auto estimator = registry_.create(tag);
  try {
    estimator->set_params(doc["params"].value());
  } catch (const UsageError& e) {
    doc["params"].fail(e.what());
  }
  const Node state = doc["state"];
  if (state.value().is_null()) return estimator;
  // The signature comes first: load_state checks its arrays against n_features_in().
  const auto n_features = doc["n_features_in_"].as_int(1, INT32_MAX);
  std::vector<std::string> names;
  if (auto n = doc.find("feature_names_in_")) names = feature_names(*n, n_features);
  estimator->restore_signature(n_features, std::move(names));
  restore_table_signature(*estimator, doc, n_features);
  estimator->load_state(state, *this);
  // After load_state: a Pipeline's kind is its last step's.
  if (!estimator->class_labels().empty() && estimator->kind() != EstimatorKind::kClassifier)
    doc["class_labels_"].fail("only a classifier has string class labels");
  return estimator;
}

std::string dumps(const Registry& registry, const Estimator& estimator,
                  const SaveOptions& options) {
  Prepared p = prepare(registry, estimator, options);
  if (!p.backend->sizes_cheaply()) {
    PieceSink pieces;
    bool in_place = false;
    const std::string head = write_unsized(p, pieces, in_place);
    return pieces.join(in_place ? std::string_view() : head);
  }
  // Sized first, so the string is allocated once: growing it would copy the payload.
  const std::uint64_t payload_size = measure(p);
  Header& h = p.header;
  const std::string head = write_header(h, payload_size);
  std::string out;
  out.reserve(static_cast<std::size_t>(artifact_size(h)));
  detail::advise_huge_pages(out.data(), out.capacity());
  StringSink sink(out);
  write_sized(p, sink, head, payload_size);
  return out;
}

void dump(const Registry& registry, const Estimator& estimator, std::ostream& out,
          const SaveOptions& options) {
  Prepared p = prepare(registry, estimator, options);
  const std::uint64_t payload_size = measure(p);
  Header& h = p.header;
  StreamSink sink(out);
  write_sized(p, sink, write_header(h, payload_size), payload_size);
}

void dump(const Registry& registry, const Estimator& estimator, const fs::path& file,
          const SaveOptions& options) {
  Prepared p = prepare(registry, estimator, options);
  write_to_file(p, file);
}

std::shared_ptr<Estimator> loads(const Registry& registry, std::string_view bytes,
                                 const LoadOptions& options) {
  const Document doc =
      decode(registry,
             {std::as_bytes(std::span(bytes.data(), bytes.size())), "<bytes>", nullptr, false, {}},
             options);
  return instantiate(registry, doc, options);
}

std::shared_ptr<Estimator> loads(const Registry& registry, std::span<const std::byte> bytes,
                                 std::shared_ptr<const void> owner, const LoadOptions& options) {
  return instantiate(registry, read_document(registry, bytes, std::move(owner), options), options);
}

std::shared_ptr<Estimator> load(const Registry& registry, std::istream& in,
                                const LoadOptions& options) {
  auto buffer = std::make_shared<std::string>();
  read_exact(in, *buffer, kPreludeSize);
  const auto as_span = [&] { return std::as_bytes(std::span(buffer->data(), buffer->size())); };
  read_exact(in, *buffer, header_extent(as_span(), "<stream>", options.limits));
  const Header h = read_header(as_span(), "<stream>", options.limits);
  read_exact(in, *buffer, artifact_size(h));
  const Document doc = decode(registry, {as_span(), "<stream>", buffer, false, {}}, options);
  return instantiate(registry, doc, options);
}

std::shared_ptr<Estimator> load(const Registry& registry, const fs::path& file,
                                const LoadOptions& options) {
  return instantiate(registry, read_document(registry, file, options), options);
}

Document read_document(const Registry& registry, const fs::path& file, const LoadOptions& options) {
  detail::FileBytes f = detail::read_file(file, options.mmap, options.progress);
  const std::string source = file.string();
  return decode(registry,
                {f.bytes, source, std::move(f.owner), f.mapped, std::move(f.chunk_hashes)},
                options);
}

Document read_document(const Registry& registry, std::span<const std::byte> bytes,
                       std::shared_ptr<const void> owner, const LoadOptions& options) {
  return decode(registry, {bytes, "<bytes>", std::move(owner), false, {}}, options);
}

std::shared_ptr<Estimator> instantiate(const Registry& registry, const Document& document,
                                       const LoadOptions& options) {
  LoadContext ctx(registry, options, &document.header);
  auto estimator = ctx.load_nested(Node(document.root, ""));
  if (options.replay_verification) replay_or_throw(registry, document, *estimator, options.limits);
  return estimator;
}

Header inspect(const fs::path& file, const Limits& limits) {
  const std::string source = file.string();
  const std::string prelude = detail::read_range(file, 0, kPreludeSize);
  const auto extent =
      header_extent(std::as_bytes(std::span(prelude.data(), prelude.size())), source, limits);
  const std::string head = detail::read_range(file, 0, extent);
  Header h = read_header(std::as_bytes(std::span(head.data(), head.size())), source, limits);
  const std::uint64_t size = detail::size_of_file(file);
  if (size != artifact_size(h))
    throw FormatError(ErrorCode::kTruncated, source + ": file has " + std::to_string(size) +
                                                 " bytes, but its header declares " +
                                                 std::to_string(artifact_size(h)));
  detail::check_signature_entry(h, source);
  const std::string trailer = detail::read_range(file, size - 8, 8);
  h.payload_checksum = load_le<std::uint64_t>(reinterpret_cast<const std::byte*>(trailer.data()));
  return h;
}

const TypeInfo* resolve_type(const Registry& registry, std::string_view type_tag) {
  return resolve(registry, std::string(type_tag));
}

void write_document(const Registry& registry, const Document& document, std::string_view format,
                    const fs::path& file, const ProgressFn& progress) {
  Header h = document.header;
  // Re-encoding makes a new payload: a signature of the old one could only fail to verify.
  h.metadata.as_map().erase("signature");
  h.backend = std::string(format);
  Prepared p = prepare_document(registry, std::move(h), document.root);
  p.progress = progress;
  write_to_file(p, file);
}

}  // namespace mlpersist
