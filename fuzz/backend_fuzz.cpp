// One backend's decoder (MLPERSIST_FUZZ_BACKEND) on arbitrary payload bytes, with and without a
// shared owner (so borrowed tensors are read too). A payload that decodes must re-encode to a
// canonical form that decodes back to the same bytes.

#include <cstring>
#include <memory>
#include <mlpersist/backend.hpp>
#include <mlpersist/error.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace mlpersist;

std::string encode(const Backend& backend, const Value& value) {
  std::string out;
  StringSink sink(out);
  backend.encode(value, sink);
  return out;
}

Value decode(const Backend& backend, std::span<const std::byte> payload,
             std::shared_ptr<const void> owner) {
  return backend.decode(DecodeInput{payload, "<fuzz>", 64, std::move(owner), Limits{}, nullptr});
}

// A copy of the input in a 64-byte aligned buffer that tensors may borrow, as a mapped file's.
std::shared_ptr<std::byte> aligned_copy(const std::uint8_t* data, std::size_t size) {
  auto* p = static_cast<std::byte*>(std::aligned_alloc(64, (size + 64) / 64 * 64));
  std::memcpy(p, data, size);
  return {p, [](std::byte* q) { std::free(q); }};
}

void check_round_trip(const Backend& backend, const Value& decoded) {
  const std::string canonical = encode(backend, decoded);
  const auto span = std::as_bytes(std::span(canonical.data(), canonical.size()));
  if (encode(backend, decode(backend, span, nullptr)) != canonical)
    fuzz::finding("re-encoding a decoded payload is not stable");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fuzz::registry();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto backend = fuzz::registry().backend(MLPERSIST_FUZZ_BACKEND);
  const auto buffer = aligned_copy(data, size);
  const std::span<const std::byte> payload(buffer.get(), size);
  try {
    const Value copied = decode(*backend, payload, nullptr);
    check_round_trip(*backend, copied);
    (void)decode(*backend, payload, buffer);
  } catch (const FormatError&) {
  }
  return 0;
}
