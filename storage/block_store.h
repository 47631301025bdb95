// BlockStore: the node's durable, encrypted-at-rest store of content-addressed blocks on
// RocksDB, with pins and garbage collection. Layout: docs/storage-layout.md.
//
// - Every value written to RocksDB is sealed with the node's storage key (XChaCha20-Poly1305,
//   random nonce) with the column family and RocksDB key as associated data, so a copy of the
//   data directory reveals no block, pin name or counter, and a value moved to another key does
//   not open.
// - Every read is verified by its at-rest tag (and, when asked, re-hashed to its CID); a block
//   that fails is DATA_LOSS and is never returned. The scrub re-hashes all of them in the
//   background (storage/scrubber.h).
// - Acknowledged writes are durable: with `sync_writes` (the default) the WAL is fsynced before
//   a write returns.
// - A failed write or sync leaves the on-disk state uncertain, so the store turns read-only:
//   every later write returns that first error (reads go on). Reopen to recover.
// - Pins are reference counts per block, so pinning or unpinning content costs O(its blocks)
//   and never walks the other pins. Garbage collection deletes unpinned blocks while the store
//   is over its byte quota.
//
// Thread safety: all methods are thread-safe.
#ifndef SWARMKV_STORAGE_BLOCK_STORE_H_
#define SWARMKV_STORAGE_BLOCK_STORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "crypto/cid.h"
#include "crypto/secret_bytes.h"
#include "storage/block_source.h"
#include "storage/verified_block_cache.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Env;
class Status;
struct ReadOptions;
class WriteBatch;
}  // namespace rocksdb

namespace swarmkv {

// The largest block the store accepts: a 1 MiB chunk plus its AEAD tag, with headroom.
inline constexpr size_t kMaxBlockBytes = (1u << 20) + 1024;

struct BlockStoreOptions {
  // fsync the write-ahead log before acknowledging a write. Turning it off trades the last
  // writes before a power loss for throughput.
  bool sync_writes = true;
  // Garbage collection deletes unpinned blocks while the sealed bytes stored exceed this.
  // 0 means no quota: nothing is collected.
  uint64_t quota_bytes = 0;
  // RocksDB block cache for reads.
  size_t block_cache_bytes = 16u << 20;
  // Reads re-hash every block and compare it with its CID (DATA_LOSS on a mismatch). Off (the
  // default), reads rely on the at-rest AEAD tag alone, which binds the bytes to their key (the
  // CID) under the storage key, so damage on disk is DATA_LOSS either way; every write path
  // hashes a block before sealing it, so only a bug in this process or a holder of the storage
  // key could seal a block under the wrong CID, and the scrub (storage/scrubber.h) re-hashes
  // every block in the background to catch that too. Kubo's Datastore.HashOnRead is the same
  // choice (off by default there).
  bool verify_hash_on_read = false;
  // Small blocks (up to 64 KiB) already read and checked, kept in memory so hot reads skip
  // RocksDB, the unseal and the re-hash (VerifiedBlockCache). 0 turns it off.
  size_t verified_cache_bytes = 8u << 20;
  // Memory for all memtables together (RocksDB's write buffer manager). Each column family's
  // memtable is a quarter of it. Bounds the node's memory under a large write stream.
  size_t memtable_bytes = 32u << 20;
  // RocksDB environment; tests pass one that injects faults. Not owned; must outlive the store.
  rocksdb::Env* env = nullptr;
  // Writes of new blocks are refused (RESOURCE_EXHAUSTED) while the filesystem has less free
  // space than this, so the disk never fills under RocksDB (issue 15 finding 1); reads, deletes,
  // pins and unpins go on. 0: no reserve.
  uint64_t min_free_bytes = 128u << 20;
  // Free bytes on the store's filesystem; null: statvfs of the store's directory. Tests give
  // their simulated disk's.
  std::function<uint64_t()> free_bytes;
};

struct BlockStoreStats {
  uint64_t blocks = 0;
  uint64_t stored_bytes = 0;  // sealed value bytes, as RocksDB holds them
  uint64_t pinned_roots = 0;
};

struct PinnedRoot {
  Cid root;
  std::string name;
  absl::Time pinned_at;
};

struct GcResult {
  uint64_t blocks_deleted = 0;
  uint64_t bytes_freed = 0;
  bool deferred = false;  // a content write was in progress; try again later
};

class BlockStore final : public BlockSource {
 public:
  // Opens (creating if needed) the store in directory `dir`.
  // REQUIRES: storage_key.size() == kAeadKeyBytes.
  // UNAVAILABLE when another process holds the directory; DATA_LOSS when the store does not open
  // under this storage key (wrong key file) or is damaged.
  static absl::StatusOr<std::unique_ptr<BlockStore>> Open(const std::string& dir,
                                                          const SecretBytes& storage_key,
                                                          BlockStoreOptions options = {});
  ~BlockStore();
  BlockStore(const BlockStore&) = delete;
  BlockStore& operator=(const BlockStore&) = delete;

