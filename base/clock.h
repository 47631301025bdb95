// Clock: the only source of time for swarmkv code (STYLE rule 12).
//
// Production code takes a `Clock&` and never reads the wall clock itself, so tests and the
// simulator can run on virtual time with `SimulatedClock`.
#ifndef SWARMKV_BASE_CLOCK_H_
#define SWARMKV_BASE_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace swarmkv {

// Thread safety: implementations are safe to call from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The system's real time. `RealClock::Instance()` lives for the whole process.
class RealClock final : public Clock {
 public:
  static RealClock& Instance();
  absl::Time Now() const override { return absl::Now(); }
};

// Virtual time that moves only when a test says so. Starts at the Unix epoch unless told.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(absl::Time start = absl::UnixEpoch()) : now_(start) {}

  absl::Time Now() const override;
  // REQUIRES: d >= absl::ZeroDuration(); time never goes backwards.
  void Advance(absl::Duration d);
  // REQUIRES: t >= Now().
  void AdvanceTo(absl::Time t);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace swarmkv

#endif  // SWARMKV_BASE_CLOCK_H_
