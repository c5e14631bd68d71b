// One backend's decoder (MLPERSIST_FUZZ_BACKEND) on arbitrary payload bytes. Only decoding the
// input may fail, and only with a FormatError. Once the input has decoded, everything else is a
// promise the backend makes, and a broken one is a finding:
//   - the decoded value encodes (canonical form), and the canonical form decodes again and
//     re-encodes to the same bytes;
//   - decoding with a shared owner (tensors borrow the input, as from a mapped file) succeeds
//     too and gives the same value, bit for bit, as the copying decode.
// Values are compared through their canonical encodings: that compares doubles and tensors bit
// for bit (NaN payloads, -0.0), which Value's operator== does not.

#include <cstring>
#include <exception>
#include <memory>
#include <mlpersist/backend.hpp>
#include <mlpersist/error.hpp>
#include <string>

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

// The promises about an input that decoded to `copied`; throws nothing a caller should catch.
void check_decoded(const Backend& backend, const Value& copied, std::span<const std::byte> payload,
                   const std::shared_ptr<std::byte>& owner) {
  const std::string canonical =
      fuzz::expect_no_error("encoding a decoded payload", [&] { return encode(backend, copied); });
  const auto span = std::as_bytes(std::span(canonical.data(), canonical.size()));
  const std::string again = fuzz::expect_no_error("decoding the encoder's own output", [&] {
    return encode(backend, decode(backend, span, nullptr));
  });
  if (again != canonical) fuzz::finding("re-encoding a decoded payload is not stable");
  const std::string borrowed = fuzz::expect_no_error(
      "decoding with a shared owner (borrowed tensors) what decoded by copying",
      [&] { return encode(backend, decode(backend, payload, owner)); });
  if (borrowed != canonical) fuzz::finding("the borrowed decode differs from the copied one");
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
  Value copied;
  try {
    copied = decode(*backend, payload, nullptr);
  } catch (const FormatError&) {
    return 0;  // what arbitrary bytes may legitimately cause
  }
  check_decoded(*backend, copied, payload, buffer);
  return 0;
}
