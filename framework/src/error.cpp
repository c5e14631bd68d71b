#include <mlpersist/error.hpp>

namespace mlpersist {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kIo: return "Io";
    case ErrorCode::kEmptyInput: return "EmptyInput";
    case ErrorCode::kBadMagic: return "BadMagic";
    case ErrorCode::kTruncated: return "Truncated";
    case ErrorCode::kChecksumMismatch: return "ChecksumMismatch";
    case ErrorCode::kContainerTooNew: return "ContainerTooNew";
    case ErrorCode::kHeaderTooLarge: return "HeaderTooLarge";
    case ErrorCode::kMalformed: return "Malformed";
    case ErrorCode::kLimitExceeded: return "LimitExceeded";
    case ErrorCode::kUnknownBackend: return "UnknownBackend";
    case ErrorCode::kUnknownTypeTag: return "UnknownTypeTag";
    case ErrorCode::kSchemaTooNew: return "SchemaTooNew";
    case ErrorCode::kSchemaMismatch: return "SchemaMismatch";
    case ErrorCode::kInvalidParameter: return "InvalidParameter";
    case ErrorCode::kNotFitted: return "NotFitted";
    case ErrorCode::kNotSupported: return "NotSupported";
    case ErrorCode::kInvalidInput: return "InvalidInput";
    case ErrorCode::kPlugin: return "Plugin";
    case ErrorCode::kDuplicate: return "Duplicate";
    case ErrorCode::kVerificationFailed: return "VerificationFailed";
    case ErrorCode::kTypeNotAllowed: return "TypeNotAllowed";
    case ErrorCode::kSignatureRequired: return "SignatureRequired";
    case ErrorCode::kBadSignature: return "BadSignature";
    case ErrorCode::kUnsafePermissions: return "UnsafePermissions";
    case ErrorCode::kPathNotAllowed: return "PathNotAllowed";
    case ErrorCode::kNotFound: return "NotFound";
    case ErrorCode::kStoreUnavailable: return "StoreUnavailable";
  }
  return "Unknown";
}

Error::Error(ErrorCode code, const std::string& message)
    : std::runtime_error(message), code_(code) {}

}  // namespace mlpersist
