#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mlpersist/endian.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/signature.hpp>
#include <optional>

#include "detail/file_io.hpp"
#include "detail/header_json.hpp"
#include "detail/signature_policy.hpp"

namespace mlpersist {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPublicPrefix = "mlpersist-ed25519-public-key ";
constexpr std::string_view kSecretPrefix = "mlpersist-ed25519-secret-key ";
constexpr std::size_t kMaxKeyFileBytes = 1024;
constexpr const char* kSignatureKey = "signature";

static_assert(sizeof(PublicKey::bytes) == crypto_sign_PUBLICKEYBYTES);
static_assert(sizeof(SecretKey::bytes) == crypto_sign_SECRETKEYBYTES);

// libsodium picks its implementations and seeds its random source here; safe to call from any
// thread, any number of times.
void init_sodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw IoError(ErrorCode::kIo, "libsodium failed to initialise (no random source?)");
}

[[noreturn]] void bad_signature(std::string_view source, const std::string& what) {
  throw SecurityError(ErrorCode::kBadSignature, std::string(source) + ": " + what);
}

std::string to_hex(std::span<const unsigned char> bytes) {
  std::string hex(2 * bytes.size() + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  hex.pop_back();
  return hex;
}

// Exactly out.size() bytes of hex digits, nothing else.
bool from_hex(std::string_view hex, std::span<unsigned char> out) {
  if (hex.size() != 2 * out.size()) return false;
  std::size_t length = 0;
  const char* end = nullptr;
  return sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &length, &end) ==
             0 &&
         length == out.size() && end == hex.data() + hex.size();
}

// A key file's one line, without its newline; refuses anything longer than a key file can be.
std::string read_key_line(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw IoError(ErrorCode::kIo, "'" + file.string() + "': cannot open key file");
  std::string text(kMaxKeyFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxKeyFileBytes)
    throw SecurityError(ErrorCode::kBadSignature,
                        "'" + file.string() + "': too large to be an mlpersist key file");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

template <std::size_t N>
std::array<unsigned char, N> parse_key_file(const fs::path& file, std::string_view prefix) {
  std::string line = read_key_line(file);
  std::array<unsigned char, N> bytes{};
  const bool parsed =
      line.starts_with(prefix) && from_hex(std::string_view(line).substr(prefix.size()), bytes);
  sodium_memzero(line.data(), line.size());  // it may hold a secret key's text
  if (!parsed)
    throw SecurityError(ErrorCode::kBadSignature,
                        "'" + file.string() + "': not an mlpersist key file (expected one line '" +
                            std::string(prefix) + "' and " + std::to_string(2 * N) +
                            " hex digits, as `mlpersist keygen` writes)");
  return bytes;
}

// A secret key that others may read is no longer secret; one they may write could be swapped.
void check_private(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0)
    throw IoError(ErrorCode::kIo, "'" + file.string() + "': cannot stat: " + std::strerror(errno));
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    throw SecurityError(ErrorCode::kUnsafePermissions,
                        "'" + file.string() +
                            "': secret key file is accessible to other users; "
                            "run 'chmod 600' on it (and consider the key compromised)");
}

void write_key_file(const fs::path& file, std::string_view prefix, const std::string& hex,
                    mode_t mode) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0)
    throw IoError(ErrorCode::kIo,
                  "'" + file.string() +
                      "': cannot create key file (it must not exist yet): " + std::strerror(errno));
  try {
    // Three writes rather than one concatenation: no further copy of a secret key's text.
    detail::write_all(fd, prefix.data(), prefix.size(), file);
    detail::write_all(fd, hex.data(), hex.size(), file);
    detail::write_all(fd, "\n", 1, file);
    if (::fsync(fd) != 0)
      throw IoError(ErrorCode::kIo,
                    "'" + file.string() + "': fsync failed: " + std::strerror(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(file.c_str());
    throw;
  }
  ::close(fd);
}

std::span<const std::byte> as_byte_span(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

template <class T>
void append_le(std::string& out, T value) {
  std::array<std::byte, sizeof(T)> buffer{};
  store_le<T>(buffer.data(), value);
  out.append(reinterpret_cast<const char*>(buffer.data()), buffer.size());
}

struct StoredSignature {
  PublicKey signer;
  std::array<unsigned char, crypto_sign_BYTES> value{};
};

// The header's "signature" entry, or nullopt when there is none.
std::optional<StoredSignature> stored_signature(const Header& h, std::string_view source) {
  const Value* entry = h.metadata.as_map().find(kSignatureKey);
  if (entry == nullptr) return std::nullopt;
  const Node node(*entry, "header.metadata.signature");
  try {
    // Only these fields are covered by the signature's meaning; anything else beside them would
    // be displayed as if it were signed.
    for (const auto& [key, value] : node.as_map())
      if (key != "scheme" && key != "public_key" && key != "value")
        node.fail("has the field '" + key +
                  "', which is not signed; a signature entry holds only scheme, public_key and "
                  "value");
    if (node["scheme"].as_string() != kSignatureScheme)
      node["scheme"].fail("is not '" + std::string(kSignatureScheme) + "'");
    StoredSignature s;
    s.signer = PublicKey::from_hex(node["public_key"].as_string());
    if (!from_hex(node["value"].as_string(), s.value))
      node["value"].fail("is not " + std::to_string(2 * crypto_sign_BYTES) + " hex digits");
    return s;
  } catch (const Error& e) {
    bad_signature(source, std::string("malformed signature: ") + e.what() +
                              "; sign the artifact again with `mlpersist sign`");
  }
}

std::string describe_trusted(std::span<const PublicKey> trusted) {
  std::string out;
  for (const PublicKey& k : trusted) out += (out.empty() ? "" : ", ") + k.hex().substr(0, 16);
  return out.empty() ? "(none)" : out;
}

}  // namespace

std::string PublicKey::hex() const {
  return to_hex(bytes);
}

PublicKey PublicKey::from_hex(std::string_view hex) {
  PublicKey key;
  if (!mlpersist::from_hex(hex, key.bytes))
    throw SecurityError(ErrorCode::kBadSignature,
                        "public key '" + std::string(hex.substr(0, 80)) + "' is not 64 hex digits");
  return key;
}

SecretKey::~SecretKey() {
  sodium_memzero(bytes.data(), bytes.size());
}

PublicKey SecretKey::public_key() const {
  PublicKey key;
  crypto_sign_ed25519_sk_to_pk(key.bytes.data(), bytes.data());
  return key;
}

KeyPair generate_key_pair() {
  init_sodium();
  KeyPair pair;
  crypto_sign_keypair(pair.public_key.bytes.data(), pair.secret_key.bytes.data());
  return pair;
}

void write_public_key(const PublicKey& key, const fs::path& file) {
  write_key_file(file, kPublicPrefix, key.hex(), 0644);
}

void write_secret_key(const SecretKey& key, const fs::path& file) {
  std::string hex = to_hex(key.bytes);
  write_key_file(file, kSecretPrefix, hex, 0600);
  sodium_memzero(hex.data(), hex.size());
}

PublicKey read_public_key(const fs::path& file) {
  return {parse_key_file<crypto_sign_PUBLICKEYBYTES>(file, kPublicPrefix)};
}

SecretKey read_secret_key(const fs::path& file) {
  check_private(file);
  SecretKey key;
  key.bytes = parse_key_file<crypto_sign_SECRETKEYBYTES>(file, kSecretPrefix);
  return key;
}

std::string signed_message(const Header& header, std::span<const std::byte> payload) {
  Header unsigned_header = header;
  unsigned_header.metadata.as_map().erase(kSignatureKey);
  const std::string json = detail::header_json(unsigned_header);
  std::array<unsigned char, crypto_generichash_BYTES_MAX> digest{};
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                     nullptr, 0);
  std::string message(kSignatureScheme);
  message += '\0';
  append_le<std::uint16_t>(message, header.container_version);
  append_le<std::uint16_t>(message, header.min_container_version);
  append_le<std::uint64_t>(message, json.size());
  message += json;
  append_le<std::uint64_t>(message, payload.size());
  message.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return message;
}

