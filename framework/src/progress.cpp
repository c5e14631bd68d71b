#include <mlpersist/progress.hpp>
#include <utility>

namespace mlpersist {
namespace {

// What a task constructed on this thread reports to, and the task that already does: plain
// pointers, so a fit without a scope pays one thread-local read per task.
struct ThreadProgress {
  ProgressScope* scope = nullptr;
  ProgressTask* task = nullptr;
};

thread_local ThreadProgress t_progress;

}  // namespace

ProgressScope::ProgressScope(ProgressFn on_progress, ProgressStartFn on_start)
    : on_progress_(std::move(on_progress)),
      on_start_(std::move(on_start)),
      outer_scope_(t_progress.scope),
      outer_task_(t_progress.task) {
  // A task of the outer scope may be running: tasks started now are this scope's first ones.
  t_progress = {this, nullptr};
}

ProgressScope::~ProgressScope() {
  t_progress = {outer_scope_, outer_task_};
}

ProgressTask::ProgressTask(std::string_view unit, std::uint64_t total) : total_(total) {
  ProgressScope* scope = t_progress.scope;
  if (scope == nullptr || t_progress.task != nullptr) return;
  // Told first: if on_start throws, no destructor runs, so nothing may point here yet.
  if (scope->on_start_) scope->on_start_(unit, total);
  scope_ = scope;
  t_progress.task = this;
}

ProgressTask::~ProgressTask() {
  if (scope_ != nullptr) t_progress.task = nullptr;
}

void ProgressTask::forward() const {
  if (scope_->on_progress_) scope_->on_progress_(done_, total_);
}

}  // namespace mlpersist