  // How a write reaches the disk. kDeferred leaves the WAL unsynced: for writers that call
  // SyncWrites() before they acknowledge anything (a whole content is acknowledged once).
  enum class Durability { kPerOptions, kDeferred };

  // Stores `data` as a block of `codec` and returns its CID. Storing a block that is already
  // present is a no-op. RESOURCE_EXHAUSTED over kMaxBlockBytes; the sticky write error after a
  // failed write.
  absl::StatusOr<Cid> Put(Codec codec, absl::string_view data,
                          HashFunction function = HashFunction::kSha2_256,
                          Durability durability = Durability::kPerOptions);
  // Makes every earlier write durable (one WAL fsync) when `sync_writes` is on. A failure turns
  // the store read-only.
  absl::Status SyncWrites();
  // Stores a block received under a claimed CID. INVALID_ARGUMENT when `data` does not hash to
  // `cid` (nothing is stored). A cached copy, whose loss costs only a refetch, may pass
  // kDeferred.
  absl::Status PutVerified(const Cid& cid, absl::string_view data,
                           Durability durability = Durability::kPerOptions);

  // Blocks sealed now and written later, in one RocksDB write with their pin (CommitStaged): a
  // small content's blocks and pin then cost one write, one lock and one counters record
  // instead of one each. Holds the sealed bytes in memory until committed.
  class StagedBlocks {
   public:
    size_t bytes() const { return bytes_; }
    size_t size() const { return blocks_.size(); }

   private:
    friend class BlockStore;
    struct Block {
      Cid cid;
      std::string key;
      std::string sealed;
    };
    std::vector<Block> blocks_;
    size_t bytes_ = 0;
  };
  // Seals `data` as a block of `codec` into `staged` and returns its CID; nothing is written.
  // RESOURCE_EXHAUSTED over kMaxBlockBytes.
  absl::StatusOr<Cid> Stage(Codec codec, absl::string_view data, HashFunction function,
                            StagedBlocks* staged) const;
  // The pin CommitStaged writes: content `root`, whose blocks (root included, repeats as
  // staged) are exactly the staged ones.
  struct PinOrder {
    Cid root;
    absl::string_view name;
    absl::Time now;
  };
  // Writes the staged blocks the store does not hold yet and, when `pin` is set, the pin: one
  // RocksDB write. Then makes it durable as `durability` says.
  absl::Status CommitStaged(const StagedBlocks& staged, const PinOrder* pin, Durability durability);

  // The block's bytes, verified. NOT_FOUND when absent; DATA_LOSS when damaged.
  absl::StatusOr<std::string> Get(const Cid& cid) const override;
  // The same, but only when no disk read is needed (the value is in a memtable or the block
  // cache): UNAVAILABLE otherwise. Lets a gRPC thread serve hot blocks without blocking.
  absl::StatusOr<std::string> GetCached(const Cid& cid) const;
  absl::StatusOr<bool> Has(const Cid& cid) const;
  // Up to `limit` block CIDs in key order, starting after `after` (from the first when null):
  // how replication walks the blocks it holds, a page at a time.
  absl::StatusOr<std::vector<Cid>> ListBlocks(const Cid* after, size_t limit) const;
  // Deletes an unpinned block (a replica handed off to closer nodes). FAILED_PRECONDITION when
  // pinned content holds it; UNAVAILABLE while a WriteSession is open (try again later); OK
  // when it is already absent.
  absl::Status DropBlock(const Cid& cid);

  // For the scrub (storage/scrubber.h): reads `cid` from disk (not from memory, and without
  // filling the block cache), unseals it and re-hashes it to its CID, whatever
  // `verify_hash_on_read` says. The sealed bytes read when the block is sound; DATA_LOSS when it
  // fails either check; NOT_FOUND when absent.
  absl::StatusOr<uint64_t> CheckBlock(const Cid& cid) const;
  // Deletes `cid` when it still fails CheckBlock (checked again under the store's lock, so a
  // sound copy written meanwhile stays), pinned or not: a damaged block serves no one, and its
  // pins keep counting it, so a sound copy put later is pinned again. Returns whether it was
  // deleted. A good copy cannot be written while a damaged one sits under its key (a Put of a
  // block already present is a no-op), so repair starts here.
  absl::StatusOr<bool> RemoveDamagedBlock(const Cid& cid);

