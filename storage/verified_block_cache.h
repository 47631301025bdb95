// Small blocks that passed their integrity checks, kept in memory so that hot reads skip the
// RocksDB lookup, the unseal and the re-hash.
#ifndef SWARMKV_STORAGE_VERIFIED_BLOCK_CACHE_H_
#define SWARMKV_STORAGE_VERIFIED_BLOCK_CACHE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "crypto/cid.h"

namespace swarmkv {

// What is cached is a block's bytes as its CID names them: for encrypted content that is
// ciphertext (only the at-rest seal is off), so no plaintext of encrypted content is held here
// that a read would not hold anyway. The checks are the disk's threat; memory is trusted, as
// in every content-addressed store (Kubo's blockstore cache, OpenDHT's in-memory values).
//
// LRU, in shards to keep lock contention low, with an admission filter: a block is cached on
// its second read, so a scan of blocks read once (a large read, a benchmark, GC) neither pays
// for copying them in nor evicts the hot ones (TinyLFU's "doorkeeper"; one-shot 1 KiB reads
// were 17 % slower with every read admitted). Thread-safe.
class VerifiedBlockCache {
 public:
  // Holds at most `capacity_bytes` of block bytes, and no block over `max_block_bytes`: large
  // blocks are read in sequence and would only evict the small hot ones.
  VerifiedBlockCache(size_t capacity_bytes, size_t max_block_bytes);

  std::optional<std::string> Get(const Cid& cid);

  // Changes with every Erase. A reader takes it before reading the store and passes it to
  // Insert, which then drops the block if a deletion happened in between: a block deleted while
  // a read of it was in flight is not brought back into memory.
  uint64_t Generation() const { return generation_.load(std::memory_order_acquire); }
  // Offers a block just read: `data` must have passed every check for `cid`, and `generation`
  // is Generation() from before the read. Cached if this block was offered before.
  void Insert(const Cid& cid, absl::string_view data, uint64_t generation);
  // Called once a deletion of `cid` is committed: it is no longer served from memory.
  void Erase(const Cid& cid);

 private:
  struct Entry {
    Cid cid;
    std::string data;
  };
  struct Shard {
    absl::Mutex mu;
    std::list<Entry> lru ABSL_GUARDED_BY(mu);  // most recently used first
    absl::flat_hash_map<Cid, std::list<Entry>::iterator> index ABSL_GUARDED_BY(mu);
    size_t bytes ABSL_GUARDED_BY(mu) = 0;
    // Hashes of blocks offered once and not cached; forgotten all at once when full.
    absl::flat_hash_set<size_t> offered_once ABSL_GUARDED_BY(mu);
  };
  static constexpr size_t kShards = 8;
  static constexpr size_t kOfferedOncePerShard = 4096;

  const size_t shard_capacity_;
  const size_t max_block_bytes_;
  std::atomic<uint64_t> generation_{0};
  std::array<Shard, kShards> shards_;
};

}  // namespace swarmkv

#endif  // SWARMKV_STORAGE_VERIFIED_BLOCK_CACHE_H_
