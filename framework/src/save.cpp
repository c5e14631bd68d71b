// Saving: an estimator's document, its header and metadata, encoded by a backend through the
// sinks of detail/save_sinks.hpp into bytes, a stream or a crash-safe file.

#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/provenance.hpp>
#include <mlpersist/verify.hpp>
#include <mlpersist/version.hpp>
#include <ostream>

#include "detail/buffer.hpp"
#include "detail/file_io.hpp"
#include "detail/save_sinks.hpp"

namespace mlpersist {
namespace {

namespace fs = std::filesystem;
using detail::CountingSink;
using detail::FdSink;
using detail::HashingSink;
using detail::PieceSink;
using detail::StreamSink;

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
      head.size() + payload_size + trailer_size(kContainerVersion, payload_size);
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
  else if (p.verification_table)
    m.insert("verification", make_verification_record(estimator, *p.verification_table));
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

}  // namespace

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
