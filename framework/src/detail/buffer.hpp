#pragma once

#include <cstddef>
#include <memory>

namespace mlpersist::detail {

/// An uninitialised buffer, 64-byte aligned. From 4 MiB on it is aligned to a huge page and
/// advised for transparent huge pages, which makes its first touch (the kernel zeroing each page)
/// several times cheaper: what numpy does for large arrays.
[[nodiscard]] std::shared_ptr<std::byte> aligned_buffer(std::size_t bytes);

/// Advises transparent huge pages for the whole huge pages inside [data, data + size): for large
/// buffers allocated elsewhere (a std::string's), before they are first written.
void advise_huge_pages(void* data, std::size_t size) noexcept;

}  // namespace mlpersist::detail
