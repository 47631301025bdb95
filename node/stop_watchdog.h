// StopWatchdog: bounds the daemon's stop. Armed when SIGTERM arrives; if the stop has not
// finished `limit` later, it logs the step the stop is stuck in (`daemon.stop_overdue`) and
// ends the process with exit code 3. So an orchestrator's SIGKILL at its stop timeout is never
// what ends a node, and the log says where the stop hung. Ending there loses nothing
// acknowledged: writes are synced before they are acknowledged, and a restart recovers from
// anything a SIGKILL leaves (tests/e2e kills nodes mid-write).
//
// Thread safety: Step is called from the stopping thread; the watchdog runs on its own.
#ifndef SWARMKV_NODE_STOP_WATCHDOG_H_
#define SWARMKV_NODE_STOP_WATCHDOG_H_

#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace swarmkv {

class StopWatchdog {
 public:
  // Arms it: `limit` from now.
  explicit StopWatchdog(absl::Duration limit);
  // Disarms it: the stop finished.
  ~StopWatchdog();
  StopWatchdog(const StopWatchdog&) = delete;
  StopWatchdog& operator=(const StopWatchdog&) = delete;

  // Names the step the stop is in now (a string literal).
  void Step(const char* step);

 private:
  void Watch(absl::Duration limit);

  absl::Mutex mu_;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  const char* step_ ABSL_GUARDED_BY(mu_) = "starting";
  std::thread thread_;  // last: started once the rest is set
};

}  // namespace swarmkv

#endif  // SWARMKV_NODE_STOP_WATCHDOG_H_
