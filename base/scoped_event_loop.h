// ScopedEventLoop: a view of another EventLoop for one component that can be switched off. Tasks
// set through it run on the underlying loop as usual until Close; after Close none of them runs
// (a task running at that moment finishes first), and new ones are dropped. The simulator gives
// each node one over the shared virtual loop, so a node killed mid-operation leaves no task
// behind that could reach its destroyed state.
//
// Thread safety: as EventLoop. `loop` must outlive it.
#ifndef SWARMKV_BASE_SCOPED_EVENT_LOOP_H_
#define SWARMKV_BASE_SCOPED_EVENT_LOOP_H_

#include <utility>

#include "base/event_loop.h"
#include "base/lifeline.h"

namespace swarmkv {

class ScopedEventLoop final : public EventLoop {
 public:
  explicit ScopedEventLoop(EventLoop& loop) : loop_(loop) {}
  ~ScopedEventLoop() override { Close(); }

  const Clock& clock() const override { return loop_.clock(); }
  TimerId RunAt(absl::Time deadline, Task task) override {
    if (lifeline_.closed()) return 0;
    return loop_.RunAt(deadline, lifeline_.Guard(std::move(task)));
  }
  bool Cancel(TimerId id) override { return loop_.Cancel(id); }
  bool Await(const absl::Notification& done) override { return loop_.Await(done); }

  // REQUIRES: not called from a task set through this loop.
  void Close() { lifeline_.Close(); }

 private:
  EventLoop& loop_;
  Lifeline lifeline_;
};

}  // namespace swarmkv

#endif  // SWARMKV_BASE_SCOPED_EVENT_LOOP_H_
