// Two ways to see every allocation: under AddressSanitizer its allocator's hooks; otherwise the
// executable defines the malloc family itself (the dynamic linker binds the framework's and the
// plugins' calls to it) and forwards to glibc's implementation.

#include "allocation_counter.hpp"

#include <atomic>
#include <cstdint>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MLPERSIST_COUNTER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define MLPERSIST_COUNTER_ASAN 1
#endif

#ifdef MLPERSIST_COUNTER_ASAN
// From sanitizer/allocator_interface.h, which GCC does not ship.
extern "C" {
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                  std::size_t),
                                              void (*free_hook)(const volatile void*));
std::size_t __sanitizer_get_allocated_size(const volatile void* p);
}
#else
#include <malloc.h>

#include <cerrno>
#endif

namespace {

std::atomic<std::int64_t> g_current{0};
std::atomic<std::int64_t> g_peak{0};

void add(std::int64_t bytes) noexcept {
  const std::int64_t now = g_current.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  std::int64_t peak = g_peak.load(std::memory_order_relaxed);
  while (now > peak && !g_peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
}

}  // namespace

namespace mlpersist::test {

std::size_t current_heap_bytes() {
  return static_cast<std::size_t>(g_current.load(std::memory_order_relaxed));
}

std::size_t peak_heap_bytes() {
  return static_cast<std::size_t>(g_peak.load(std::memory_order_relaxed));
}

void reset_peak_heap() {
  g_peak.store(g_current.load(std::memory_order_relaxed));
}

}  // namespace mlpersist::test

#ifdef MLPERSIST_COUNTER_ASAN

namespace {

void on_malloc(const volatile void*, std::size_t size) {
  add(static_cast<std::int64_t>(size));
}

void on_free(const volatile void* p) {
  add(-static_cast<std::int64_t>(__sanitizer_get_allocated_size(p)));
}

// Installed before main(): counting must include whatever runs first.
[[maybe_unused]] const int g_installed =
    __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);

}  // namespace

#else

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
}

namespace {

void* counted(void* p) noexcept {
  if (p != nullptr) add(static_cast<std::int64_t>(malloc_usable_size(p)));
  return p;
}

void uncount(void* p) noexcept {
  if (p != nullptr) add(-static_cast<std::int64_t>(malloc_usable_size(p)));
}

}  // namespace

extern "C" {

void* malloc(std::size_t size) {
  return counted(__libc_malloc(size));
}
void* calloc(std::size_t n, std::size_t size) {
  return counted(__libc_calloc(n, size));
}
void free(void* p) {
  uncount(p);
  __libc_free(p);
}
void* realloc(void* p, std::size_t size) {
  if (p != nullptr && size == 0) {  // glibc frees and returns null
    free(p);
    return nullptr;
  }
  const std::int64_t old = p != nullptr ? static_cast<std::int64_t>(malloc_usable_size(p)) : 0;
  void* q = __libc_realloc(p, size);
  if (q == nullptr) return nullptr;  // p is still allocated, unchanged
  add(-old);
  return counted(q);
}
void* memalign(std::size_t alignment, std::size_t size) {
  return counted(__libc_memalign(alignment, size));
}
void* aligned_alloc(std::size_t alignment, std::size_t size) {
  return counted(__libc_memalign(alignment, size));
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) {
  void* p = counted(__libc_memalign(alignment, size));
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

}  // extern "C"

#endif
