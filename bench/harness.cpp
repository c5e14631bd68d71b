#include "harness.hpp"

#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <new>
#include <set>
#include <stdexcept>

#include "peak_memory.hpp"

namespace bench {
namespace {

double process_cpu_s() {
  timespec t{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double wall_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::size_t last_level_cache_bytes() {
  const long l3 = ::sysconf(_SC_LEVEL3_CACHE_SIZE);
  const long l2 = ::sysconf(_SC_LEVEL2_CACHE_SIZE);
  const long best = std::max(l3, l2);
  return best > 0 ? static_cast<std::size_t>(best) : std::size_t{64} << 20;
}

// "12.3 ms", "4.56 µs": three significant digits in a unit that suits the value.
std::string format_time(double seconds) {
  char text[32];
  if (seconds < 1e-3)
    std::snprintf(text, sizeof text, "%.3g µs", seconds * 1e6);
  else if (seconds < 1.0)
    std::snprintf(text, sizeof text, "%.3g ms", seconds * 1e3);
  else
    std::snprintf(text, sizeof text, "%.3g s", seconds);
  return text;
}

bool wanted(const std::string& name, const std::string& filter) {
  return filter.empty() || name.find(filter) != std::string::npos;
}

}  // namespace

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n == 0 ? 0.0 : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double time_s(const std::function<void()>& f) {
  const double start = wall_s();
  f();
  return wall_s() - start;
}

double median_time_s(int runs, const std::function<void()>& f) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) times.push_back(time_s(f));
  return median(times);
}

void scrub_cache(std::size_t bytes) {
  static std::vector<unsigned char> buffer;
  if (buffer.size() != bytes) buffer.assign(bytes, 1);
  volatile unsigned char sink = 0;
  unsigned char sum = 0;
  for (std::size_t i = 0; i < bytes; i += 64) sum = static_cast<unsigned char>(sum + ++buffer[i]);
  sink = sum;
  (void)sink;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

namespace {
bool hugetlb_available() {
  static const bool available = [] {
    void* p = ::mmap(nullptr, std::size_t{2} << 20, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
    if (p == MAP_FAILED) return false;
    ::munmap(p, std::size_t{2} << 20);
    return true;
  }();
  return available;
}
constexpr std::size_t kHuge = std::size_t{2} << 20;
std::size_t huge_rounded(std::size_t bytes) {
  return (bytes + kHuge - 1) / kHuge * kHuge;
}
}  // namespace

void* alloc_huge(std::size_t bytes) {
  const std::size_t size = huge_rounded(bytes);
  if (hugetlb_available()) {
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
    if (p != MAP_FAILED) return p;
  }
  // Over-allocate by one huge page so that the range madvise covers starts on a 2 MiB boundary.
  void* p =
      ::mmap(nullptr, size + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  const auto raw = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t aligned = (raw + kHuge - 1) / kHuge * kHuge;
  if (aligned > raw) ::munmap(p, aligned - raw);
  const std::uintptr_t end = raw + size + kHuge;
  if (end > aligned + size) ::munmap(reinterpret_cast<void*>(aligned + size), end - aligned - size);
  ::madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(aligned);
}

void free_huge(void* p, std::size_t bytes) {
  if (p != nullptr) ::munmap(p, huge_rounded(bytes));
}

const char* huge_page_kind() {
  return hugetlb_available() ? "MAP_HUGETLB" : "madvise(MADV_HUGEPAGE)";
}

const Row* Harness::find(const std::string& name) const {
  for (const Row& r : rows_)
    if (r.name == name) return &r;
  return nullptr;
}

void Harness::run(const Options& options) {
  // Rows outside the filter are dropped unless a kept row compares with them.
  std::set<std::string> keep;
  for (const Row& r : rows_)
    if (wanted(r.name, options.filter)) {
      keep.insert(r.name);
      for (const Goal& g : r.vs) {
        keep.insert(g.ref);
        if (!g.or_ref.empty()) keep.insert(g.or_ref);
      }
    }
  std::erase_if(rows_, [&](const Row& r) { return !keep.contains(r.name); });
  results_.assign(rows_.size(), {});
  const std::size_t scrub = options.scrub_bytes ? options.scrub_bytes : last_level_cache_bytes();
  for (int round = 0; round < options.warmup + options.rounds; ++round) {
    std::cerr << "round " << round + 1 << "/" << options.warmup + options.rounds
              << (round < options.warmup ? " (warm-up)" : "") << ", load " << load_average()
              << "\n";
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      Row& row = rows_[i];
      scrub_cache(scrub);
      PeakMemory peak;
      const double cpu0 = process_cpu_s();
      const double t0 = wall_s();
      for (int k = 0; k < row.batch; ++k) row.op(k);
      const double t1 = wall_s();
      const double cpu1 = process_cpu_s();
      const double peak_mb = static_cast<double>(peak.growth_bytes()) / 1e6;
      if (row.check) row.check();
      if (round >= options.warmup)
        results_[i].samples.push_back({(t1 - t0) / row.batch, (cpu1 - cpu0) / row.batch, peak_mb});
    }
  }
}

double Harness::median_s(const Row& row) const {
  const auto& samples = results_[static_cast<std::size_t>(&row - rows_.data())].samples;
  std::vector<double> t;
  for (const Sample& s : samples) t.push_back(s.wall_s);
  return median(t);
}

std::string Harness::compared(const Row& row) const {
  std::string out;
  char text[160];
  const double ours = median_s(row);
  for (const Goal& g : row.vs) {
    const Row* ref = find(g.ref);
    if (ref == nullptr) continue;
    if (const Row* other = g.or_ref.empty() ? nullptr : find(g.or_ref))
      if (median_s(*other) < median_s(*ref)) ref = other;
    const double ratio = median_s(*ref) / ours;
    if (g.at_least > 0)
      std::snprintf(text, sizeof text, "**%.2f×** %s (goal ≥ %.2f%s)", ratio, ref->name.c_str(),
                    g.at_least, ratio >= g.at_least ? " ✓" : ": short");
    else
      std::snprintf(text, sizeof text, "%.2f× %s", ratio, ref->name.c_str());
    out += (out.empty() ? "" : "; ") + std::string(text);
  }
  if (row.goal_us > 0) {
    std::snprintf(text, sizeof text, "goal ≤ %.0f µs%s", row.goal_us,
                  ours * 1e6 <= row.goal_us ? " ✓" : ": short");
    out += (out.empty() ? "" : "; ") + std::string(text);
  }
  return out;
}

std::string Harness::line(const Row& row) const {
  const auto& samples = results_[static_cast<std::size_t>(&row - rows_.data())].samples;
  std::vector<double> wall, cpu, peak;
  for (const Sample& s : samples) {
    wall.push_back(s.wall_s);
    cpu.push_back(s.cpu_s);
    peak.push_back(s.peak_mb);
  }
  const double t = median(wall);
  const double c = median(cpu);
  char text[512];
  char mbs[32] = "";
  if (row.bytes > 0 && t > 0)
    std::snprintf(mbs, sizeof mbs, "%.0f", static_cast<double>(row.bytes) / t / 1e6);
  // CPU above wall: a second thread (hashing) overlapped the operation.
  const char* overlap = c > 1.15 * t ? " (2 threads)" : "";
  std::snprintf(
      text, sizeof text, "| %s | %s | %s – %s | %s | %s%s | %.0f | %s |\n", row.name.c_str(),
      format_time(t).c_str(), format_time(*std::min_element(wall.begin(), wall.end())).c_str(),
      format_time(*std::max_element(wall.begin(), wall.end())).c_str(), mbs, format_time(c).c_str(),
      overlap, *std::max_element(peak.begin(), peak.end()), compared(row).c_str());
  return text;
}

void Harness::print_table(std::ostream& out) const {
  out << "\n| operation | median | min – max | MB/s | CPU (median) | peak MB | "
         "ratio of medians, same run |\n|---|---:|---:|---:|---:|---:|---|\n";
  for (const Row& row : rows_)
    if (!results_[static_cast<std::size_t>(&row - rows_.data())].samples.empty()) out << line(row);
}

}  // namespace bench