  // Small named values in `meta`, sealed like everything else (the routing-table snapshot).
  // GetMeta: NOT_FOUND when never written. Names must not collide with the store's own
  // ("schema_version", "counters"): INVALID_ARGUMENT.
  absl::Status PutMeta(absl::string_view name, absl::string_view value);
  absl::StatusOr<std::string> GetMeta(absl::string_view name) const;

  // Provider records (the `providers` column family): one sealed value per DHT key, its format
  // the swarm's (docs/storage-layout.md). Soft state that owners renew, so written unsynced.
  // An empty `value` deletes the record.
  absl::Status PutProviderRecord(absl::string_view key, absl::string_view value);
  // Up to `limit` records, key and value, in key order.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ListProviderRecords(
      size_t limit) const;

  // Signed mutable records (the `records` column family): one sealed value per DHT key, the
  // encoded record (records/record.h). Written durably (per the store's sync option) before
  // PutRecord returns: a storer acknowledges only what survives a crash. GetRecord: NOT_FOUND
  // when absent. An empty `value` deletes.
  absl::Status PutRecord(absl::string_view key, absl::string_view value);
  absl::StatusOr<std::string> GetRecord(absl::string_view key) const;
  // Up to `limit` records, key and value, in key order.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ListRecords(size_t limit) const;

  // Whether Pin checks that every block is present. Checking reads each block, and a block in a
  // blob file is read whole (RocksDB 7.8 cannot test a key without loading its value): the
  // check cost a 256 MiB put a second read of all of it.
  enum class Presence {
    kCheck,
    // The caller wrote the blocks itself and still holds the WriteSession it wrote them in, so
    // neither GC nor a hand-off can have removed them.
    kWrittenInOpenSession,
  };
  // Pins content `root` whose blocks (root included, in any order, repeats allowed) are
  // `blocks`. Idempotent for a root already pinned. FAILED_PRECONDITION when a block is absent.
  // The pin is written with the store's durability (synced by default), which also makes every
  // earlier deferred write durable.
  absl::Status Pin(const Cid& root, const std::vector<Cid>& blocks, absl::string_view name,
                   absl::Time now, Presence presence = Presence::kCheck,
                   Durability durability = Durability::kPerOptions);
  // Releases a pin taken with the same `blocks`. NOT_FOUND when `root` is not pinned.
  absl::Status Unpin(const Cid& root, const std::vector<Cid>& blocks);
  absl::StatusOr<bool> IsPinned(const Cid& root) const;
  // True when some pinned content holds `cid`.
  absl::StatusOr<bool> IsBlockPinned(const Cid& cid) const;
  absl::StatusOr<std::vector<PinnedRoot>> ListPins() const { return ListPins(nullptr, SIZE_MAX); }
  // Up to `limit` pins in the order of their roots' bytes, starting after `after` (from the
  // first when null): a page, for callers that walk a large pin set a little at a time.
  absl::StatusOr<std::vector<PinnedRoot>> ListPins(const Cid* after, size_t limit) const;

  // Deletes unpinned blocks while stored bytes exceed the quota: those in `evict_first` (the
  // blocks this node is not responsible for, as the swarm sees it) before any other, so
  // replicas this node owes the swarm go last. Pinned blocks never go.
  absl::StatusOr<GcResult> CollectGarbage(const absl::flat_hash_set<Cid>* evict_first = nullptr);

  // Gives the disk space of deleted blocks back. Blocks live in RocksDB blob files, and a
  // deleted block's bytes stay in its file until the live blocks around it are copied out. That
  // copy is not done during RocksDB's ordinary compactions (which would rewrite blocks with no
  // garbage near them, slowing every large write); it is done here, in one compaction, once the
  // bytes deleted since the last reclaim reach a quarter of the blob space. Returns the deleted
  // bytes reclaimed (0 below the threshold). Long-running on a big store: call it from a
  // background thread.
  absl::StatusOr<uint64_t> ReclaimSpace();
  // Stops a running ReclaimSpace and refuses later ones; for shutdown.
  void CancelReclaim() { reclaim_canceled_ = true; }

  // While a WriteSession lives, garbage collection and DropBlock defer, so blocks of content
  // still being written or replicated (and not pinned) are not deleted under it.
  class WriteSession {
   public:
    explicit WriteSession(BlockStore& store) : store_(&store) { ++store_->active_writers_; }
    ~WriteSession() {
      if (store_ != nullptr) --store_->active_writers_;
    }
    WriteSession(WriteSession&& other) noexcept : store_(other.store_) { other.store_ = nullptr; }
    WriteSession(const WriteSession&) = delete;
    WriteSession& operator=(const WriteSession&) = delete;
    WriteSession& operator=(WriteSession&&) = delete;

   private:
    BlockStore* store_;
  };
  WriteSession BeginWriteSession() { return WriteSession(*this); }

