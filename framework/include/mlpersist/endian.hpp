#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace mlpersist {

/// Every format stores integers and tensor elements little-endian; these helpers convert at any
/// alignment, and compile to plain loads and stores on little-endian hosts.
inline constexpr bool kHostIsLittleEndian = std::endian::native == std::endian::little;

template <class T>
constexpr T byteswap(T v) noexcept {
  static_assert(std::is_integral_v<T>);
  if constexpr (sizeof(T) == 1) {
    return v;
  } else if constexpr (sizeof(T) == 2) {
    return static_cast<T>(__builtin_bswap16(static_cast<std::uint16_t>(v)));
  } else if constexpr (sizeof(T) == 4) {
    return static_cast<T>(__builtin_bswap32(static_cast<std::uint32_t>(v)));
  } else {
    return static_cast<T>(__builtin_bswap64(static_cast<std::uint64_t>(v)));
  }
}

template <class T>
T load_le(const std::byte* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (!kHostIsLittleEndian) v = byteswap(v);
  return v;
}

template <class T>
void store_le(std::byte* p, T v) noexcept {
  if constexpr (!kHostIsLittleEndian) v = byteswap(v);
  std::memcpy(p, &v, sizeof v);
}

/// Reverses the byte order of each `element_size`-byte element in place (big-endian hosts).
inline void swap_elements(std::byte* data, std::size_t count, std::size_t element_size) noexcept {
  for (std::size_t i = 0; i < count; ++i) {
    std::byte* e = data + i * element_size;
    for (std::size_t a = 0, b = element_size - 1; a < b; ++a, --b) std::swap(e[a], e[b]);
  }
}

}  // namespace mlpersist
