#include "json_decode_context.hpp"

#include <mlpersist/backend_support.hpp>

namespace mlpersist::json {

void DecodeContext::fail_at(std::uint64_t payload_offset, ErrorCode code,
                            const std::string& what) const {
  throw_payload_error(input_, "json", payload_offset, code, what);
}

}  // namespace mlpersist::json
