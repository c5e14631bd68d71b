#pragma once

// Progress of long operations. Saves and loads count bytes through a ProgressFn in their
// options; fits count trees or iterations through ProgressTask, which reaches the ProgressScope
// the caller installed on the same thread, so the Estimator interface carries nothing extra.

#include <cstdint>
#include <functional>
#include <mlpersist/export.hpp>
#include <string_view>

namespace mlpersist {

/// Receives `done` of `total` units (total 0: unknown). Called on the thread doing the work; an
/// exception it throws leaves the operation that reported.
using ProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;
/// Told when a task starts reporting: the unit it counts ("trees", "iterations") and its total
/// (0: unknown). Later ProgressFn calls count in that unit, from 0.
using ProgressStartFn = std::function<void(std::string_view unit, std::uint64_t total)>;

class ProgressTask;

/// Makes `on_progress` (and `on_start`) receive the progress of fits run on this thread while
/// the scope lives. Scopes nest like the RAII objects they are: tasks started while an inner
/// scope lives report to it (the first of them even inside a task of the outer scope), and once
/// it ends new tasks report to the outer one again.
class MLPERSIST_API ProgressScope {
 public:
  explicit ProgressScope(ProgressFn on_progress, ProgressStartFn on_start = {});
  ~ProgressScope();
  ProgressScope(const ProgressScope&) = delete;
  ProgressScope& operator=(const ProgressScope&) = delete;

 private:
  friend class ProgressTask;
  ProgressFn on_progress_;
  ProgressStartFn on_start_;
  ProgressScope* outer_scope_;
  ProgressTask* outer_task_;
};

/// One long loop of a fit (a forest's trees, a solver's iterations), counted in `unit`. Only the
/// outermost task of a scope reports: a task started while another runs on the same thread
/// (a fold's solver iterations inside cross-validation's folds) stays silent, so a bar counts
/// one thing. Tasks that follow one another (a Pipeline's steps) each report in turn. Without a
/// scope a task does nothing: construction costs one thread-local read, report() a compare and
/// a store. Report from the thread that created the task. The constructor, report() and
/// advance() throw whatever the scope's callbacks throw.
class MLPERSIST_API ProgressTask {
 public:
  ProgressTask(std::string_view unit, std::uint64_t total);
  ~ProgressTask();
  ProgressTask(const ProgressTask&) = delete;
  ProgressTask& operator=(const ProgressTask&) = delete;

  /// `done` units are finished (monotonic: a smaller value than before is ignored).
  void report(std::uint64_t done) {
    if (done <= done_) return;
    done_ = done;
    if (scope_ != nullptr) forward();
  }
  /// `n` more units are finished.
  void advance(std::uint64_t n = 1) { report(done_ + n); }
  [[nodiscard]] std::uint64_t done() const { return done_; }
  [[nodiscard]] std::uint64_t total() const { return total_; }

 private:
  void forward() const;

  ProgressScope* scope_ = nullptr;  // null when silent
  std::uint64_t done_ = 0;
  std::uint64_t total_;
};

}  // namespace mlpersist
