#include "base/internal/timer_queue.h"

#include <utility>

namespace swarmkv::base_internal {

uint64_t TimerQueue::Add(absl::Time due, Task task) {
  const uint64_t id = next_id_++;
  heap_.push(Entry{due, id, std::move(task)});
  pending_.insert(id);
  return id;
}

bool TimerQueue::Cancel(uint64_t id) { return pending_.erase(id) > 0; }

void TimerQueue::SkipCancelled() {
  while (!heap_.empty() && !pending_.contains(heap_.top().id)) heap_.pop();
}

std::optional<absl::Time> TimerQueue::NextDue() {
  SkipCancelled();
  if (heap_.empty()) return std::nullopt;
  return heap_.top().due;
}

std::optional<TimerQueue::Task> TimerQueue::PopDue(absl::Time now) {
  SkipCancelled();
  if (heap_.empty() || heap_.top().due > now) return std::nullopt;
  Task task = std::move(heap_.top().task);
  pending_.erase(heap_.top().id);
  heap_.pop();
  return task;
}

}  // namespace swarmkv::base_internal
