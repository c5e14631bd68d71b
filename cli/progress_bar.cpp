#include "progress_bar.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace mlpersist::cli {
namespace {

constexpr std::size_t kMinBarWidth = 5;
constexpr std::size_t kDefaultColumns = 80;
// Longer estimates than 99:59:59 say nothing useful (and would overflow an integer).
constexpr double kLongestDuration = 359999;

std::string printf_string(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// A rate of things: "7.50", "42.0", "6172", "12.3k", "4.56M".
std::string format_count(double n) {
  if (n >= 1e6) return printf_string("%.2fM", n / 1e6);
  if (n >= 1e4) return printf_string("%.1fk", n / 1e3);
  if (n >= 100) return printf_string("%.0f", n);
  return printf_string(n >= 10 ? "%.1f" : "%.2f", n);
}

double rate_of(const ProgressSnapshot& s) {
  return s.elapsed > 0 ? static_cast<double>(s.done) / s.elapsed : 0.0;
}

std::string format_rate(const ProgressSnapshot& s) {
  const double rate = rate_of(s);
  if (rate <= 0) return s.unit == kBytes ? "-- B/s" : "-- it/s";
  return s.unit == kBytes ? format_bytes(rate) + "/s" : format_count(rate) + " it/s";
}

// The binary unit `bytes` reads best in: "B", "KiB", ... "TiB", and its size.
struct BinaryUnit {
  double size;
  const char* name;
};

BinaryUnit binary_unit(double bytes) {
  static constexpr const char* kNames[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  std::size_t u = 0;
  double size = 1;
  for (; bytes >= size * 1024 && u + 1 < std::size(kNames); ++u) size *= 1024;
  return {size, kNames[u]};
}

std::string in_unit(double bytes, BinaryUnit unit) {
  return printf_string(unit.size == 1 ? "%.0f" : "%.1f", bytes / unit.size);
}

// "37/100 trees", "1.5/20.0 MiB" (both in the total's unit), "12345 iterations".
std::string format_amount(const ProgressSnapshot& s) {
  if (s.unit != kBytes) {
    const std::string total = s.total == 0 ? "" : "/" + std::to_string(s.total);
    return std::to_string(s.done) + total + " " + std::string(s.unit);
  }
  if (s.total == 0) return format_bytes(static_cast<double>(s.done));
  const auto total = static_cast<double>(s.total);
  const BinaryUnit unit = binary_unit(total);
  return in_unit(static_cast<double>(s.done), unit) + "/" + in_unit(total, unit) + " " + unit.name;
}

// Time left at the rate so far; once done, how long it took; with no total, how long so far.
std::string format_time(const ProgressSnapshot& s) {
  if (s.total == 0) return "elapsed " + format_duration(s.elapsed);
  if (s.done >= s.total) return "in " + format_duration(s.elapsed);
  const double rate = rate_of(s);
  const double left = rate > 0 ? static_cast<double>(s.total - s.done) / rate : -1.0;
  return "ETA " + format_duration(left);
}

std::string bar(double fraction, std::size_t width) {
  const auto filled = static_cast<std::size_t>(fraction * static_cast<double>(width));
  return "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]";
}

std::size_t terminal_columns() {
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return kDefaultColumns;
}

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

ProgressBar::Settings stderr_settings() {
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  return {.enabled = terminal, .width = terminal ? terminal_columns() : kDefaultColumns};
}

}  // namespace

std::string format_bytes(double bytes) {
  const BinaryUnit unit = binary_unit(bytes);
  return in_unit(bytes, unit) + " " + unit.name;
}

std::string format_duration(double seconds) {
  if (!(seconds >= 0 && seconds <= kLongestDuration)) return "--:--";
  const auto total = static_cast<long long>(std::llround(seconds));
  char buffer[32];
  const long long h = total / 3600, m = total / 60 % 60, s = total % 60;
  if (h > 0)
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", h, m, s);
  else
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld", m, s);
  return buffer;
}

std::string format_progress(const ProgressSnapshot& s, std::size_t width) {
  const std::size_t limit = width > 0 ? width - 1 : 0;
  const std::string tail = format_amount(s) + "  " + format_rate(s) + "  " + format_time(s);
  std::string line;
  if (s.total == 0) {
    line = std::string(s.label) + " " + tail;
  } else {
    const double fraction =
        std::min(1.0, static_cast<double>(s.done) / static_cast<double>(s.total));
    const std::string percent = printf_string("%3.0f%%", std::floor(fraction * 100));
    const std::string head = std::string(s.label) + " " + percent + " ";
    const std::size_t fixed = head.size() + tail.size() + 3;  // the brackets and a space
    line = fixed + kMinBarWidth <= limit ? head + bar(fraction, limit - fixed) + " " + tail
                                         : head + tail;
  }
  if (line.size() > limit) line.resize(limit);
  return line;
}

ProgressBar::ProgressBar(std::string label, std::string_view unit)
    : ProgressBar(std::cerr, std::move(label), unit, stderr_settings()) {}

ProgressBar::ProgressBar(std::ostream& out, std::string label, std::string_view unit,
                         Settings settings)
    : out_(out), label_(std::move(label)), unit_(unit), settings_(std::move(settings)) {
  if (!settings_.clock) settings_.clock = steady_seconds;
  began_ = counting_since_ = settings_.clock();
}

ProgressBar::~ProgressBar() {
  finish();
}

void ProgressBar::start(std::string_view unit, std::uint64_t total) {
  unit_ = std::string(unit);
  done_ = 0;
  total_ = total;
  counting_since_ = settings_.clock();
}

void ProgressBar::update(std::uint64_t done, std::uint64_t total) {
  done_ = done;
  total_ = total;
  if (!settings_.enabled || finished_) return;
  const double now = settings_.clock();
  if (due(now)) draw(now);
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  if (!drawn_) return;
  draw(settings_.clock());
  out_ << '\n' << std::flush;
}

ProgressFn ProgressBar::on_progress() {
  return [this](std::uint64_t done, std::uint64_t total) { update(done, total); };
}

ProgressStartFn ProgressBar::on_start() {
  return [this](std::string_view unit, std::uint64_t total) { start(unit, total); };
}

ProgressScope ProgressBar::scope() {
  return ProgressScope(on_progress(), on_start());
}

bool ProgressBar::due(double now) const {
  if (now - began_ < settings_.delay) return false;
  return !drawn_ || now - last_draw_ >= settings_.interval;
}

void ProgressBar::draw(double now) {
  const ProgressSnapshot s{label_, unit_, done_, total_, now - counting_since_};
  const std::string line = format_progress(s, settings_.width);
  // Blanks over what a longer previous line left behind.
  const std::size_t pad = drawn_width_ > line.size() ? drawn_width_ - line.size() : 0;
  out_ << '\r' << line << std::string(pad, ' ') << std::flush;
  drawn_width_ = line.size();
  last_draw_ = now;
  drawn_ = true;
}

}  // namespace mlpersist::cli