  BlockStoreStats Stats() const;
  // OK, or the sticky error that made the store read-only.
  absl::Status WriteHealth() const;
  const BlockStoreOptions& options() const { return options_; }

 private:
  struct Handles;
  BlockStore(BlockStoreOptions options, SecretBytes storage_key);
  absl::Status LoadCounters();
  // A batch that seals `value` at (family, key), or deletes the key when `value` is empty.
  rocksdb::WriteBatch PutOrDelete(int family, absl::string_view key, absl::string_view value) const;
  // Up to `limit` sealed values of `family`, opened, in key order (`what` names one in errors).
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ListSealed(
      int family, size_t limit, absl::string_view what) const;
  absl::StatusOr<std::string> GetWith(const Cid& cid, rocksdb::ReadOptions options) const;
  absl::Status StoreSealed(const Cid& cid, absl::string_view data, Durability durability);
  // The *Unsynced steps write under mu_ without syncing; their public callers then call
  // SyncIfNeeded outside mu_, so concurrent writers share fsyncs (WalSyncer's group commit).
  absl::Status StoreSealedUnsynced(const Cid& cid, absl::string_view data);
  absl::Status PinUnsynced(const Cid& root, const std::vector<Cid>& blocks, absl::string_view name,
                           absl::Time now, Presence presence);
  absl::Status UnpinUnsynced(const Cid& root, const std::vector<Cid>& blocks);
  absl::StatusOr<GcResult> CollectGarbageUnsynced(const absl::flat_hash_set<Cid>* evict_first);
  // Writes `batch` without a sync; turns the store read-only on failure.
  absl::Status CommitLocked(rocksdb::WriteBatch* batch, absl::string_view what)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Makes every earlier write durable when `durability` and the options ask for it.
  absl::Status SyncIfNeeded(Durability durability, absl::string_view what) ABSL_LOCKS_EXCLUDED(mu_);
  // OK while there is room for new blocks (and, after a write failed for want of space, once
  // there is again: the store resumes by itself). RESOURCE_EXHAUSTED otherwise.
  absl::Status CheckFreeSpace() ABSL_LOCKS_EXCLUDED(mu_);
  // Writes again after a full disk, once `free` bytes are: RocksDB resumes, the error clears.
  void ResumeAfterFullDisk(uint64_t free) ABSL_LOCKS_EXCLUDED(mu_);
  // Records the first failed write; later writes return it.
  absl::Status FailWritesLocked(absl::string_view what, const rocksdb::Status& error)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AppendCountersLocked(rocksdb::WriteBatch* batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Under mu_: `build(&batch)` fills one batch, counting what it adds, and returns whether it
  // added anything; the batch is then written with the counters record. Any failure (of `build`
  // or of the write) undoes the counting. The one path of StoreSealed, Pin and CommitStaged.
  template <typename Build>
  absl::Status CommitCounted(absl::string_view what, const Build& build) ABSL_LOCKS_EXCLUDED(mu_);
  // Adds the sealed block to `batch` and counts it, unless the store holds it already (false).
  absl::StatusOr<bool> AddBlockLocked(rocksdb::WriteBatch* batch, const Cid& cid,
                                      const std::string& key, absl::string_view sealed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds the pin of `root` over `blocks` to `batch` and counts it, unless `root` is pinned
  // already (false). FAILED_PRECONDITION when `presence` asks for a check and a block is absent.
  absl::StatusOr<bool> AppendPinLocked(rocksdb::WriteBatch* batch, const Cid& root,
                                       const std::vector<Cid>& blocks, absl::string_view name,
                                       absl::Time now, Presence presence)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<bool> IsPinnedLocked(const std::string& root_key) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<uint64_t> ReadRefcountLocked(const std::string& key) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Constant after Open.
  const BlockStoreOptions options_;
  const SecretBytes storage_key_;
  std::unique_ptr<Handles> handles_;
  mutable VerifiedBlockCache verified_cache_;  // reads (const) fill it

  std::atomic<int> active_writers_{0};

  // Guards read-modify-write sequences (counters, refcounts) and the sticky error.
  mutable absl::Mutex mu_;
  absl::Status write_error_ ABSL_GUARDED_BY(mu_);
  // write_error_ came from a full disk: cleared (RocksDB resumed) once space is back.
  // Written under mu_ (with write_error_); read without it on the write path.
  std::atomic<bool> out_of_space_{false};
  std::string dir_;
  uint64_t block_count_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t stored_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t pinned_roots_ ABSL_GUARDED_BY(mu_) = 0;
  // Sealed bytes of blocks deleted since the last ReclaimSpace; counted from this start only.
  uint64_t deleted_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<bool> reclaim_canceled_{false};
};

}  // namespace swarmkv

#endif  // SWARMKV_STORAGE_BLOCK_STORE_H_
