#pragma once

// A harness that gives every contender the same conditions (issue 19): all rows run
// round-robin within one run, so a change in the shared machine's load hits them alike; warm-up
// rounds come first; the last-level cache is scrubbed before each timed sample; each sample
// records wall time, the process's CPU time (all threads: a second hashing thread shows as CPU
// above wall) and the peak resident memory it added. The table reports medians with min and max
// and the ratios of medians to the rows each row is compared with, against stated goals.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace bench {

/// A comparison of this row with another row of the same run.
struct Goal {
  std::string ref{};      ///< the other row's name
  double at_least = 0.0;  ///< goal for (ref's median time / this row's); 0: for information
  /// When set, the faster of `ref` and this row: a limit measured two ways (huge pages and
  /// malloc), where the machine decides which is faster.
  std::string or_ref{};
};

/// One line of the table: an operation timed again and again.
struct Row {
  std::string name{};
  std::uint64_t bytes = 0;  ///< bytes moved per operation, for MB/s; 0: no throughput
  int batch = 1;            ///< operations per sample; tiny ones are timed in batches
  /// The timed operation; `i` is its index in the batch.
  std::function<void(int i)> op{};
  /// Untimed, after each sample: verifies what the operations produced and releases it. Throws
  /// (std::runtime_error) when a result is wrong, which ends the run.
  std::function<void()> check{};
  std::vector<Goal> vs{};
  double goal_us = 0.0;  ///< an absolute goal for the median time per operation; 0: none
};

struct Options {
  int rounds = 5;
  int warmup = 2;
  std::size_t scrub_bytes = 0;  ///< 0: the last-level cache's size as the system reports it
  std::string filter{};         ///< only rows whose name contains this (and rows they compare with)
};

class Harness {
 public:
  void add(Row row) { rows_.push_back(std::move(row)); }
  /// Runs every row `warmup + rounds` times, round-robin, and keeps the timed samples.
  void run(const Options& options);
  /// The markdown table of medians, min–max, MB/s, CPU/wall, peak memory and ratios.
  void print_table(std::ostream& out) const;

 private:
  struct Sample {
    double wall_s = 0;
    double cpu_s = 0;
    double peak_mb = 0;
  };
  struct Result {
    std::vector<Sample> samples;
  };
  [[nodiscard]] const Row* find(const std::string& name) const;
  [[nodiscard]] double median_s(const Row& row) const;
  [[nodiscard]] std::string compared(const Row& row) const;
  [[nodiscard]] std::string line(const Row& row) const;

  std::vector<Row> rows_;
  std::vector<Result> results_;
};

/// The median of `v` (the mean of the middle two for an even count); 0 when `v` is empty.
double median(std::vector<double> v);
/// Wall time of one call of `f`, in seconds: for benchmarks that time a few long operations
/// themselves rather than through a Harness.
double time_s(const std::function<void()>& f);
/// The median wall time of `runs` calls of `f`, in seconds.
double median_time_s(int runs, const std::function<void()>& f);

/// Reads and writes every cache line of a buffer as large as the last-level cache, so that no
/// sample starts with its inputs (or a previous row's outputs) cached.
void scrub_cache(std::size_t bytes);

/// The 1-, 5- and 15-minute load averages, as /proc/loadavg has them.
std::string load_average();

/// Memory for a limit that gets the best the machine offers: explicit huge pages
/// (MAP_HUGETLB) when the system has any reserved, otherwise transparent huge pages
/// (madvise(MADV_HUGEPAGE)). Freed with free_huge(p, bytes).
void* alloc_huge(std::size_t bytes);
void free_huge(void* p, std::size_t bytes);
/// Which of the two alloc_huge gives here, for the table's notes.
const char* huge_page_kind();

}  // namespace bench
