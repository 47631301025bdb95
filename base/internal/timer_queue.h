// TimerQueue: the tasks of an event loop, ordered by when they are due and, among tasks due at
// the same time, by when they were added (so equal deadlines run in FIFO order, which is what
// makes a virtual-time run reproducible). Cancelled tasks are skipped and freed lazily.
//
// Thread safety: not thread-safe; each loop guards its queue.
#ifndef SWARMKV_BASE_INTERNAL_TIMER_QUEUE_H_
#define SWARMKV_BASE_INTERNAL_TIMER_QUEUE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"

namespace swarmkv::base_internal {

class TimerQueue {
 public:
  using Task = std::function<void()>;

  // Returns the id the task can be cancelled by (never 0).
  uint64_t Add(absl::Time due, Task task);
  // True when the task was pending and now never runs.
  bool Cancel(uint64_t id);
  // When the earliest pending task is due; nullopt when none is pending.
  std::optional<absl::Time> NextDue();
  // Removes and returns the earliest pending task if it is due at or before `now`.
  std::optional<Task> PopDue(absl::Time now);
  size_t pending() const { return pending_.size(); }

 private:
  struct Entry {
    absl::Time due;
    uint64_t id;  // also the order of addition
    // Mutable so the task can be moved out of the heap's top before pop.
    mutable Task task;
    bool operator>(const Entry& other) const {
      return due != other.due ? due > other.due : id > other.id;
    }
  };
  // Drops cancelled entries from the top.
  void SkipCancelled();

  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;
  absl::flat_hash_set<uint64_t> pending_;
  uint64_t next_id_ = 1;
};

}  // namespace swarmkv::base_internal

#endif  // SWARMKV_BASE_INTERNAL_TIMER_QUEUE_H_
