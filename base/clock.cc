#include "base/clock.h"

#include <cstdlib>

namespace swarmkv {

RealClock& RealClock::Instance() {
  static RealClock* clock = new RealClock();  // Never destroyed: usable during static teardown.
  return *clock;
}

absl::Time SimulatedClock::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

void SimulatedClock::Advance(absl::Duration d) {
  if (d < absl::ZeroDuration()) std::abort();  // A programming error, never input.
  absl::MutexLock lock(&mu_);
  now_ += d;
}

void SimulatedClock::AdvanceTo(absl::Time t) {
  absl::MutexLock lock(&mu_);
  if (t < now_) std::abort();
  now_ = t;
}

}  // namespace swarmkv
