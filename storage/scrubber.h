// Scrubber: re-hashes every block of the store against its CID, in the background at a bounded
// rate (and on demand, `swarmkv scrub`), and repairs what it finds damaged.
//
// Reads rely on the at-rest AEAD tag (BlockStore's verify_hash_on_read is off by default): a
// block damaged on disk fails to unseal and is never served. Two failures are left to this
// pass: silent rot in blocks nobody reads (found before the last good copy elsewhere is gone),
// and a block this node sealed under the wrong CID itself, which the tag cannot catch. A block
// that fails is removed and fetched again through `repair` (a peer's copy, verified), or
// reported lost when no one has it (log event `store.block_lost`, the `lost` counter).
//
// Pace (the background pass): after each slice of blocks, a pause long enough that
// - a whole pass takes at least `pass_interval` (default: a week), and
// - the slice's work is at most `max_cpu_share` of the time (default 2 % of one core),
// whichever is longer. A store too big for a pass a week at that share takes longer.
//
// Thread safety: thread-safe. One pass runs at a time: a slice does nothing (and says so)
// while FullPass runs, and FullPass waits for a slice in progress.
#ifndef SWARMKV_STORAGE_SCRUBBER_H_
#define SWARMKV_STORAGE_SCRUBBER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "crypto/cid.h"
#include "storage/block_store.h"

namespace swarmkv {

struct ScrubOptions {
  // A background pass over the whole store takes at least this long. Zero: no background pass.
  absl::Duration pass_interval = absl::Hours(24 * 7);
  // The background pass's work is at most this share of one core's time (0 < share <= 1).
  double max_cpu_share = 0.02;
  // A slice checks at most this many blocks and bytes before it pauses.
  size_t slice_blocks = 64;
  uint64_t slice_bytes = 8u << 20;
};

// The pause after a slice that checked `bytes` (of a store of `stored_bytes`) in `work` of
// time, as the pace above says.
absl::Duration ScrubPause(uint64_t bytes, absl::Duration work, uint64_t stored_bytes,
                          const ScrubOptions& options);

// Counts, for one pass (FullPass) or since the node started (Totals).
struct ScrubCounts {
  uint64_t blocks_checked = 0;
  uint64_t bytes_checked = 0;  // sealed bytes read
  uint64_t damaged = 0;        // failed the checks, and removed
  uint64_t repaired = 0;       // of those, fetched again and stored
  uint64_t lost = 0;           // of those, no one had a copy
  uint64_t passes = 0;         // whole passes completed
};

struct ScrubReport {
  ScrubCounts counts;
  absl::Duration elapsed;
  // CIDs of the blocks lost in this pass (the first kMaxReportedLost).
  std::vector<Cid> lost;
};

class Scrubber {
 public:
  static constexpr size_t kMaxReportedLost = 100;
  // A sound copy of `cid` from elsewhere (verified against it), or an error when none is found.
  using Repair = std::function<absl::StatusOr<std::string>(const Cid& cid)>;

  // `repair` may be null (a node alone): every damaged block is then lost.
  Scrubber(BlockStore& store, Repair repair, ScrubOptions options = {});

  // Checks the next slice of the background pass (wrapping round at the end of the store) and
  // returns the pause before the next one. InfiniteDuration when the background pass is off.
  absl::Duration Slice();
  // A whole pass now, from the first block to the last, unpaced. CANCELLED when `stop` (may be
  // null; asked between blocks) says so: the counts so far go to Totals.
  absl::StatusOr<ScrubReport> FullPass(const std::function<bool()>& stop = nullptr);

  ScrubCounts Totals() const;
  const ScrubOptions& options() const { return options_; }

 private:
  // What checking one block found.
  void Check(const Cid& cid, ScrubReport* report);
  void Add(const ScrubCounts& counts);

  BlockStore& store_;
  const Repair repair_;
  const ScrubOptions options_;

  // Held by a slice or a full pass: one pass at a time.
  absl::Mutex pass_mu_;
  // Where the background pass goes on from; none: the start of the store.
  std::optional<Cid> cursor_ ABSL_GUARDED_BY(pass_mu_);

  mutable absl::Mutex totals_mu_;
  ScrubCounts totals_ ABSL_GUARDED_BY(totals_mu_);
};

}  // namespace swarmkv

#endif  // SWARMKV_STORAGE_SCRUBBER_H_
