#pragma once

#include <cstdint>
#include <mlpersist/export.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mlpersist {

/// What went wrong, as a stable code that callers can branch on.
enum class ErrorCode : std::uint8_t {
  kIo,                  ///< the operating system refused a read or write
  kEmptyInput,          ///< zero bytes where an artifact was expected
  kBadMagic,            ///< not an mlpersist artifact
  kTruncated,           ///< the input ends before a declared length
  kChecksumMismatch,    ///< bytes were altered after saving
  kContainerTooNew,     ///< written by a newer container format
  kHeaderTooLarge,      ///< header length exceeds the configured limit
  kMalformed,           ///< bytes that do not follow the format
  kLimitExceeded,       ///< depth, length, rank or element count over a LoadOptions limit
  kUnknownBackend,      ///< no loaded plugin provides the named format backend
  kUnknownTypeTag,      ///< no loaded plugin provides the named estimator type
  kSchemaTooNew,        ///< estimator state written by a newer schema than the plugin reads
  kSchemaMismatch,      ///< the state document does not match the estimator's schema
  kInvalidParameter,    ///< a parameter has a wrong type or value
  kNotFitted,           ///< an operation needs a fitted estimator
  kNotSupported,        ///< the estimator does not provide that operation
  kInvalidInput,        ///< data passed to fit/predict is unusable (shape, NaN, ...)
  kPlugin,              ///< a plugin could not be loaded or registered
  kDuplicate,           ///< a type tag, backend or migration registered twice
  kVerificationFailed,  ///< a model's outputs drifted from its verification records
  kTypeNotAllowed,      ///< a type outside LoadOptions::allowed_types
  kSignatureRequired,   ///< LoadOptions::require_signature, but the artifact is not signed
  kBadSignature,        ///< a signature that is malformed, untrusted or does not match
  kUnsafePermissions,   ///< a plugin others may write to, a secret key others may read
  kPathNotAllowed,      ///< a path named by a file, outside what the caller allowed to open
  kNotFound,            ///< a model, version or alias a store does not hold
  kStoreUnavailable,    ///< a store is busy, stopped or unreachable: retrying may succeed
};

/// Stable name of a code, e.g. "UnknownTypeTag".
MLPERSIST_API std::string_view to_string(ErrorCode code) noexcept;

/// Root of every exception mlpersist throws. The message says what went wrong, where (file,
/// byte offset or document path) and what to do about it.
class MLPERSIST_API Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message);
  [[nodiscard]] ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

/// The artifact's bytes are not a valid mlpersist artifact (or were altered).
class MLPERSIST_API FormatError : public Error {
 public:
  using Error::Error;
};

/// The artifact is valid but this build cannot read it (newer versions, unknown names).
class MLPERSIST_API CompatibilityError : public Error {
 public:
  using Error::Error;
};

/// The state document does not satisfy the estimator's schema or invariants.
class MLPERSIST_API SchemaError : public Error {
 public:
  using Error::Error;
};

/// A plugin library could not be loaded or registered.
class MLPERSIST_API PluginError : public Error {
 public:
  using Error::Error;
};

/// Wrong use of an estimator: bad parameters, unfitted, unsupported method, bad data.
class MLPERSIST_API UsageError : public Error {
 public:
  using Error::Error;
};

/// Reading or writing a file or stream failed.
class MLPERSIST_API IoError : public Error {
 public:
  using Error::Error;
};

/// A trust policy refused the input: a type outside the allowed set, a missing, untrusted or
/// invalid signature, a key file others may read.
class MLPERSIST_API SecurityError : public Error {
 public:
  using Error::Error;
};

/// A model store refused or failed an operation: a name it does not hold (kNotFound), a store
/// that is busy or unreachable (kStoreUnavailable, worth retrying), a database error (kIo).
class MLPERSIST_API StoreError : public Error {
 public:
  using Error::Error;
  /// True when the same call may succeed later (the store was busy, stopped or unreachable).
  [[nodiscard]] bool retryable() const noexcept { return code() == ErrorCode::kStoreUnavailable; }
};

}  // namespace mlpersist
