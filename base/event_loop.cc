#include "base/event_loop.h"

#include <optional>
#include <utility>

namespace swarmkv {

RealEventLoop::RealEventLoop() {
  thread_ = std::thread([this] { Run(); });
  thread_id_ = thread_.get_id();
}

RealEventLoop::~RealEventLoop() { Stop(); }

TimerId RealEventLoop::RunAt(absl::Time deadline, Task task) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return 0;
  if (deadline < sleeping_until_) woken_ = true;
  return queue_.Add(deadline, std::move(task));
}

bool RealEventLoop::Cancel(TimerId id) {
  absl::MutexLock lock(&mu_);
  return queue_.Cancel(id);
}

bool RealEventLoop::Await(const absl::Notification& done) {
  // Polled: the loop's stop has no hook into `done`, and a stop is rare.
  while (!done.WaitForNotificationWithTimeout(absl::Milliseconds(200))) {
    absl::MutexLock lock(&mu_);
    if (stopping_) return done.HasBeenNotified();
  }
  return true;
}

void RealEventLoop::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  // Pending tasks may own objects whose destructors post: destroy them outside the lock.
  base_internal::TimerQueue pending;
  {
    absl::MutexLock lock(&mu_);
    std::swap(pending, queue_);
  }
}

void RealEventLoop::Run() {
  for (;;) {
    std::optional<Task> task;
    {
      absl::MutexLock lock(&mu_);
      for (;;) {
        if (stopping_) return;
        task = queue_.PopDue(absl::Now());
        if (task.has_value()) break;
        // Sleep until the next task is due, or until one due sooner is added, or a stop.
        sleeping_until_ = queue_.NextDue().value_or(absl::InfiniteFuture());
        woken_ = false;
        auto awake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return woken_ || stopping_; };
        mu_.AwaitWithDeadline(absl::Condition(&awake), sleeping_until_);
        sleeping_until_ = absl::InfiniteFuture();
      }
    }
    (*task)();
  }
}

}  // namespace swarmkv
