#pragma once

// Peak resident memory of a stretch of code: Linux resets the high-water mark (VmHWM) when "5"
// is written to /proc/self/clear_refs, so a benchmark can measure its own peak above the memory
// already in use when it started.

#include <fstream>
#include <string>

class PeakMemory {
 public:
  PeakMemory() {
    std::ofstream("/proc/self/clear_refs") << "5";
    baseline_ = read_kib("VmRSS:");
  }
  /// Bytes of resident memory above the starting point at the peak since construction.
  [[nodiscard]] long long growth_bytes() const {
    const long long peak = read_kib("VmHWM:");
    return peak > baseline_ ? (peak - baseline_) * 1024 : 0;
  }

 private:
  static long long read_kib(const std::string& field) {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind(field, 0) == 0) return std::stoll(line.substr(field.size()));
    return 0;
  }

  long long baseline_ = 0;
};
