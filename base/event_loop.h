// EventLoop: one thread that owns protocol state and runs, in order, the tasks posted to it and
// the timers set on it (STYLE rules 12 and 14). gRPC and worker threads never touch that state:
// they Post a task, and the task runs on the loop. Work that blocks (RocksDB, AEAD on large
// blocks) goes to an Executor and posts its result back.
//
// Two loops share this interface:
// - RealEventLoop (below): its own thread, real time; the daemon runs one.
// - VirtualEventLoop (base/virtual_event_loop.h): no thread, virtual time moved by its owner;
//   tests and the simulator drive many nodes on one.
// Code written against EventLoop runs unchanged on both.
//
// Order: tasks run by due time; tasks due at the same time run in the order they were posted or
// set. Post(task) is RunAt(clock().Now(), task).
//
// Thread safety: every method is safe from any thread, including from a task on the loop.
#ifndef SWARMKV_BASE_EVENT_LOOP_H_
#define SWARMKV_BASE_EVENT_LOOP_H_

#include <cstdint>
#include <functional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "base/internal/timer_queue.h"

namespace swarmkv {

// Names a task set with RunAt/RunAfter, for Cancel. Never 0, so 0 can mean "no timer".
using TimerId = uint64_t;

class EventLoop {
 public:
  using Task = std::function<void()>;

  virtual ~EventLoop() = default;

  // The time the loop runs on.
  virtual const Clock& clock() const = 0;
  // Runs `task` on the loop after the tasks already due. False when the loop has stopped and
  // drops it.
  bool Post(Task task) { return RunAt(clock().Now(), std::move(task)) != 0; }
  // Runs `task` on the loop once `deadline` has come (soon, if it has already passed). Returns
  // 0, dropping the task, when the loop has stopped.
  virtual TimerId RunAt(absl::Time deadline, Task task) = 0;
  TimerId RunAfter(absl::Duration delay, Task task) {
    return RunAt(clock().Now() + delay, std::move(task));
  }
  // True when the task had not started and now never will; false when it ran, is running or
  // was cancelled before. Cancel(0) is false.
  virtual bool Cancel(TimerId id) = 0;
  // Blocks the calling thread until `done` is notified while the loop runs: a real loop on its
  // own thread, a virtual loop on the caller's (moving its clock). This is how code outside the
  // loop (an API call on a worker thread, a test) waits for an operation that runs on it. False
  // when that can no longer happen: the loop stopped, or a virtual loop ran out of tasks.
  // REQUIRES: not called from a task on this loop.
  virtual bool Await(const absl::Notification& done) = 0;
};

// The loop on its own thread, on the real clock. Construction starts the thread.
class RealEventLoop final : public EventLoop {
 public:
  RealEventLoop();
  // Stop().
  ~RealEventLoop() override;
  RealEventLoop(const RealEventLoop&) = delete;
  RealEventLoop& operator=(const RealEventLoop&) = delete;

  const Clock& clock() const override { return RealClock::Instance(); }
  TimerId RunAt(absl::Time deadline, Task task) override;
  bool Cancel(TimerId id) override;
  bool Await(const absl::Notification& done) override;

  // Ends the thread after the task running now (if any); tasks and timers still pending never
  // run and are destroyed. Later RunAt calls are accepted and dropped. Idempotent.
  // REQUIRES: not called from a task on this loop.
  void Stop();
  // True on the loop's own thread.
  bool InLoopThread() const { return std::this_thread::get_id() == thread_id_; }

 private:
  void Run();

  absl::Mutex mu_;
  base_internal::TimerQueue queue_ ABSL_GUARDED_BY(mu_);
  // Set when a task was added that is due before the time the loop is sleeping until.
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time sleeping_until_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
  std::thread::id thread_id_;
};

}  // namespace swarmkv

#endif  // SWARMKV_BASE_EVENT_LOOP_H_
