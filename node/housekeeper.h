// Housekeeper: the daemon's background upkeep, driven by the node's event loop.
// - Swarm (when peer networking is on):
//   - bootstrap: contacts the bootstrap list until some entry answers, retrying with
//     exponential back-off (1 s doubling to 60 s) while the routing table is empty, and again
//     with every maintenance round (a node split from its entries by a partition finds them
//     again when it heals);
//   - maintenance (Swarm::Maintain): every `interval`, and early (within a second, but at most
//     once per min(interval, 10 s)) when the routing table changed size, so a node that joins
//     or dies is dealt with promptly;
//   - membership while a round runs long: a round on a big store under load can take several
//     intervals (seen: 25-35 s at 10 s); every `interval` during it, the bootstrap list and the
//     dormant contacts are tried again and a self-lookup run (Swarm::RefreshMembershipAsync),
//     so a node back from a partition or restart is found within two intervals, not rounds;
//   - the routing table is saved to the store within a tick of any change to it (so a node
//     killed right after others joined it still knows them when it restarts), and only then.
//     (A clean stop saves it too: the daemon does, before it shuts the swarm down.)
// - Store: garbage collection of unpinned blocks under the quota (BlockStore::CollectGarbage),
//   then the disk space of deleted blocks given back (BlockStore::ReclaimSpace), every round,
//   after maintenance has handed off what it could.
// - Scrub (when set): the background pass of the Scrubber, a slice at a time on `executor`,
//   each followed by the pause the Scrubber asks for; independent of the rounds.
//
// A timer on the loop ticks every second and decides, from the time and the table's size, what
// is due. The swarm's parts run on the loop as the Swarm's own state machines; the store's parts
// block (RocksDB), so they run on `executor` and post their end back to the loop, which then
// sets the next tick: one round at a time, and the loop thread never blocks.
//
// Thread safety: Start, RequestStop and Stop are called from one thread that is not the loop's.
// `loop`, `executor`, `store` and `swarm` (which may be null) must outlive it; its tasks still
// queued on them after Stop do nothing (base/lifeline.h).
#ifndef SWARMKV_NODE_HOUSEKEEPER_H_
#define SWARMKV_NODE_HOUSEKEEPER_H_

#include <cstddef>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/event_loop.h"
#include "base/executor.h"
#include "base/lifeline.h"
#include "records/records.h"
#include "replication/swarm.h"
#include "storage/block_store.h"
#include "storage/scrubber.h"

namespace swarmkv {

class Housekeeper {
 public:
  Housekeeper(EventLoop& loop, Executor& executor, BlockStore& store, Swarm* swarm,
              std::vector<BootstrapEntry> bootstrap, absl::Duration interval);
  ~Housekeeper() { Stop(); }

  // The node's records, republished by each maintenance round when due. REQUIRES: before Start.
  void set_records(Records* records) { records_ = records; }
  // The store's scrubber, whose background pass this drives. REQUIRES: before Start.
  void set_scrubber(Scrubber* scrubber) { scrubber_ = scrubber; }
  // Sets the first tick, due at once.
  void Start();
  // Stops starting rounds; returns at once. A round in progress finishes (quickly, once the
  // transport refuses new calls).
  void RequestStop();
  // RequestStop, then waits for a round in progress to end; nothing it queued runs after.
  void Stop();

 private:
  // What one round does; all false: nothing is due.
  struct Round {
    bool bootstrap = false;
    bool maintain = false;
    bool collect = false;
  };
  // On the loop: decides what is due and starts it, or sets the next tick.
  void Tick();
  Round Due(absl::Time now, size_t peers);
  // What a round found, for the loop.
  struct Outcome {
    size_t bootstrap_answered = 0;
    size_t peers = 0;  // the routing table's size after the round
  };
  // The steps of a round, each handing its outcome to the next (on the loop).
  void StartBootstrap(Round round);
  void StartMaintenance(Round round, Outcome outcome);
  // On the executor: saving the table and collecting garbage.
  void FinishRound(Round round, Outcome outcome);
  void CollectGarbage();
  // On the loop, after a round: record it and set the next tick.
  void RoundDone(Round round, Outcome outcome);
  // On the loop, every `interval` while a round runs: bootstrap (when there is a list), then
  // Swarm::RefreshMembershipAsync; set again at its end while the round still runs.
  void ScheduleMembershipRefresh();
  void RefreshMembership();
  // Saves the routing table (on the executor) when it changed since the last save.
  void SaveTableIfChanged();
  // Sets the next tick unless stopping.
  void ScheduleTick(absl::Duration delay);
  // Sets the next slice of the scrub unless stopping (or the pass is off: an infinite delay).
  void ScheduleScrub(absl::Duration delay);

  // Constant after construction.
  EventLoop& loop_;
  Executor& executor_;
  BlockStore& store_;
  Swarm* const swarm_;
  Records* records_ = nullptr;
  Scrubber* scrubber_ = nullptr;
  const std::vector<BootstrapEntry> bootstrap_;
  const absl::Duration interval_;

  // Used on the loop only.
  absl::Duration backoff_ = absl::Seconds(1);
  absl::Time next_bootstrap_ = absl::InfinitePast();
  absl::Time next_round_;
  absl::Time last_round_ = absl::InfinitePast();
  size_t last_size_ = 0;
  uint64_t saved_table_version_ = 0;
  bool round_running_ = false;
  bool membership_running_ = false;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  TimerId tick_ ABSL_GUARDED_BY(mu_) = 0;
  TimerId membership_tick_ ABSL_GUARDED_BY(mu_) = 0;
  TimerId scrub_tick_ ABSL_GUARDED_BY(mu_) = 0;

  // Last: every task of this object is guarded by it.
  Lifeline lifeline_;
};

}  // namespace swarmkv

#endif  // SWARMKV_NODE_HOUSEKEEPER_H_