std::string sign_artifact(std::string_view artifact, const SecretKey& key,
                          std::string_view source) {
  init_sodium();
  const auto bytes = as_byte_span(artifact);
  Header h = read_header(bytes, source, {});
  const auto payload = checked_payload(bytes, h, source);
  h.metadata.as_map().erase(kSignatureKey);
  const std::string message = signed_message(h, payload);
  std::array<unsigned char, crypto_sign_BYTES> value{};
  crypto_sign_detached(value.data(), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       key.bytes.data());
  h.metadata.as_map().insert(kSignatureKey, Map{}
                                                .insert("scheme", kSignatureScheme)
                                                .insert("public_key", key.public_key().hex())
                                                .insert("value", to_hex(value)));
  const std::uint64_t payload_offset = h.payload_offset;
  std::string out = write_header(h, payload.size());  // the payload and trailer stay as they are
  out += artifact.substr(static_cast<std::size_t>(payload_offset));
  return out;
}

void sign_file(const fs::path& file, const SecretKey& key) {
  const detail::FileBytes f = detail::read_file(file, /*map=*/false);
  const std::string signed_bytes = sign_artifact(
      {reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size()}, key, file.string());
  detail::write_file_atomically(
      file, [&](int fd) { detail::write_all(fd, signed_bytes.data(), signed_bytes.size(), file); });
}

PublicKey verify_signature(const Header& header, std::span<const std::byte> payload,
                           std::span<const PublicKey> trusted, std::string_view source) {
  init_sodium();
  const auto stored = stored_signature(header, source);
  if (!stored)
    throw SecurityError(ErrorCode::kSignatureRequired,
                        std::string(source) +
                            ": the artifact is not signed, but a signature by "
                            "a trusted key is required; have the model's owner sign it with "
                            "`mlpersist sign FILE --key SECRET`");
  if (std::find(trusted.begin(), trusted.end(), stored->signer) == trusted.end())
    bad_signature(source, "signed by key " + stored->signer.hex() +
                              ", which is not among the trusted keys (" +
                              describe_trusted(trusted) +
                              "); add its public key file only if "
                              "you trust its owner");
  const std::string message = signed_message(header, payload);
  if (crypto_sign_verify_detached(stored->value.data(),
                                  reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size(), stored->signer.bytes.data()) != 0)
    bad_signature(source, "the signature by key " + stored->signer.hex().substr(0, 16) +
                              " does not match the header and payload: the file was altered "
                              "after it was signed; do not use it");
  return stored->signer;
}

namespace detail {

void check_signature_entry(const Header& header, std::string_view source) {
  (void)stored_signature(header, source);
}

void enforce_signature_policy(const Header& header, std::span<const std::byte> payload,
                              std::span<const PublicKey> trusted, bool required,
                              std::string_view source) {
  if (required && trusted.empty())
    throw UsageError(ErrorCode::kInvalidParameter,
                     "LoadOptions::require_signature needs at least one trusted public key "
                     "(LoadOptions::trusted_public_keys, `--trusted-key FILE`)");
  const bool is_signed = header.metadata.as_map().contains(kSignatureKey);
  if (is_signed) check_signature_entry(header, source);
  if (required || (is_signed && !trusted.empty()))
    (void)verify_signature(header, payload, trusted, source);
}

}  // namespace detail
}  // namespace mlpersist
