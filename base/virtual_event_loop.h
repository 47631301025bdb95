// VirtualEventLoop: the EventLoop on virtual time, with no thread of its own. Its owner runs it
// (RunUntilIdle, RunUntil, RunFor), and time jumps to each task's due time as it runs, so hours
// of timers and timeouts pass in milliseconds and every run from the same inputs is the same.
// Tests and the simulator drive one or many nodes on it; the loop is deterministic as long as
// only the thread that runs it posts to it.
//
// Thread safety: RunAt/Cancel/Post are safe from any thread; the Run* methods must be called
// from one thread at a time, never from a task.
#ifndef SWARMKV_BASE_VIRTUAL_EVENT_LOOP_H_
#define SWARMKV_BASE_VIRTUAL_EVENT_LOOP_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "base/event_loop.h"
#include "base/internal/timer_queue.h"

namespace swarmkv {

class VirtualEventLoop final : public EventLoop {
 public:
  explicit VirtualEventLoop(absl::Time start = absl::UnixEpoch()) : clock_(start) {}

  const SimulatedClock& clock() const override { return clock_; }
  absl::Time now() const { return clock_.Now(); }
  TimerId RunAt(absl::Time deadline, Task task) override;
  bool Cancel(TimerId id) override;
  // Runs tasks on the caller's thread until `done` is notified.
  bool Await(const absl::Notification& done) override;

  // Runs the tasks due by `until` in order, moving the clock to each one's due time, then sets
  // the clock to `until` (when it is later). Returns how many ran. Tasks that tasks add run too
  // when they are due by `until`.
  size_t RunUntil(absl::Time until);
  size_t RunFor(absl::Duration d) { return RunUntil(now() + d); }
  // Runs until nothing is pending, or `max_tasks` have run (a guard against a loop that keeps
  // re-arming a timer forever; periodic work never lets a loop go idle). Returns how many ran.
  size_t RunUntilIdle(size_t max_tasks = SIZE_MAX);
  // Runs the earliest pending task, moving the clock to its due time. False when none is left.
  bool RunOne();

  // When the next pending task is due; nullopt when none is.
  std::optional<absl::Time> NextDue();
  size_t pending();

 private:
  SimulatedClock clock_;
  absl::Mutex mu_;
  base_internal::TimerQueue queue_ ABSL_GUARDED_BY(mu_);
};

}  // namespace swarmkv

#endif  // SWARMKV_BASE_VIRTUAL_EVENT_LOOP_H_
