#include "node/stop_watchdog.h"

#include <unistd.h>

#include <string>

#include "base/logging.h"

namespace swarmkv {

StopWatchdog::StopWatchdog(absl::Duration limit) : thread_([this, limit] { Watch(limit); }) {}

StopWatchdog::~StopWatchdog() {
  {
    absl::MutexLock lock(&mu_);
    finished_ = true;
  }
  thread_.join();
}

void StopWatchdog::Step(const char* step) {
  absl::MutexLock lock(&mu_);
  step_ = step;
}

void StopWatchdog::Watch(absl::Duration limit) {
  std::string step;
  {
    absl::MutexLock lock(&mu_);
    if (mu_.AwaitWithTimeout(absl::Condition(&finished_), limit)) return;
    step = step_;
  }
  LogEvent(LogLevel::kError, "daemon.stop_overdue",
           {{"step", step}, {"limit", absl::FormatDuration(limit)}, {"exit_code", 3}});
  _exit(3);
}

}  // namespace swarmkv
