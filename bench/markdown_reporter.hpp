#pragma once

// Prints Google Benchmark's console output as usual, keeps every run, and ends with a markdown
// table: time, throughput, the ratio to the matching limit measured in the same run (raw
// write() for saves, raw read() for loads, cereal for the small model) and peak memory.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

class MarkdownReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs)
      if (r.run_type == Run::RT_Iteration && !r.error_occurred) runs_.push_back(r);
  }

  void print_table(std::ostream& out) const {
    out << "\n| benchmark | time | MB/s | ratio | peak MB |\n|---|---:|---:|---:|---:|\n";
    for (const Run& r : runs_) {
      const double rate = mb_per_s(r);
      const Run* ref = reference_for(r.benchmark_name());
      char line[256];
      std::snprintf(line, sizeof line, "| %s | %.3f %s | %.0f | %s | %.0f |\n",
                    r.benchmark_name().c_str(), r.GetAdjustedRealTime(),
                    benchmark::GetTimeUnitString(r.time_unit), rate,
                    ref ? ratio_text(rate / mb_per_s(*ref), ref->benchmark_name()).c_str() : "",
                    counter(r, "peak_MB"));
      out << line;
    }
  }

 private:
  static double counter(const Run& r, const char* name) {
    const auto it = r.counters.find(name);
    return it == r.counters.end() ? 0.0 : static_cast<double>(it->second);
  }
  static double mb_per_s(const Run& r) { return counter(r, "bytes_per_second") / 1e6; }

  static std::string ratio_text(double ratio, const std::string& ref) {
    char text[128];
    std::snprintf(text, sizeof text, "%.2f× %s", ratio, short_name(ref).c_str());
    return text;
  }
  static std::string short_name(const std::string& name) {
    const auto slash = name.find('/');
    return slash == std::string::npos ? name : name.substr(slash + 1);
  }

  // Large saves compare with raw write(), loads with raw read(); the small model's round trips
  // with cereal's at the same place, and the bare backend with the framework's round trip.
  static std::string reference_name(const std::string& name) {
    if (name.rfind("Small/Ours_RoundTrip/", 0) == 0)
      return "Small/Peer_Cereal_RoundTrip/" + name.substr(name.rfind('/') + 1);
    if (name == "Small/Bare_binary_EncodeDecode") return "Small/Ours_RoundTrip/bytes";
    if (name.rfind("Large/", 0) != 0 || name.find("Limit_") != std::string::npos) return {};
    return name.find("Load") != std::string::npos ? "Large/BM_Limit_RawRead"
                                                  : "Large/BM_Limit_RawWrite";
  }

  const Run* reference_for(const std::string& name) const {
    const std::string ref = reference_name(name);
    for (const Run& r : runs_)
      if (!ref.empty() && r.benchmark_name() == ref) return &r;
    return nullptr;
  }

  std::vector<Run> runs_;
};
