#pragma once

// Counts the heap the whole process holds (every malloc family call, operator new included, in
// the test, the framework and the plugins alike), for tests that bound peak memory. Link
// allocation_counter.cpp into the test executable (mlpersist_count_allocations in CMake).

#include <cstddef>

namespace mlpersist::test {

/// Bytes of heap blocks allocated and not yet freed.
std::size_t current_heap_bytes();
/// The most current_heap_bytes() has been since the last reset_peak_heap().
std::size_t peak_heap_bytes();
void reset_peak_heap();

}  // namespace mlpersist::test
