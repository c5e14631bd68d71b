#pragma once

// OpenMP over independent items (features of a histogram or a split search, rows of a
// prediction), as scikit-learn's prange does. Each item is computed alone, in its own order, so
// the results do not depend on the thread count. Without OpenMP (clang without libomp, the
// ThreadSanitizer build) the loops run on one thread.

// The loop after it runs on the OpenMP team when a bool named `parallel` is true.
#ifdef _OPENMP
#define MLPERSIST_HGB_PARALLEL_FOR _Pragma("omp parallel for schedule(static) if (parallel)")
#else
#define MLPERSIST_HGB_PARALLEL_FOR
#endif

namespace mlpersist::ensemble::hgb {

/// Below this many (sample, feature) visits a loop stays on one thread: starting a team costs
/// more than it saves.
inline constexpr double kParallelWork = 65536;

}  // namespace mlpersist::ensemble::hgb
