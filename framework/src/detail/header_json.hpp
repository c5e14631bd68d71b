#pragma once

#include <mlpersist/envelope.hpp>

#include <string>
#include <string_view>

namespace mlpersist::detail {

/// The header's JSON text (backend, type, versions, types, metadata).
std::string header_json(const Header& h);
/// Parses and checks the header's JSON text into the named fields of a Header.
Header parse_header_json(std::string_view text, std::string_view source, const Limits& limits);

}  // namespace mlpersist::detail
