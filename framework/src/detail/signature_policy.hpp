#pragma once

#include <mlpersist/signature.hpp>
#include <span>
#include <string_view>

namespace mlpersist::detail {

/// Refuses a malformed "signature" entry (missing, mistyped or unknown fields), signed or not:
/// whatever is displayed beside a signature must be what it signs. No entry is fine.
void check_signature_entry(const Header& header, std::string_view source);

/// What loading does with signatures: with `required`, the artifact must carry a valid signature
/// by one of `trusted`; without, a signature present is checked whenever `trusted` is not empty
/// (an invalid one is evidence of tampering), and an unsigned artifact loads. Throws
/// SecurityError, or UsageError when `required` comes without any trusted key.
void enforce_signature_policy(const Header& header, std::span<const std::byte> payload,
                              std::span<const PublicKey> trusted, bool required,
                              std::string_view source);

}  // namespace mlpersist::detail
