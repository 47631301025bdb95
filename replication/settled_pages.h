// SettledPages: the maintenance pages whose every block was, when last checked, where it
// belongs (at its R responsible nodes, nothing to push or hand off), so that later rounds do not
// ask the peers about them again until something could have changed:
// - the routing table: a node joined, left, or stopped answering (each round pings every peer a
//   settled page relied on first, and one that does not answer leaves the table);
// - the page itself: a block added to it or removed from it changes its mark;
// - time: a copy lost on a node that still answers is found when the page is checked again,
//   `recheck` after it settled at the latest (at a point in [recheck/2, recheck] that depends on
//   the page, so the rechecks do not all fall in one round).
// At rest, a round then costs a listing of the store's block keys and a ping per peer, instead
// of a HAVE per peer for every block (issue 14's scale run: 1.3 s of CPU a round at 1.5·10^5
// blocks, growing linearly).
//
// Pages are cut where the blocks say: a page ends at a block whose CID ends in a zero byte (one
// in kPageEndOdds), or at kMaxPageBlocks. So a block put or deleted changes its own page's
// mark, not the bounds of every page after it.
//
// Thread safety: none; the Swarm holds it under its lock.
#ifndef SWARMKV_REPLICATION_SETTLED_PAGES_H_
#define SWARMKV_REPLICATION_SETTLED_PAGES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "crypto/cid.h"
#include "replication/routing_table.h"

namespace swarmkv {

inline constexpr size_t kPageEndOdds = 256;

// What identifies a page's blocks.
struct PageMark {
  Cid first;
  Cid last;
  uint64_t count = 0;
  uint64_t fingerprint = 0;  // of every block's CID

  friend bool operator==(const PageMark& a, const PageMark& b) {
    return a.first == b.first && a.last == b.last && a.count == b.count &&
           a.fingerprint == b.fingerprint;
  }
};
// REQUIRES: !page.empty().
PageMark MarkOf(absl::Span<const Cid> page);

// Whether a page ends at `cid` (unless it ended earlier at its size limit).
bool EndsPage(const Cid& cid);
// How many of `blocks` (in key order) make the next page: up to and including the first that
// ends a page, at most `max_blocks`; all of them only when `more_follow` is false.
// 0 when more must be listed first (no end among fewer than max_blocks, and more follow).
size_t NextPageSize(absl::Span<const Cid> blocks, size_t max_blocks, bool more_follow);

class SettledPages {
 public:
  explicit SettledPages(absl::Duration recheck) : recheck_(recheck) {}

  // True when the page `mark` settled at this `table_version`, recently enough: the round skips
  // it, and it stays settled for the next.
  bool Skip(const PageMark& mark, uint64_t table_version, absl::Time now);
  // The page `mark` was checked at `table_version` (as it was when the check was planned) and
  // every block in it is where it belongs; `peers` are the nodes it found them on.
  void Settle(const PageMark& mark, uint64_t table_version, absl::Time now,
              std::vector<NodeId> peers);
  // At the end of a round's walk over the store: pages it did not meet are forgotten.
  void EndRound();
  // The nodes the settled pages rely on, each once.
  std::vector<NodeId> Peers() const;
  size_t size() const { return last_round_.size() + this_round_.size(); }

 private:
  struct Settled {
    PageMark mark;
    uint64_t table_version;
    absl::Time at;
    std::vector<NodeId> peers;
  };
  absl::Duration RecheckOf(const PageMark& mark) const;

  const absl::Duration recheck_;
  // By the page's last block: those met by the round in progress, and the rest of the last one.
  absl::flat_hash_map<Cid, Settled> this_round_;
  absl::flat_hash_map<Cid, Settled> last_round_;
};

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_SETTLED_PAGES_H_
