// Authenticity: Ed25519 signatures over the header and the payload, checked before anything is
// decoded; tampering with either, the wrong key or a stripped signature is refused.

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <mlpersist/endian.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/signature.hpp>

#include "test_support.hpp"

namespace {

using namespace mlpersist;
namespace fs = std::filesystem;

const KeyPair& alice() {
  static const KeyPair k = generate_key_pair();
  return k;
}
const KeyPair& bob() {
  static const KeyPair k = generate_key_pair();
  return k;
}

std::string svc_artifact(const std::string& format = "binary") {
  static const auto svc = [] {
    const Dataset iris = test::load_dataset("iris");
    auto model = test::registry().create("svm.SVC");
    model->fit(iris.X, iris.y);
    return model;
  }();
  return dumps(test::registry(), *svc, {.format = format});
}

LoadOptions requiring(std::vector<PublicKey> keys) {
  LoadOptions options;
  options.trusted_public_keys = std::move(keys);
  options.require_signature = true;
  return options;
}

std::span<const std::byte> as_span(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

Header header_of(std::string_view artifact) {
  return read_header(as_span(artifact), "<bytes>", {});
}

// The artifact with its header replaced by `h` (checksum recomputed, as a forger would).
std::string with_header(std::string_view artifact, Header h) {
  const Header old = header_of(artifact);
  return write_header(h, old.payload_size) + std::string(artifact.substr(old.payload_offset));
}

// The artifact with payload byte `i` flipped and the trailer's checksums recomputed.
std::string with_payload_flip(std::string bytes, std::size_t i, int bit) {
  const Header h = header_of(bytes);
  bytes[h.payload_offset + i] = static_cast<char>(bytes[h.payload_offset + i] ^ (1 << bit));
  const std::string_view payload(bytes.data() + h.payload_offset, h.payload_size);
  return std::string(payload.data() - h.payload_offset, h.payload_offset + h.payload_size) +
         write_trailer(as_span(payload));
}

void expect_refused(std::string_view bytes, const LoadOptions& options, ErrorCode code,
                    const std::string& needle) {
  try {
    (void)loads(test::registry(), bytes, options);
    ADD_FAILURE() << "loaded; expected " << to_string(code);
  } catch (const SecurityError& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Signature, SignedArtifactLoadsWithItsTrustedKeyInEveryBackend) {
  for (const std::string& backend : test::backend_names()) {
    const std::string bytes = sign_artifact(svc_artifact(backend), alice().secret_key);
    const Header h = header_of(bytes);
    const Value& signature = *h.metadata.as_map().find("signature");
    EXPECT_EQ(signature.as_map().find("scheme")->as_string(), kSignatureScheme);
    EXPECT_EQ(signature.as_map().find("public_key")->as_string(), alice().public_key.hex());
    EXPECT_EQ(loads(test::registry(), bytes, requiring({bob().public_key, alice().public_key}))
                  ->type_tag(),
              "svm.SVC")
        << backend;
    EXPECT_NO_THROW((void)loads(test::registry(), bytes)) << "no policy: loads like any file";
  }
}

TEST(Signature, TamperedPayloadIsRefusedEvenWithARecomputedChecksum) {
  for (const std::string& backend : test::backend_names()) {
    const std::string bytes = sign_artifact(svc_artifact(backend), alice().secret_key);
    const Header h = header_of(bytes);
    std::size_t refused = 0;
    for (std::size_t i = 0; i < h.payload_size; ++i) {
      // One flip per byte, cycling through the bit positions.
      const std::string forged = with_payload_flip(bytes, i, static_cast<int>(i % 8));
      try {
        (void)loads(test::registry(), forged, requiring({alice().public_key}));
        ADD_FAILURE() << backend << ": payload byte " << i << " altered, yet loaded";
      } catch (const SecurityError& e) {
        EXPECT_EQ(e.code(), ErrorCode::kBadSignature) << e.what();
        ++refused;
      }
    }
    std::cout << "[signature] " << backend << ": " << refused << " of " << h.payload_size
              << " payload alterations (checksum recomputed) refused as BadSignature\n";
  }
  expect_refused(with_payload_flip(sign_artifact(svc_artifact(), alice().secret_key), 100, 0),
                 requiring({alice().public_key}), ErrorCode::kBadSignature, "altered after");
}

TEST(Signature, TamperedHeaderIsRefused) {
  const std::string bytes = sign_artifact(svc_artifact(), alice().secret_key);
  const LoadOptions options = requiring({alice().public_key});
  Header h = header_of(bytes);
  ASSERT_NE(h.metadata.as_map().find("created_at"), nullptr);
  *h.metadata.as_map().find("created_at") = Value("1999-01-01T00:00:00Z");
  expect_refused(with_header(bytes, h), options, ErrorCode::kBadSignature, "altered after");
  Header types = header_of(bytes);
  types.min_reader_versions["svm.SVC"] = 1;
  expect_refused(with_header(bytes, types), options, ErrorCode::kBadSignature, "altered after");
  // The prelude's container version is outside the JSON, yet signed too.
  Header container = header_of(bytes);
  container.container_version = 7;
  expect_refused(with_header(bytes, container), options, ErrorCode::kBadSignature, "altered after");
}

TEST(Signature, WrongKeyIsRefused) {
  const std::string bytes = sign_artifact(svc_artifact(), alice().secret_key);
  expect_refused(bytes, requiring({bob().public_key}), ErrorCode::kBadSignature,
                 "not among the trusted keys");
  // Trusted keys without require_signature still check a signature that is present.
  LoadOptions trusting_bob;
  trusting_bob.trusted_public_keys = {bob().public_key};
  expect_refused(bytes, trusting_bob, ErrorCode::kBadSignature, "not among the trusted keys");
  // Alice's signature relabelled as Bob's.
  Header h = header_of(bytes);
  Map& signature = h.metadata.as_map().find("signature")->as_map();
  *signature.find("public_key") = Value(bob().public_key.hex());
  expect_refused(with_header(bytes, h), requiring({bob().public_key}), ErrorCode::kBadSignature,
                 "does not match");
}

TEST(Signature, StrippedSignatureIsRefusedWhileRequired) {
  const std::string bytes = sign_artifact(svc_artifact(), alice().secret_key);
  Header h = header_of(bytes);
  h.metadata.as_map().erase("signature");
  const std::string stripped = with_header(bytes, h);
  expect_refused(stripped, requiring({alice().public_key}), ErrorCode::kSignatureRequired,
                 "not signed");
  LoadOptions trusting;
  trusting.trusted_public_keys = {alice().public_key};
  EXPECT_NO_THROW((void)loads(test::registry(), stripped, trusting)) << "not required";
  expect_refused(svc_artifact(), requiring({alice().public_key}), ErrorCode::kSignatureRequired,
                 "mlpersist sign");
}

TEST(Signature, MalformedSignatureIsRefused) {
  const std::string bytes = sign_artifact(svc_artifact(), alice().secret_key);
  Header h = header_of(bytes);
  *h.metadata.as_map().find("signature")->as_map().find("value") = Value("00ff");
  expect_refused(with_header(bytes, h), requiring({alice().public_key}), ErrorCode::kBadSignature,
                 "malformed signature");
  *h.metadata.as_map().find("signature") = Value(42);
  expect_refused(with_header(bytes, h), requiring({alice().public_key}), ErrorCode::kBadSignature,
                 "malformed signature");
}

TEST(Signature, RequiringWithoutTrustedKeysIsAUsageError) {
  EXPECT_THROW((void)loads(test::registry(), svc_artifact(), requiring({})), UsageError);
}

TEST(Signature, SigningAgainReplacesTheSignature) {
  const std::string twice =
      sign_artifact(sign_artifact(svc_artifact(), alice().secret_key), bob().secret_key);
  EXPECT_NO_THROW((void)loads(test::registry(), twice, requiring({bob().public_key})));
  expect_refused(twice, requiring({alice().public_key}), ErrorCode::kBadSignature, "not among");
}

TEST(Signature, SigningRefusesADamagedArtifact) {
  std::string bytes = svc_artifact();
  bytes[bytes.size() - 20] ^= 1;
  EXPECT_THROW((void)sign_artifact(bytes, alice().secret_key), FormatError);
}

TEST(Signature, SignedMessageIsTheDocumentedLayout) {
  const std::string bytes = sign_artifact(svc_artifact(), alice().secret_key);
  const Header h = header_of(bytes);
  const auto payload = as_span(bytes).subspan(h.payload_offset, h.payload_size);
  const std::string message = signed_message(h, payload);
  // "mlpersist-ed25519-v1\0", u16 container version, u16 oldest reader, u64 n, n bytes of
  // header JSON, u64 payload size, BLAKE2b-512 of the payload.
  const std::string_view scheme("mlpersist-ed25519-v1\0", 21);
  ASSERT_EQ(message.substr(0, 21), scheme);
  const auto* m = reinterpret_cast<const std::byte*>(message.data());
  EXPECT_EQ(load_le<std::uint16_t>(m + 21), h.container_version);
  EXPECT_EQ(load_le<std::uint16_t>(m + 23), h.min_container_version);
  const auto json_size = load_le<std::uint64_t>(m + 25);
  const std::string json = message.substr(33, json_size);
  EXPECT_EQ(json.find("signature"), std::string::npos) << json;
  EXPECT_NE(json.find("\"type\":\"svm.SVC\""), std::string::npos) << json;
  EXPECT_EQ(load_le<std::uint64_t>(m + 33 + json_size), h.payload_size);
  std::array<unsigned char, 64> digest{};
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                     nullptr, 0);
  ASSERT_EQ(message.size(), 33 + json_size + 8 + 64);
  EXPECT_EQ(message.substr(41 + json_size), std::string(digest.begin(), digest.end()));
  // libsodium alone verifies it, given the hex from the header.
  const Map& signature = h.metadata.as_map().find("signature")->as_map();
  std::array<unsigned char, 64> value{};
  ASSERT_EQ(sodium_hex2bin(value.data(), value.size(), signature.find("value")->as_string().c_str(),
                           128, nullptr, nullptr, nullptr),
            0);
  EXPECT_EQ(crypto_sign_verify_detached(value.data(),
                                        reinterpret_cast<const unsigned char*>(message.data()),
                                        message.size(), alice().public_key.bytes.data()),
            0);
}

TEST(Signature, SignedFilesVerifyAndConversionDropsTheSignature) {
  const fs::path dir = test::temp_dir();
  const fs::path file = dir / "svc.bin";
  const std::string original = svc_artifact();
  { std::ofstream(file, std::ios::binary) << original; }
  sign_file(file, alice().secret_key);
  const auto model = load(test::registry(), file, requiring({alice().public_key}));
  EXPECT_EQ(model->type_tag(), "svm.SVC");
  const Document doc = read_document(test::registry(), file, requiring({alice().public_key}));
  write_document(test::registry(), doc, "json", dir / "svc.json");
  EXPECT_FALSE(inspect(dir / "svc.json").metadata.as_map().contains("signature"));
}

TEST(Signature, KeyFilesRoundTripAndSecretKeysStayPrivate) {
  const fs::path dir = test::temp_dir();
  const KeyPair pair = generate_key_pair();
  write_secret_key(pair.secret_key, dir / "k.key");
  write_public_key(pair.public_key, dir / "k.pub");
  EXPECT_EQ(fs::status(dir / "k.key").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(read_public_key(dir / "k.pub"), pair.public_key);
  EXPECT_EQ(read_secret_key(dir / "k.key").public_key(), pair.public_key);
  EXPECT_THROW(write_secret_key(pair.secret_key, dir / "k.key"), IoError) << "never overwrites";
  fs::permissions(dir / "k.key", fs::perms::group_read, fs::perm_options::add);
  try {
    (void)read_secret_key(dir / "k.key");
    FAIL() << "read a group-readable secret key";
  } catch (const SecurityError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsafePermissions);
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "bad.pub") << "ssh-ed25519 AAAA\n";
  EXPECT_THROW((void)read_public_key(dir / "bad.pub"), SecurityError);
  EXPECT_THROW((void)read_public_key(dir / "k.key"), SecurityError) << "a secret is not public";
}

}  // namespace
