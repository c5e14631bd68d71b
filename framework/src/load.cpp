// Loading: bytes, a stream or a (mapped) file, checked in order — header, signature policy,
// allowed and known types, checksums — then decoded by the backend, upgraded by registered
// migrations and instantiated through LoadContext.

#include <istream>
#include <mlpersist/endian.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/verify.hpp>

#include "detail/file_io.hpp"
#include "detail/migrate.hpp"
#include "detail/signature_policy.hpp"
#include "detail/type_policy.hpp"

namespace mlpersist {
namespace {

namespace fs = std::filesystem;

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
  detail::check_allowed(registry, h, options, in.source);
  detail::check_types(registry, h, in.source);
  Limits limits = options.limits;
  limits.max_values = limits.values_limit(payload.size());
  DecodeInput input{payload, in.source, h.payload_offset, in.owner, limits, std::move(integrity)};
  doc.root = backend->decode(input);
  detail::check_declared_types(h, doc.root);
  if (options.migrate && detail::needs_upgrade(registry, h)) upgrade(registry, doc, in.source);
  return doc;
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

}  // namespace mlpersist
