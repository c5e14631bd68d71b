#include "fuzz_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <mlpersist/endian.hpp>
#include <mlpersist/envelope.hpp>

namespace mlpersist::fuzz {
namespace {

std::uint64_t checksum_of(std::string_view bytes) {
  return checksum64(std::as_bytes(std::span(bytes.data(), bytes.size())));
}

}  // namespace

const Registry& registry() {
  static const Registry r = [] {
    Registry reg;
    reg.load_plugins({MLPERSIST_FUZZ_PLUGIN_DIR});
    for (const PluginFailure& f : reg.failures()) {
      std::fprintf(stderr, "plugin %s failed to load: %s\n", f.path.c_str(), f.reason.c_str());
      std::abort();
    }
    return reg;
  }();
  return r;
}

std::string with_valid_checksums(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (size < kPreludeSize) return bytes;
  auto* p = reinterpret_cast<std::byte*>(bytes.data());
  const std::uint64_t header_end = kPreludeSize + load_le<std::uint32_t>(p + 12);
  if (header_end > size) return bytes;
  const std::string checked =
      bytes.substr(0, 32) + bytes.substr(kPreludeSize, header_end - kPreludeSize);
  store_le<std::uint64_t>(p + 32, checksum_of(checked));
  const std::uint64_t offset = load_le<std::uint64_t>(p + 16);
  const std::uint64_t length = load_le<std::uint64_t>(p + 24);
  if (offset > size || length > size - offset) return bytes;
  const std::string_view payload = std::string_view(bytes).substr(offset, length);
  const std::uint64_t room = size - offset - length;
  if (load_le<std::uint16_t>(p + 8) < 2) {  // container 1: one checksum of the payload
    if (room >= 8) store_le<std::uint64_t>(p + offset + length, checksum_of(payload));
    return bytes;
  }
  const std::string trailer =
      write_trailer(std::as_bytes(std::span(payload.data(), payload.size())));
  if (room >= trailer.size()) bytes.replace(offset + length, trailer.size(), trailer);
  return bytes;
}

void finding(std::string_view what) {
  std::fprintf(stderr, "FINDING: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

}  // namespace mlpersist::fuzz
