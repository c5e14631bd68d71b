#pragma once

// Ed25519 signatures of artifacts (libsodium). A signature lives in the header's metadata under
// "signature" and covers the header as readers understand it (re-serialised without the
// signature), the prelude's container versions and a BLAKE2b-512 digest of the payload.
// SECURITY.md documents the exact signed message, so that other tools can verify it.
//
// Key files are one line of text: "mlpersist-ed25519-public-key <64 hex digits>" and
// "mlpersist-ed25519-secret-key <128 hex digits>" (libsodium's secret key: seed and public key).

#include <array>
#include <cstddef>
#include <filesystem>
#include <mlpersist/envelope.hpp>
#include <mlpersist/export.hpp>
#include <span>
#include <string>
#include <string_view>

namespace mlpersist {

/// The `scheme` recorded with every signature; verifiers refuse any other.
inline constexpr std::string_view kSignatureScheme = "mlpersist-ed25519-v1";

/// An Ed25519 public key.
struct MLPERSIST_API PublicKey {
  std::array<unsigned char, 32> bytes{};

  /// 64 lowercase hex digits, as artifacts and key files store it.
  [[nodiscard]] std::string hex() const;
  /// Throws SecurityError(kBadSignature) unless `hex` is exactly 64 hex digits.
  [[nodiscard]] static PublicKey from_hex(std::string_view hex);
  friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

/// An Ed25519 secret key in libsodium's 64-byte form; every copy is wiped when destroyed.
struct MLPERSIST_API SecretKey {
  std::array<unsigned char, 64> bytes{};

  SecretKey() = default;
  SecretKey(const SecretKey&) = default;
  SecretKey& operator=(const SecretKey&) = default;
  ~SecretKey();
  /// The public half (the last 32 bytes of libsodium's form).
  [[nodiscard]] PublicKey public_key() const;
};

struct KeyPair {
  PublicKey public_key;
  SecretKey secret_key;
};

/// A new key pair from the operating system's random source.
[[nodiscard]] MLPERSIST_API KeyPair generate_key_pair();

/// Writes a key file. The secret key file is created exclusively with mode 0600 (never
/// following a symlink, never overwriting). Throws IoError naming the file.
MLPERSIST_API void write_public_key(const PublicKey& key, const std::filesystem::path& file);
MLPERSIST_API void write_secret_key(const SecretKey& key, const std::filesystem::path& file);

/// Reads a key file. Throws IoError, SecurityError(kBadSignature) for a malformed file, and
/// for a secret key SecurityError(kUnsafePermissions) when users other than its owner may
/// read or write it.
[[nodiscard]] MLPERSIST_API PublicKey read_public_key(const std::filesystem::path& file);
[[nodiscard]] MLPERSIST_API SecretKey read_secret_key(const std::filesystem::path& file);

/// The exact bytes a signature signs, for the header (its "signature" entry ignored) and the
/// payload of one artifact (layout in SECURITY.md).
[[nodiscard]] MLPERSIST_API std::string signed_message(const Header& header,
                                                       std::span<const std::byte> payload);

/// `artifact` with a signature by `key` in its header, replacing any earlier signature. The
/// payload and trailer bytes are kept as they are. Throws FormatError when the artifact is
/// damaged (its checksums are checked first: a signature vouches for the bytes it was given).
[[nodiscard]] MLPERSIST_API std::string sign_artifact(std::string_view artifact,
                                                      const SecretKey& key,
                                                      std::string_view source = "<bytes>");
/// sign_artifact() on a file, which is replaced atomically. Throws IoError and FormatError.
MLPERSIST_API void sign_file(const std::filesystem::path& file, const SecretKey& key);

/// Checks the signature that `header` carries over itself and `payload`, and that one of
/// `trusted` made it; returns the signer. Throws SecurityError: kSignatureRequired when there is
/// no signature, kBadSignature when it is malformed, made by a key not in `trusted`, or does not
/// match the bytes. `source` names the artifact in messages.
MLPERSIST_API PublicKey verify_signature(const Header& header, std::span<const std::byte> payload,
                                         std::span<const PublicKey> trusted,
                                         std::string_view source);

}  // namespace mlpersist
