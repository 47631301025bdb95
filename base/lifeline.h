// Lifeline: makes tasks that an object posts to an event loop or an executor safe to outlive it.
// A guarded task runs only while the lifeline is open; Close (or the destructor) waits for
// guarded tasks already running and keeps any later one from starting, so after it the owner
// may be destroyed even with its tasks still queued (they find the line closed and do nothing).
//
//   loop.RunAfter(kTick, lifeline_.Guard([this] { Tick(); }));
//
// The guard's state is shared (shared_ptr) on purpose: a queued task must be able to look at it
// after the owner, and its Lifeline, are gone.
//
// Thread safety: thread-safe. REQUIRES: Close is never called from a guarded task.
#ifndef SWARMKV_BASE_LIFELINE_H_
#define SWARMKV_BASE_LIFELINE_H_

#include <functional>
#include <memory>

#include "absl/synchronization/mutex.h"

namespace swarmkv {

class Lifeline {
 public:
  Lifeline() = default;
  ~Lifeline() { Close(); }
  Lifeline(const Lifeline&) = delete;
  Lifeline& operator=(const Lifeline&) = delete;

  // `task`, to run only while the line is open.
  std::function<void()> Guard(std::function<void()> task) const;
  // The same for a callback that takes a value: `Guard<size_t>([this](size_t n) { ... })`.
  template <typename T>
  std::function<void(T)> Guard(std::function<void(T)> callback) const {
    return [state = state_, callback = std::move(callback)](T value) {
      if (!Enter(*state)) return;
      callback(std::move(value));
      Leave(*state);
    };
  }
  // After it returns no guarded task is running and none will start. Idempotent.
  void Close();
  bool closed() const;

 private:
  struct State {
    absl::Mutex mu;
    bool closed ABSL_GUARDED_BY(mu) = false;
    int running ABSL_GUARDED_BY(mu) = 0;
  };
  // False when closed; otherwise counts a task running until Leave.
  static bool Enter(State& state);
  static void Leave(State& state);

  const std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace swarmkv

#endif  // SWARMKV_BASE_LIFELINE_H_
