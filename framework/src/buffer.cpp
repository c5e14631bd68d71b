#include "detail/buffer.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>

namespace mlpersist::detail {
namespace {

constexpr std::size_t kAlignment = 64;
// Below this size the madvise call costs more than it saves.
constexpr std::size_t kHugePageThreshold = std::size_t{4} << 20;
constexpr std::size_t kHugePageSize = std::size_t{2} << 20;

}  // namespace

std::shared_ptr<std::byte> aligned_buffer(std::size_t bytes) {
  // madvise needs a page-aligned range, so huge-page candidates are aligned to a huge page.
  const bool huge = bytes >= kHugePageThreshold;
  const std::size_t alignment = huge ? kHugePageSize : kAlignment;
  const std::size_t rounded = (bytes + alignment - 1) / alignment * alignment;
  void* p = std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded);
  if (p == nullptr) throw std::bad_alloc();
  if (huge) ::madvise(p, rounded, MADV_HUGEPAGE);
  return {static_cast<std::byte*>(p), [](std::byte* q) { std::free(q); }};
}

void advise_huge_pages(void* data, std::size_t size) noexcept {
  if (size < kHugePageThreshold) return;
  const auto begin = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t first = (begin + kHugePageSize - 1) / kHugePageSize * kHugePageSize;
  const std::uintptr_t last = (begin + size) / kHugePageSize * kHugePageSize;
  // Best effort: without THP the buffer simply fills at the usual speed.
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

}  // namespace mlpersist::detail
