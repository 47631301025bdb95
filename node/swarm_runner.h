// SwarmRunner: the daemon's background loop for the swarm, on its own thread:
// - bootstrap: contacts the bootstrap list until some entry answers, retrying with exponential
//   back-off (1 s doubling to 60 s) while the routing table is empty;
// - maintenance (Swarm::Maintain): every `interval`, and early (within a second, but at most
//   once per min(interval, 10 s)) when the routing table changed size, so a node that joins or
//   dies is dealt with promptly;
// - the routing table is saved to the store after each round and at stop.
//
// Thread safety: construct, then Stop (or destroy) from one thread. `swarm` must outlive it.
#ifndef SWARMKV_NODE_SWARM_RUNNER_H_
#define SWARMKV_NODE_SWARM_RUNNER_H_

#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "replication/swarm.h"

namespace swarmkv {

class SwarmRunner {
 public:
  SwarmRunner(Swarm& swarm, std::vector<BootstrapEntry> bootstrap, absl::Duration interval);
  ~SwarmRunner() { Stop(); }

  // Saves the routing table and asks the loop to end; returns at once. A round in progress
  // finishes (quickly, once the transport refuses new calls).
  void RequestStop();
  // RequestStop, then waits for the loop to end.
  void Stop();

 private:
  void Run();
  // Waits up to `d`; false when stopping.
  bool WaitFor(absl::Duration d);
  bool Stopping();

  Swarm& swarm_;
  const std::vector<BootstrapEntry> bootstrap_;
  const absl::Duration interval_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace swarmkv

#endif  // SWARMKV_NODE_SWARM_RUNNER_H_
