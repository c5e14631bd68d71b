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
    out << "\n| benchmark | time | MB/s | ratios (throughput, same run) | peak MB |\n"
           "|---|---:|---:|---|---:|\n";
    for (const Run& r : runs_) {
      char line[512];
      std::snprintf(line, sizeof line, "| %s | %.3f %s | %.0f | %s | %.0f |\n",
                    base_name(r).c_str(), r.GetAdjustedRealTime(),
                    benchmark::GetTimeUnitString(r.time_unit), mb_per_s(r), ratios(r).c_str(),
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

  // Each of ours against the machine's limit (memcpy, raw write() or raw read()) and
  // the peers that do the same job: cereal and Boost for binary, msgpack-c for msgpack,
  // RapidJSON for JSON. The small model's round trips compare with cereal's at the same place,
  // the bare backend with the framework's round trip.
  static std::vector<std::string> reference_names(const std::string& name) {
    if (name.rfind("Small/Ours_RoundTrip/", 0) == 0)
      return {"Small/Peer_Cereal_RoundTrip/" + name.substr(name.rfind('/') + 1)};
    if (name == "Small/Bare_binary_EncodeDecode") return {"Small/Ours_RoundTrip/bytes"};
    if (name.find("Ours_") == std::string::npos) return {};
    const bool load = name.find("_Load") != std::string::npos;
    const std::string op = load ? "_Load" : "_Save";
    // In memory the limit is memcpy into a fresh buffer; to and from files, raw write()/read().
    const bool in_memory = name.find("bytes") != std::string::npos;
    std::vector<std::string> refs{in_memory ? "Large/BM_Limit_Memcpy"
                                  : load    ? "Large/BM_Limit_RawRead"
                                            : "Large/BM_Limit_RawWrite"};
    if (name.find("_binary_") != std::string::npos) {
      refs.push_back("Large/BM_Peer_Cereal" + op);
      refs.push_back("Large/BM_Peer_Boost" + op);
    } else if (name.find("_msgpack_") != std::string::npos) {
      refs.push_back("Large/BM_Peer_Msgpack" + op);
    } else if (name.find("_json_") != std::string::npos) {
      refs.push_back("Large/BM_Peer_RapidJson" + op);
    }
    return refs;
  }

  // A run's name without Google Benchmark's "/iterations:N" suffix.
  static std::string base_name(const Run& r) {
    const std::string name = r.benchmark_name();
    return name.substr(0, name.find("/iterations:"));
  }

  [[nodiscard]] const Run* find(const std::string& name) const {
    for (const Run& r : runs_)
      if (base_name(r) == name) return &r;
    return nullptr;
  }

  [[nodiscard]] std::string ratios(const Run& r) const {
    std::string out;
    for (const std::string& ref : reference_names(base_name(r)))
      if (const Run* other = find(ref))
        out += (out.empty() ? "" : ", ") + ratio_text(mb_per_s(r) / mb_per_s(*other), ref);
    return out;
  }

  std::vector<Run> runs_;
};
