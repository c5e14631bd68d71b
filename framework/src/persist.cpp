#include <mlpersist/endian.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/version.hpp>

#include "detail/file_io.hpp"

#include <istream>
#include <limits>
#include <ostream>

namespace mlpersist {
namespace {

namespace fs = std::filesystem;

// An encoded artifact: header bytes, payload bytes, trailer.
struct Encoded {
  std::string header;
  std::string payload;
  std::array<std::byte, kTrailerSize> trailer{};
};

Encoded encode_document(const Registry& registry, Header h, const Value& root) {
  const auto backend = registry.backend(h.backend);
  Encoded e;
  StringSink sink(e.payload);
  backend->encode(root, sink);
  h.framework_version = MLPERSIST_VERSION_STRING;
  e.header = write_header(h, e.payload.size());
  store_le<std::uint64_t>(e.trailer.data(),
                          checksum64(std::as_bytes(std::span(e.payload.data(), e.payload.size()))));
  return e;
}

Encoded encode(const Registry& registry, const Estimator& estimator, const SaveOptions& options) {
  if (options.metadata.kind() != Kind::kMap)
    throw UsageError(ErrorCode::kInvalidParameter, "SaveOptions::metadata must be a map");
  SaveContext ctx;
  const Value root = ctx.save_nested(estimator);
  Header h;
  h.backend = options.format;
  h.type_tag = std::string(estimator.type_tag());
  h.schema_version = estimator.schema_version();
  h.types = ctx.types();
  h.metadata = options.metadata;
  return encode_document(registry, std::move(h), root);
}

void write_to_file(const Encoded& e, const fs::path& file) {
  detail::write_file_atomically(file, [&](int fd) {
    detail::write_all(fd, e.header.data(), e.header.size(), file);
    detail::write_all(fd, e.payload.data(), e.payload.size(), file);
    detail::write_all(fd, e.trailer.data(), e.trailer.size(), file);
  });
}

// Refuses unknown or too-new types before any payload is decoded (the header lists them all).
void check_types(const Registry& registry, const Header& h, std::string_view source) {
  std::string unknown;
  for (const auto& [tag, version] : h.types) {
    const TypeInfo* info = registry.find_type(tag);
    if (info == nullptr) {
      unknown += (unknown.empty() ? "" : ", ") + tag;
    } else if (version > info->schema_version) {
      throw CompatibilityError(
          ErrorCode::kSchemaTooNew,
          std::string(source) + ": type '" + tag + "' was saved with schema version " +
              std::to_string(version) + ", but plugin '" + info->plugin + "' reads up to " +
              std::to_string(info->schema_version) + "; upgrade that plugin");
    }
  }
  if (!unknown.empty())
    throw CompatibilityError(ErrorCode::kUnknownTypeTag,
                             std::string(source) + ": no loaded plugin provides type(s): " +
                                 unknown + "; load the plugins that provide them");
}

Document decode(const Registry& registry, std::span<const std::byte> bytes,
                std::string_view source, std::shared_ptr<const void> owner,
                const LoadOptions& options) {
  Document doc;
  doc.header = read_header(bytes, source, options.limits);
  const Header& h = doc.header;
  const std::uint64_t expected = artifact_size(h);
  if (bytes.size() < expected)
    throw FormatError(ErrorCode::kTruncated,
                      std::string(source) + ": input has " + std::to_string(bytes.size()) +
                          " bytes, but its header declares " + std::to_string(expected) +
                          "; the file is truncated");
  if (bytes.size() > expected)
    throw FormatError(ErrorCode::kMalformed,
                      std::string(source) + ": " + std::to_string(bytes.size() - expected) +
                          " unexpected bytes after the end of the artifact at byte " +
                          std::to_string(expected));
  const auto payload = bytes.subspan(h.payload_offset, h.payload_size);
  if (options.verify_checksum && checksum64(payload) != h.payload_checksum)
    throw FormatError(ErrorCode::kChecksumMismatch,
                      std::string(source) + ": payload checksum mismatch (bytes " +
                          std::to_string(h.payload_offset) + " to " +
                          std::to_string(h.payload_offset + h.payload_size) +
                          "): the file was altered or corrupted after saving");
  check_types(registry, h, source);
  const auto backend = registry.backend(h.backend);
  DecodeInput in{payload, source, h.payload_offset, std::move(owner), options.limits};
  doc.root = backend->decode(in);
  return doc;
}

std::vector<std::string> feature_names(const Node& names, std::int64_t n_features) {
  if (names.size() != static_cast<std::size_t>(n_features))
    names.fail("has " + std::to_string(names.size()) + " names for " +
               std::to_string(n_features) + " features");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < names.size(); ++i) out.push_back(names[i].as_string());
  return out;
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

Value SaveContext::save_nested(const Estimator& estimator) {
  const std::string tag(estimator.type_tag());
  types_[tag] = estimator.schema_version();
  Map m;
  m.insert("type", tag);
  m.insert("schema_version", estimator.schema_version());
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
  m.insert("state", estimator.save_state(*this));
  return m;
}

std::shared_ptr<Estimator> LoadContext::load_nested(const Node& doc) {
  const Node type = doc["type"];
  const std::string& tag = type.as_string();
  const TypeInfo* info = registry_.find_type(tag);
  if (info == nullptr)
    type.fail("unknown estimator type '" + tag + "'; load the plugin that provides it");
  const auto version = doc["schema_version"].as_int(1, UINT32_MAX);
  if (version != info->schema_version)
    doc["schema_version"].fail("state of '" + tag + "' has schema version " +
                               std::to_string(version) + ", plugin '" + info->plugin +
                               "' reads version " + std::to_string(info->schema_version) +
                               " and registers no migration from it");
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
  estimator->load_state(state, *this);
  return estimator;
}

std::string dumps(const Registry& registry, const Estimator& estimator,
                  const SaveOptions& options) {
  const Encoded e = encode(registry, estimator, options);
  std::string out;
  out.reserve(e.header.size() + e.payload.size() + e.trailer.size());
  out += e.header;
  out += e.payload;
  out.append(reinterpret_cast<const char*>(e.trailer.data()), e.trailer.size());
  return out;
}

void dump(const Registry& registry, const Estimator& estimator, std::ostream& out,
          const SaveOptions& options) {
  const Encoded e = encode(registry, estimator, options);
  out.write(e.header.data(), static_cast<std::streamsize>(e.header.size()));
  out.write(e.payload.data(), static_cast<std::streamsize>(e.payload.size()));
  out.write(reinterpret_cast<const char*>(e.trailer.data()), e.trailer.size());
  if (!out) throw IoError(ErrorCode::kIo, "<stream>: write failed");
}

void dump(const Registry& registry, const Estimator& estimator, const fs::path& file,
          const SaveOptions& options) {
  write_to_file(encode(registry, estimator, options), file);
}

std::shared_ptr<Estimator> loads(const Registry& registry, std::string_view bytes,
                                 const LoadOptions& options) {
  const Document doc =
      decode(registry, std::as_bytes(std::span(bytes.data(), bytes.size())), "<bytes>", nullptr,
             options);
  return instantiate(registry, doc, options);
}

std::shared_ptr<Estimator> load(const Registry& registry, std::istream& in,
                                const LoadOptions& options) {
  auto buffer = std::make_shared<std::string>();
  read_exact(in, *buffer, kPreludeSize);
  const auto as_span = [&] { return std::as_bytes(std::span(buffer->data(), buffer->size())); };
  read_exact(in, *buffer, header_extent(as_span(), "<stream>", options.limits));
  const Header h = read_header(as_span(), "<stream>", options.limits);
  read_exact(in, *buffer, artifact_size(h));
  const Document doc = decode(registry, as_span(), "<stream>", buffer, options);
  return instantiate(registry, doc, options);
}

std::shared_ptr<Estimator> load(const Registry& registry, const fs::path& file,
                                const LoadOptions& options) {
  return instantiate(registry, read_document(registry, file, options), options);
}

Document read_document(const Registry& registry, const fs::path& file,
                       const LoadOptions& options) {
  detail::FileBytes f = detail::read_file(file, options.mmap);
  return decode(registry, f.bytes, file.string(), std::move(f.owner), options);
}

std::shared_ptr<Estimator> instantiate(const Registry& registry, const Document& document,
                                       const LoadOptions& options) {
  LoadContext ctx(registry, options);
  return ctx.load_nested(Node(document.root, ""));
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
    throw FormatError(ErrorCode::kTruncated,
                      source + ": file has " + std::to_string(size) +
                          " bytes, but its header declares " + std::to_string(artifact_size(h)));
  const std::string trailer = detail::read_range(file, size - kTrailerSize, kTrailerSize);
  h.payload_checksum = load_le<std::uint64_t>(reinterpret_cast<const std::byte*>(trailer.data()));
  return h;
}

void write_document(const Registry& registry, const Document& document, std::string_view format,
                    const fs::path& file) {
  Header h = document.header;
  h.backend = std::string(format);
  write_to_file(encode_document(registry, std::move(h), document.root), file);
}

}  // namespace mlpersist
