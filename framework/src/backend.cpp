#include <mlpersist/backend.hpp>

namespace mlpersist {

Sink::~Sink() = default;
Backend::~Backend() = default;

void StringSink::write(const void* data, std::size_t size) {
  out_.append(static_cast<const char*>(data), size);
}

}  // namespace mlpersist
