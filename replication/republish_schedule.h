// RepublishSchedule: when this node renews the provider records of its pinned content.
//
// A provider record lives `provider_ttl` at the nodes that keep it, and its owner renews it every
// `interval` (half the TTL). Renewing every pinned root in one maintenance round cost a lookup
// and the ADD_PROVIDERs of every root at once: with 10^6 roots that round had not ended after
// 10 minutes, and every restart did it again (when the last renewal was done was not kept).
// Instead, one sweep over the pins, in key order, per interval, spread over it: `t` into the
// sweep, the share t / interval of the roots is due, at most `max_per_round` in one round (a
// sweep that fell behind, after a long stop, catches up at that pace). The sweep's place is the
// node's soft state (saved in the store, replication/saved_state.h), so a restart carries on
// where it stopped. Content is announced when it is put or pinned, so a node's first sweep
// starts when the node first runs maintenance, not before.
//
// Thread safety: none; the Swarm holds it under its lock.
#ifndef SWARMKV_REPLICATION_REPUBLISH_SCHEDULE_H_
#define SWARMKV_REPLICATION_REPUBLISH_SCHEDULE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "crypto/cid.h"

namespace swarmkv {

// Where a sweep stands.
struct RepublishSweep {
  absl::Time started = absl::InfinitePast();  // InfinitePast: no sweep yet
  std::optional<Cid> after;                   // the last root listed in this sweep
  uint64_t listed = 0;                        // roots listed in this sweep so far
  bool at_end = false;                        // every root has been listed
};

class RepublishSchedule {
 public:
  // REQUIRES: interval > 0, max_per_round > 0.
  RepublishSchedule(absl::Duration interval, uint64_t max_per_round)
      : interval_(interval), max_per_round_(max_per_round) {}

  void Restore(const RepublishSweep& sweep) { sweep_ = sweep; }
  const RepublishSweep& sweep() const { return sweep_; }

  // How many roots after sweep().after the round at `now` announces, with `pinned_roots`
  // pinned. Starts the first sweep, and the next one once the last has listed every root and
  // its interval has passed.
  uint64_t Due(absl::Time now, uint64_t pinned_roots);
  // The round listed `roots`, having asked for `due` (from Due): fewer means the pins ran out.
  void Listed(uint64_t due, const std::vector<Cid>& roots);

 private:
  void StartNext(absl::Time now);

  const absl::Duration interval_;
  const uint64_t max_per_round_;
  RepublishSweep sweep_;
};

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_REPUBLISH_SCHEDULE_H_
