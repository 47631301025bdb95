// Housekeeper: the daemon's background loop, on its own thread.
// - Swarm (when peer networking is on):
//   - bootstrap: contacts the bootstrap list until some entry answers, retrying with
//     exponential back-off (1 s doubling to 60 s) while the routing table is empty;
//   - maintenance (Swarm::Maintain): every `interval`, and early (within a second, but at most
//     once per min(interval, 10 s)) when the routing table changed size, so a node that joins
//     or dies is dealt with promptly;
//   - the routing table is saved to the store after each round and when a stop is asked for.
// - Store: garbage collection of unpinned blocks under the quota (BlockStore::CollectGarbage), then
//   the disk space of deleted blocks given back (BlockStore::ReclaimSpace)
//   every round, after maintenance has handed off what it could.
//
// Thread safety: construct, then RequestStop/Stop (or destroy) from one thread. `store` and
// `swarm` (which may be null) must outlive it.
#ifndef SWARMKV_NODE_HOUSEKEEPER_H_
#define SWARMKV_NODE_HOUSEKEEPER_H_

#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "replication/swarm.h"
#include "storage/block_store.h"

namespace swarmkv {

class Housekeeper {
 public:
  Housekeeper(BlockStore& store, Swarm* swarm, std::vector<BootstrapEntry> bootstrap,
              absl::Duration interval);
  ~Housekeeper() { Stop(); }

  // Saves the routing table and asks the loop to end; returns at once. A round in progress
  // finishes (quickly, once the transport refuses new calls).
  void RequestStop();
  // RequestStop, then waits for the loop to end.
  void Stop();

 private:
  void Run();
  // Bootstrap when due and the table is empty; maintenance when due. True when a round ran.
  bool TendSwarm(absl::Time now);
  void CollectGarbage();
  // Waits up to `d`; false when stopping.
  bool WaitFor(absl::Duration d);
  bool Stopping();

  BlockStore& store_;
  Swarm* const swarm_;
  const std::vector<BootstrapEntry> bootstrap_;
  const absl::Duration interval_;

  // Used by the loop thread only.
  absl::Duration backoff_ = absl::Seconds(1);
  absl::Time next_bootstrap_ = absl::InfinitePast();
  absl::Time next_round_;
  absl::Time last_round_ = absl::InfinitePast();
  size_t last_size_ = 0;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace swarmkv

#endif  // SWARMKV_NODE_HOUSEKEEPER_H_
