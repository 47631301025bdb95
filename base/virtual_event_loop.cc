#include "base/virtual_event_loop.h"

#include <utility>

namespace swarmkv {

TimerId VirtualEventLoop::RunAt(absl::Time deadline, Task task) {
  absl::MutexLock lock(&mu_);
  return queue_.Add(deadline, std::move(task));
}

bool VirtualEventLoop::Cancel(TimerId id) {
  absl::MutexLock lock(&mu_);
  return queue_.Cancel(id);
}

std::optional<absl::Time> VirtualEventLoop::NextDue() {
  absl::MutexLock lock(&mu_);
  return queue_.NextDue();
}

size_t VirtualEventLoop::pending() {
  absl::MutexLock lock(&mu_);
  return queue_.pending();
}

bool VirtualEventLoop::RunOne() {
  std::optional<Task> task;
  {
    absl::MutexLock lock(&mu_);
    const std::optional<absl::Time> due = queue_.NextDue();
    if (!due.has_value()) return false;
    // A task set in the past runs now: virtual time, like real time, never goes back.
    if (*due > clock_.Now()) clock_.AdvanceTo(*due);
    task = queue_.PopDue(clock_.Now());
  }
  (*task)();
  return true;
}

size_t VirtualEventLoop::RunUntil(absl::Time until) {
  size_t ran = 0;
  for (;;) {
    const std::optional<absl::Time> due = NextDue();
    if (!due.has_value() || *due > until) break;
    if (RunOne()) ++ran;
  }
  if (until > clock_.Now()) clock_.AdvanceTo(until);
  return ran;
}

bool VirtualEventLoop::Await(const absl::Notification& done) {
  while (!done.HasBeenNotified()) {
    if (!RunOne()) return false;
  }
  return true;
}

size_t VirtualEventLoop::RunUntilIdle(size_t max_tasks) {
  size_t ran = 0;
  while (ran < max_tasks && RunOne()) ++ran;
  return ran;
}

}  // namespace swarmkv
