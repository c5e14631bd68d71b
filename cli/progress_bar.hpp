#pragma once

// The progress bar the command draws on stderr for fits, saves and loads that take long enough
// for a person to wonder whether anything is happening.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <mlpersist/progress.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace mlpersist::cli {

/// The unit shown as KiB, MiB, GiB; any other unit is a count ("trees", "iterations").
inline constexpr std::string_view kBytes = "bytes";

/// One moment of an operation, as the bar shows it.
struct ProgressSnapshot {
  std::string_view label;  ///< what runs: "fitting", "saving", "loading"
  std::string_view unit;   ///< kBytes or the name of what is counted
  std::uint64_t done = 0;
  std::uint64_t total = 0;  ///< 0: unknown (no bar, no percentage, no time left)
  double elapsed = 0;       ///< seconds since counting in `unit` began
};

/// `bytes` in binary units: "512 B", "1.5 KiB", "23.0 MiB", "1.2 GiB".
[[nodiscard]] std::string format_bytes(double bytes);
/// A duration as m:ss or h:mm:ss; "--:--" when unknown (negative, infinite or NaN).
[[nodiscard]] std::string format_duration(double seconds);
/// The line for `s`, at most `width` - 1 columns (the last column would make some terminals
/// wrap): label, percentage, bar, done/total, rate and time left, the bar shrinking first.
[[nodiscard]] std::string format_progress(const ProgressSnapshot& s, std::size_t width);

/// Redraws one line with '\r': nothing until `delay` seconds after construction (short
/// operations stay quiet), then at most once per `interval`. Ends the line when finished, only
/// if it drew anything.
class ProgressBar {
 public:
  /// Monotonic seconds; tests inject their own.
  using Clock = std::function<double()>;
  struct Settings {
    bool enabled = true;
    std::size_t width = 80;
    double delay = 1.0;
    double interval = 0.1;
    Clock clock{};  ///< empty: std::chrono::steady_clock
  };

  /// Draws on std::cerr when stderr is a terminal (as wide as it is); silent otherwise.
  ProgressBar(std::string label, std::string_view unit);
  ProgressBar(std::ostream& out, std::string label, std::string_view unit, Settings settings);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  /// A new count in `unit` begins (a fit's task): done and the rate start again from 0.
  void start(std::string_view unit, std::uint64_t total);
  void update(std::uint64_t done, std::uint64_t total);
  /// Draws the last state and ends the line, if anything was drawn. Idempotent.
  void finish();

  /// update() and start() as the callbacks options and ProgressScope take; they refer to this
  /// bar, which must outlive them.
  [[nodiscard]] ProgressFn on_progress();
  [[nodiscard]] ProgressStartFn on_start();
  /// Reports the fits run on this thread while the scope lives to this bar.
  [[nodiscard]] ProgressScope scope();

 private:
  [[nodiscard]] bool due(double now) const;
  void draw(double now);

  std::ostream& out_;
  std::string label_;
  std::string unit_;
  Settings settings_;
  double began_;
  double counting_since_;
  double last_draw_ = 0;
  std::uint64_t done_ = 0;
  std::uint64_t total_ = 0;
  std::size_t drawn_width_ = 0;
  bool drawn_ = false;
  bool finished_ = false;
};

/// Runs `operation(bar)` with a bar of its own and ends the bar's line before returning, so
/// that what the command prints next starts on a line of its own.
template <class Operation>
decltype(auto) with_progress(std::string label, std::string_view unit, Operation&& operation) {
  ProgressBar bar(std::move(label), unit);
  return std::forward<Operation>(operation)(bar);
}

/// Points `options.progress` (SaveOptions, LoadOptions) at `bar`.
template <class Options>
void attach(Options& options, ProgressBar& bar) {
  options.progress = bar.on_progress();
}

}  // namespace mlpersist::cli
