#include "storage/block_store.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "crypto/aead.h"
#include "crypto/varint.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/internal/rocksdb_options.h"
#include "storage/internal/rocksdb_status.h"
#include "storage/internal/wal_syncer.h"

namespace swarmkv {
namespace {

using storage_internal::FromRocksDb;

using storage_internal::Family;
using storage_internal::kBlocks;
using storage_internal::kFamilyCount;
using storage_internal::kMeta;
using storage_internal::kPins;
using storage_internal::kProviders;
using storage_internal::kRecords;

// One-byte tags of the column families, in the associated data of every sealed value, so a
// value cannot be moved between families.
constexpr char kFamilyTags[kFamilyCount] = {'d', 'b', 'p', 'r', 'v', 'm'};

// Keys in `pins`: a pinned root, and a block's pin reference count.
constexpr char kPinRootPrefix = 'r';
constexpr char kRefcountPrefix = 'c';
// Keys in `meta`.
constexpr absl::string_view kSchemaKey = "schema_version";
constexpr absl::string_view kCountersKey = "counters";
constexpr absl::string_view kSchemaVersion = "1";

std::string AssociatedData(Family family, absl::string_view key) {
  std::string ad(1, kFamilyTags[family]);
  ad.append(key.data(), key.size());
  return ad;
}

rocksdb::Slice ToSlice(absl::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

absl::Status CheckBlockSize(size_t size) {
  if (size <= kMaxBlockBytes) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat("block of ", size, " bytes is over the limit of ", kMaxBlockBytes));
}

std::string PrefixedKey(char prefix, const Cid& cid) {
  std::string key(1, prefix);
  cid.AppendTo(&key);
  return key;
}

}  // namespace

struct BlockStore::Handles {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> families;  // indexed by Family
  rocksdb::WriteOptions write_options;
  std::unique_ptr<storage_internal::WalSyncer> wal_syncer;

  rocksdb::ColumnFamilyHandle* cf(Family f) const { return families[f]; }

  ~Handles() {
    if (db == nullptr) return;
    for (auto* h : families) {
      if (h != nullptr) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
    db->Close().PermitUncheckedError();
  }

  // `plaintext` sealed for (family, key).
  static std::string Seal(const SecretBytes& storage_key, Family family, absl::string_view key,
                          absl::string_view plaintext) {
    std::string sealed;
    sealed.reserve(plaintext.size() + kAeadNonceBytes + kAeadTagBytes);
    SealWithRandomNonce(storage_key, plaintext, AssociatedData(family, key), &sealed);
    return sealed;
  }

  // Seals `plaintext` for (family, key) and adds it to `batch`.
  void PutSealed(rocksdb::WriteBatch* batch, const SecretBytes& storage_key, Family family,
                 absl::string_view key, absl::string_view plaintext) const {
    batch->Put(cf(family), ToSlice(key), Seal(storage_key, family, key, plaintext))
        .PermitUncheckedError();
  }

  // Reads and unseals (family, key). NOT_FOUND when absent, DATA_LOSS when it does not open.
  // `what` names the value in errors; it is called only on failure, keeping reads cheap.
  template <typename What>
  absl::Status GetSealed(const SecretBytes& storage_key, Family family, absl::string_view key,
                         std::string* out, const What& what,
                         const rocksdb::ReadOptions& read_options = rocksdb::ReadOptions()) const {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db->Get(read_options, cf(family), ToSlice(key), &value);
    if (s.IsIncomplete()) {
      return absl::UnavailableError(absl::StrCat(what(), " is not in memory"));
    }
    if (!s.ok()) return FromRocksDb(s, what());
    return OpenSealed(storage_key, family, key, absl::string_view(value.data(), value.size()), out,
                      what);
  }

  // Unseals the value stored at (family, key). DATA_LOSS when it does not open.
  template <typename What>
  static absl::Status OpenSealed(const SecretBytes& storage_key, Family family,
                                 absl::string_view key, absl::string_view sealed, std::string* out,
                                 const What& what) {
    if (!OpenWithRandomNonce(storage_key, sealed, AssociatedData(family, key), out)) {
      return absl::DataLossError(absl::StrCat(
          what(),
          ": the stored value fails its at-rest integrity check (damaged, moved, or sealed "
          "with another storage key)"));
    }
    return absl::OkStatus();
  }
};

namespace {
// Larger blocks are chunks read in sequence; caching them would evict the small hot blocks.
constexpr size_t kMaxVerifiedCacheBlock = 64 * 1024;

// Reads that walk many blocks (listings, the scrub): without RocksDB's CRC, as in Get (the AEAD
// tag and the CID are the checks, and a block damaged on disk must not fail a whole listing),
// and without filling the block cache, which a walk over every block would empty of hot ones.
rocksdb::ReadOptions ScanReadOptions() {
  rocksdb::ReadOptions options;
  options.verify_checksums = false;
  options.fill_cache = false;
  return options;
}
}  // namespace

BlockStore::BlockStore(BlockStoreOptions options, SecretBytes storage_key)
    : options_(std::move(options)),
      storage_key_(std::move(storage_key)),
      verified_cache_(options_.verified_cache_bytes, kMaxVerifiedCacheBlock) {}

BlockStore::~BlockStore() = default;

absl::StatusOr<std::unique_ptr<BlockStore>> BlockStore::Open(const std::string& dir,
                                                             const SecretBytes& storage_key,
                                                             BlockStoreOptions options) {
  if (storage_key.size() != kAeadKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("storage key must be ", kAeadKeyBytes, " bytes"));
  }
  std::unique_ptr<BlockStore> store(new BlockStore(options, storage_key.Clone()));
  auto handles = std::make_unique<Handles>();

  // Made here (0700, like the data directory) rather than by RocksDB, which first logs a failed
  // read of the missing directory at error level: a new user's first log line was an "error".
  // A failure is left to RocksDB's open to report, with its own words.
  (void)mkdir(dir.c_str(), 0700);
  storage_internal::RocksDbSetup setup = storage_internal::MakeRocksDbSetup(options);
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(setup.db, dir, setup.families, &handles->families, &db);
  if (!s.ok()) return FromRocksDb(s, absl::StrCat("cannot open store ", dir));
  store->dir_ = dir;
  handles->db.reset(db);
  handles->write_options = setup.write;
  handles->wal_syncer = std::make_unique<storage_internal::WalSyncer>(db);
  store->handles_ = std::move(handles);

  // The schema marker proves the storage key: a store sealed under another key fails here.
  std::string schema;
  absl::Status st = store->handles_->GetSealed(store->storage_key_, kMeta, kSchemaKey, &schema,
                                               [&] { return absl::StrCat("open store ", dir); });
  if (absl::IsNotFound(st)) {
    rocksdb::WriteBatch batch;
    store->handles_->PutSealed(&batch, store->storage_key_, kMeta, kSchemaKey, kSchemaVersion);
    {
      absl::MutexLock lock(&store->mu_);
      SWARMKV_RETURN_IF_ERROR(store->CommitLocked(&batch, "initialize store"));
    }
    SWARMKV_RETURN_IF_ERROR(store->SyncWrites());
  } else if (!st.ok()) {
    return st;
  } else if (schema != kSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat("store ", dir, " has schema version ", schema,
                                                      "; this build reads ", kSchemaVersion));
  }
  SWARMKV_RETURN_IF_ERROR(store->LoadCounters());
  const BlockStoreStats stats = store->Stats();
  LogEvent(LogLevel::kInfo, "store.opened",
           {{"dir", dir},
            {"blocks", stats.blocks},
            {"bytes", stats.stored_bytes},
            {"sync", options.sync_writes}});
  return store;
}

absl::Status BlockStore::LoadCounters() {
  std::string value;
  absl::Status st = handles_->GetSealed(storage_key_, kMeta, kCountersKey, &value,
                                        [] { return std::string("read counters"); });
  if (absl::IsNotFound(st)) return absl::OkStatus();
  SWARMKV_RETURN_IF_ERROR(st);
  absl::string_view in = value;
  absl::MutexLock lock(&mu_);
  auto blocks = ReadVarint(&in, "counters");
  auto bytes = ReadVarint(&in, "counters");
  auto pins = ReadVarint(&in, "counters");
  if (!blocks.ok() || !bytes.ok() || !pins.ok() || !in.empty()) {
    return absl::DataLossError("store counters are malformed");
  }
  block_count_ = *blocks;
  stored_bytes_ = *bytes;
  pinned_roots_ = *pins;
  return absl::OkStatus();
}

void BlockStore::AppendCountersLocked(rocksdb::WriteBatch* batch) {
  std::string value;
  AppendVarint(block_count_, &value);
  AppendVarint(stored_bytes_, &value);
  AppendVarint(pinned_roots_, &value);
  handles_->PutSealed(batch, storage_key_, kMeta, kCountersKey, value);
}

absl::Status BlockStore::CommitLocked(rocksdb::WriteBatch* batch, absl::string_view what) {
  SWARMKV_RETURN_IF_ERROR(write_error_);
  rocksdb::WriteOptions unsynced = handles_->write_options;
  unsynced.sync = false;
  rocksdb::Status s = handles_->db->Write(unsynced, batch);
  if (!s.ok()) return FailWritesLocked(what, s);
  return absl::OkStatus();
}

absl::Status BlockStore::SyncIfNeeded(Durability durability, absl::string_view what) {
  if (!options_.sync_writes || durability == Durability::kDeferred) return absl::OkStatus();
  // Outside our mutex, so concurrent writers share one fsync (group commit) and keep writing
  // while it runs.
  rocksdb::Status s = handles_->wal_syncer->SyncWrittenSoFar();
  absl::MutexLock lock(&mu_);
  if (!s.ok()) return FailWritesLocked(what, s);
  return write_error_;
}

absl::Status BlockStore::FailWritesLocked(absl::string_view what, const rocksdb::Status& error) {
  if (error.IsNoSpace()) {
    // RocksDB stops writing (its background error); it resumes once there is room again.
    out_of_space_ = true;
    write_error_ = absl::ResourceExhaustedError(
        absl::StrCat("the disk holding the store is full (", what,
                     "); writes resume by themselves once space is freed"));
  } else {
    // The write may or may not have reached the disk: stop writing rather than guess.
    write_error_ = absl::UnavailableError(
        absl::StrCat("store is read-only after a failed write (", what, "): ", error.ToString(),
                     "; restart the node once the disk is healthy"));
  }
  LogEvent(LogLevel::kError, "store.write_failed", {{"what", what}, {"status", write_error_}});
  return write_error_;
}

absl::Status BlockStore::CheckFreeSpace() {
  uint64_t free = UINT64_MAX;
  if (options_.free_bytes) {
    free = options_.free_bytes();
  } else if (struct statvfs fs; statvfs(dir_.c_str(), &fs) == 0) {
    free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  }
  // A store stopped by a full disk starts again once the reserve is free (at least 1 MiB). The
  // flag is read first without the lock: every new block passes here.
  if (out_of_space_.load(std::memory_order_relaxed) &&
      free >= std::max<uint64_t>(options_.min_free_bytes, 1u << 20)) {
    ResumeAfterFullDisk(free);
  }
  if (free < options_.min_free_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the disk holding the store is nearly full: ", free >> 20,
                     " MiB free, under the reserve of ", options_.min_free_bytes >> 20,
                     " MiB; free some space (or lower store.min_free_bytes); reads go on"));
  }
  return absl::OkStatus();
}

void BlockStore::ResumeAfterFullDisk(uint64_t free) {
  // RocksDB refuses to resume while it is still settling the background error that stopped it
  // (a flush that failed on the full disk just after the write did; seen under ASan in CI). A
  // few short tries, outside the lock, so the first write after space is freed goes through.
  constexpr int kAttempts = 20;
  rocksdb::Status resumed;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (attempt > 0) absl::SleepFor(absl::Milliseconds(25));
    absl::MutexLock lock(&mu_);
    if (!out_of_space_) return;  // another writer resumed it
    resumed = handles_->db->Resume();
    if (resumed.ok()) {
      out_of_space_ = false;
      write_error_ = absl::OkStatus();
      LogEvent(LogLevel::kInfo, "store.resumed", {{"free_bytes", free}});
      return;
    }
  }
  LogEvent(LogLevel::kWarn, "store.resume_failed", {{"status", resumed.ToString()}});
}

absl::Status BlockStore::SyncWrites() { return SyncIfNeeded(Durability::kPerOptions, "sync"); }

absl::StatusOr<Cid> BlockStore::Put(Codec codec, absl::string_view data, HashFunction function,
                                    Durability durability) {
  SWARMKV_RETURN_IF_ERROR(CheckBlockSize(data.size()));
  const Cid cid = Cid::Compute(codec, data, function);
  SWARMKV_RETURN_IF_ERROR(StoreSealed(cid, data, durability));
  return cid;
}

absl::Status BlockStore::PutVerified(const Cid& cid, absl::string_view data,
                                     Durability durability) {
  SWARMKV_RETURN_IF_ERROR(CheckBlockSize(data.size()));
  if (!cid.Matches(data)) {
    return absl::InvalidArgumentError(
        absl::StrCat("block does not hash to its claimed CID ", cid.ToString()));
  }
  return StoreSealed(cid, data, durability);
}

absl::Status BlockStore::StoreSealed(const Cid& cid, absl::string_view data,
                                     Durability durability) {
  // Even when the block was already there, another writer may not have synced it yet.
  SWARMKV_RETURN_IF_ERROR(StoreSealedUnsynced(cid, data));
  return SyncIfNeeded(durability, "write block");
}

template <typename Build>
absl::Status BlockStore::CommitCounted(absl::string_view what, const Build& build) {
  absl::MutexLock lock(&mu_);
  SWARMKV_RETURN_IF_ERROR(write_error_);
  const uint64_t blocks = block_count_, bytes = stored_bytes_, pins = pinned_roots_;
  rocksdb::WriteBatch batch;
  absl::StatusOr<bool> changed = build(&batch);
  absl::Status st = changed.status();
  if (st.ok() && *changed) {
    AppendCountersLocked(&batch);
    st = CommitLocked(&batch, what);
  }
  if (!st.ok()) {
    // Nothing of the batch was written: undo what `build` counted.
    block_count_ = blocks;
    stored_bytes_ = bytes;
    pinned_roots_ = pins;
  }
  return st;
}

absl::Status BlockStore::StoreSealedUnsynced(const Cid& cid, absl::string_view data) {
  SWARMKV_RETURN_IF_ERROR(CheckFreeSpace());
  const std::string key = cid.ToBytes();
  // Seal outside the lock: it is the expensive part and needs no shared state.
  const std::string sealed = Handles::Seal(storage_key_, kBlocks, key, data);
  return CommitCounted("write block", [&](rocksdb::WriteBatch* batch) {
    mu_.AssertHeld();  // CommitCounted calls it under mu_; says so to the lock analysis
    return AddBlockLocked(batch, cid, key, sealed);
  });
}

absl::StatusOr<bool> BlockStore::AddBlockLocked(rocksdb::WriteBatch* batch, const Cid& cid,
                                                const std::string& key, absl::string_view sealed) {
  // Content addressing makes a second copy pointless, and skipping it keeps the counters exact.
  std::string ignored;
  if (handles_->db->KeyMayExist(rocksdb::ReadOptions(), handles_->cf(kBlocks), ToSlice(key),
                                &ignored)) {
    rocksdb::PinnableSlice existing;
    rocksdb::Status s =
        handles_->db->Get(rocksdb::ReadOptions(), handles_->cf(kBlocks), ToSlice(key), &existing);
    if (s.ok()) return false;
    if (!s.IsNotFound()) return FromRocksDb(s, absl::StrCat("look up block ", cid.ToString()));
  }
  batch->Put(handles_->cf(kBlocks), ToSlice(key), ToSlice(sealed)).PermitUncheckedError();
  ++block_count_;
  stored_bytes_ += sealed.size();
  return true;
}

absl::StatusOr<Cid> BlockStore::Stage(Codec codec, absl::string_view data, HashFunction function,
                                      StagedBlocks* staged) const {
  SWARMKV_RETURN_IF_ERROR(CheckBlockSize(data.size()));
  Cid cid = Cid::Compute(codec, data, function);
  std::string key = cid.ToBytes();
  std::string sealed = Handles::Seal(storage_key_, kBlocks, key, data);
  staged->bytes_ += sealed.size();
  staged->blocks_.push_back(StagedBlocks::Block{cid, std::move(key), std::move(sealed)});
  return cid;
}

absl::Status BlockStore::CommitStaged(const StagedBlocks& staged, const PinOrder* pin,
                                      Durability durability) {
  const char* what = pin != nullptr ? "pin" : "write blocks";
  SWARMKV_RETURN_IF_ERROR(CheckFreeSpace());
  SWARMKV_RETURN_IF_ERROR(
      CommitCounted(what, [&](rocksdb::WriteBatch* batch) -> absl::StatusOr<bool> {
        mu_.AssertHeld();
        bool changed = false;
        absl::flat_hash_set<absl::string_view> in_batch;  // a content may repeat a block
        for (const StagedBlocks::Block& block : staged.blocks_) {
          if (!in_batch.insert(block.key).second) continue;
          SWARMKV_ASSIGN_OR_RETURN(bool added,
                                   AddBlockLocked(batch, block.cid, block.key, block.sealed));
          changed |= added;
        }
        if (pin != nullptr) {
          // The content's blocks are the staged ones, all in this batch.
          std::vector<Cid> blocks;
          blocks.reserve(staged.blocks_.size());
          for (const StagedBlocks::Block& block : staged.blocks_) blocks.push_back(block.cid);
          SWARMKV_ASSIGN_OR_RETURN(bool pinned,
                                   AppendPinLocked(batch, pin->root, blocks, pin->name, pin->now,
                                                   Presence::kWrittenInOpenSession));
          changed |= pinned;
        }
        return changed;
      }));
  // Even when nothing was new, another writer may not have synced those blocks yet.
  return SyncIfNeeded(durability, what);
}

absl::StatusOr<std::string> BlockStore::Get(const Cid& cid) const {
  return GetWith(cid, rocksdb::ReadOptions());
}

absl::StatusOr<std::string> BlockStore::GetCached(const Cid& cid) const {
  rocksdb::ReadOptions memory_only;
  memory_only.read_tier = rocksdb::kBlockCacheTier;
  return GetWith(cid, memory_only);
}

absl::StatusOr<std::string> BlockStore::GetWith(const Cid& cid,
                                                rocksdb::ReadOptions read_options) const {
  // A block's bytes are checked twice below, by the at-rest AEAD tag and (unless turned off) by
  // re-hashing them to the CID. RocksDB's own CRC32C of the blob would be a third, weaker check;
  // Debian builds it without SSE4.2, and it cost 40 % of a 256 KiB read (bench/run_store_bench.sh).
  read_options.verify_checksums = false;
  if (std::optional<std::string> hit = verified_cache_.Get(cid)) return *std::move(hit);
  const uint64_t generation = verified_cache_.Generation();
  std::string data;
  absl::Status st = handles_->GetSealed(
      storage_key_, kBlocks, cid.ToBytes(), &data,
      [&] { return absl::StrCat("block ", cid.ToString()); }, read_options);
  if (absl::IsNotFound(st)) {
    return absl::NotFoundError(absl::StrCat("block ", cid.ToString(), " is not in this store"));
  }
  if (!st.ok()) {
    if (absl::IsDataLoss(st)) {
      LogEvent(LogLevel::kError, "store.block_damaged", {{"cid", cid.ToString()}, {"status", st}});
    }
    return st;
  }
  if (options_.verify_hash_on_read && !cid.Matches(data)) {
    LogEvent(LogLevel::kError, "store.block_mismatch", {{"cid", cid.ToString()}});
    return absl::DataLossError(
        absl::StrCat("block ", cid.ToString(), " does not hash to its CID; it is not served"));
  }
  verified_cache_.Insert(cid, data, generation);
  return data;
}

absl::StatusOr<bool> BlockStore::Has(const Cid& cid) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = handles_->db->Get(rocksdb::ReadOptions(), handles_->cf(kBlocks),
                                        ToSlice(cid.ToBytes()), &value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocksDb(s, absl::StrCat("look up block ", cid.ToString()));
  return true;
}

absl::StatusOr<uint64_t> BlockStore::ReadRefcountLocked(const std::string& key) const {
  std::string value;
  absl::Status st = handles_->GetSealed(storage_key_, kPins, key, &value,
                                        [] { return std::string("read pin count"); });
  if (absl::IsNotFound(st)) return 0;
  SWARMKV_RETURN_IF_ERROR(st);
  absl::string_view in = value;
  auto count = ReadVarint(&in, "pin count");
  if (!count.ok() || !in.empty()) return absl::DataLossError("a pin count is malformed");
  return *count;
}

absl::Status BlockStore::Pin(const Cid& root, const std::vector<Cid>& blocks,
                             absl::string_view name, absl::Time now, Presence presence,
                             Durability durability) {
  SWARMKV_RETURN_IF_ERROR(PinUnsynced(root, blocks, name, now, presence));
  return SyncIfNeeded(durability, "pin");
}

absl::Status BlockStore::PinUnsynced(const Cid& root, const std::vector<Cid>& blocks,
                                     absl::string_view name, absl::Time now, Presence presence) {
  return CommitCounted("pin", [&](rocksdb::WriteBatch* batch) {
    mu_.AssertHeld();
    return AppendPinLocked(batch, root, blocks, name, now, presence);
  });
}

absl::StatusOr<bool> BlockStore::AppendPinLocked(rocksdb::WriteBatch* batch, const Cid& root,
                                                 const std::vector<Cid>& blocks,
                                                 absl::string_view name, absl::Time now,
                                                 Presence presence) {
  const std::string root_key = PrefixedKey(kPinRootPrefix, root);
  SWARMKV_ASSIGN_OR_RETURN(bool already, IsPinnedLocked(root_key));
  if (already) return false;

  absl::flat_hash_map<std::string, uint64_t> counts;  // refcount key -> new count
  for (const Cid& block : blocks) {
    std::string key = PrefixedKey(kRefcountPrefix, block);
    auto it = counts.find(key);
    if (it == counts.end()) {
      if (presence == Presence::kCheck) {
        rocksdb::PinnableSlice ignored;
        rocksdb::Status s = handles_->db->Get(rocksdb::ReadOptions(), handles_->cf(kBlocks),
                                              ToSlice(block.ToBytes()), &ignored);
        if (s.IsNotFound()) {
          return absl::FailedPreconditionError(absl::StrCat("cannot pin ", root.ToString(),
                                                            ": block ", block.ToString(),
                                                            " is not in this store"));
        }
        if (!s.ok()) return FromRocksDb(s, "pin");
      }
      SWARMKV_ASSIGN_OR_RETURN(uint64_t current, ReadRefcountLocked(key));
      // One count per root for each distinct block, however often the content lists it.
      counts.emplace(std::move(key), current + 1);
    }
  }
  for (const auto& [key, count] : counts) {
    std::string value;
    AppendVarint(count, &value);
    handles_->PutSealed(batch, storage_key_, kPins, key, value);
  }
  std::string record;
  AppendVarint(static_cast<uint64_t>(absl::ToUnixSeconds(now)), &record);
  record.append(name.data(), name.size());
  handles_->PutSealed(batch, storage_key_, kPins, root_key, record);
  ++pinned_roots_;
  return true;
}

absl::Status BlockStore::Unpin(const Cid& root, const std::vector<Cid>& blocks) {
  SWARMKV_RETURN_IF_ERROR(UnpinUnsynced(root, blocks));
  return SyncIfNeeded(Durability::kPerOptions, "unpin");
}

absl::Status BlockStore::UnpinUnsynced(const Cid& root, const std::vector<Cid>& blocks) {
  const std::string root_key = PrefixedKey(kPinRootPrefix, root);
  absl::MutexLock lock(&mu_);
  SWARMKV_RETURN_IF_ERROR(write_error_);
  SWARMKV_ASSIGN_OR_RETURN(bool pinned, IsPinnedLocked(root_key));
  if (!pinned) {
    return absl::NotFoundError(absl::StrCat("content ", root.ToString(), " is not pinned"));
  }
  absl::flat_hash_map<std::string, uint64_t> counts;
  for (const Cid& block : blocks) {
    std::string key = PrefixedKey(kRefcountPrefix, block);
    if (counts.contains(key)) continue;  // one count per root for each distinct block
    SWARMKV_ASSIGN_OR_RETURN(uint64_t current, ReadRefcountLocked(key));
    if (current == 0) {
      return absl::DataLossError(absl::StrCat("pin counts of ", root.ToString(),
                                              " are inconsistent; block ", block.ToString(),
                                              " has none left"));
    }
    counts.emplace(std::move(key), current - 1);
  }
  rocksdb::WriteBatch batch;
  for (const auto& [key, count] : counts) {
    if (count == 0) {
      batch.Delete(handles_->cf(kPins), ToSlice(key)).PermitUncheckedError();
    } else {
      std::string value;
      AppendVarint(count, &value);
      handles_->PutSealed(&batch, storage_key_, kPins, key, value);
    }
  }
  batch.Delete(handles_->cf(kPins), ToSlice(root_key)).PermitUncheckedError();
  --pinned_roots_;
  AppendCountersLocked(&batch);
  absl::Status st = CommitLocked(&batch, "unpin");
  if (!st.ok()) ++pinned_roots_;
  return st;
}

absl::StatusOr<bool> BlockStore::IsPinnedLocked(const std::string& root_key) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s =
      handles_->db->Get(rocksdb::ReadOptions(), handles_->cf(kPins), ToSlice(root_key), &value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocksDb(s, "read pin");
  return true;
}

absl::StatusOr<bool> BlockStore::IsPinned(const Cid& root) const {
  absl::MutexLock lock(&mu_);
  return IsPinnedLocked(PrefixedKey(kPinRootPrefix, root));
}

absl::StatusOr<bool> BlockStore::IsBlockPinned(const Cid& cid) const {
  absl::MutexLock lock(&mu_);
  SWARMKV_ASSIGN_OR_RETURN(uint64_t count, ReadRefcountLocked(PrefixedKey(kRefcountPrefix, cid)));
  return count > 0;
}

absl::StatusOr<std::vector<Cid>> BlockStore::ListBlocks(const Cid* after, size_t limit) const {
  std::vector<Cid> out;
  // RocksDB 7.8's iterator reads each entry's value (a blob file read for a large block) even
  // though only keys are wanted; with the CRC on, one damaged block failed every listing (GC,
  // maintenance and the scrub all stopped at it).
  std::unique_ptr<rocksdb::Iterator> it(
      handles_->db->NewIterator(ScanReadOptions(), handles_->cf(kBlocks)));
  if (after == nullptr) {
    it->SeekToFirst();
  } else {
    const std::string start = after->ToBytes();
    it->Seek(ToSlice(start));
    if (it->Valid() && it->key() == ToSlice(start)) it->Next();
  }
  for (; it->Valid() && out.size() < limit; it->Next()) {
    auto cid = Cid::FromBytes(absl::string_view(it->key().data(), it->key().size()));
    if (!cid.ok()) return absl::DataLossError("a block key in the store is not a CID");
    out.push_back(*std::move(cid));
  }
  SWARMKV_RETURN_IF_ERROR(FromRocksDb(it->status(), "list blocks"));
  return out;
}

absl::Status BlockStore::DropBlock(const Cid& cid) {
  if (active_writers_.load() > 0) {
    // Like garbage collection: a content being written (or replicated) may need this block.
    return absl::UnavailableError("hand-off deferred while a content write is in progress");
  }
  {
    absl::MutexLock lock(&mu_);
    SWARMKV_RETURN_IF_ERROR(write_error_);
    SWARMKV_ASSIGN_OR_RETURN(uint64_t refs, ReadRefcountLocked(PrefixedKey(kRefcountPrefix, cid)));
    if (refs > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("block ", cid.ToString(), " is held by pinned content; unpin it first"));
    }
    const std::string key = cid.ToBytes();
    rocksdb::PinnableSlice existing;
    rocksdb::Status s =
        handles_->db->Get(rocksdb::ReadOptions(), handles_->cf(kBlocks), ToSlice(key), &existing);
    if (s.IsNotFound()) return absl::OkStatus();
    if (!s.ok()) return FromRocksDb(s, absl::StrCat("look up block ", cid.ToString()));
    rocksdb::WriteBatch batch;
    batch.Delete(handles_->cf(kBlocks), ToSlice(key)).PermitUncheckedError();
    stored_bytes_ -= std::min<uint64_t>(stored_bytes_, existing.size());
    --block_count_;
    AppendCountersLocked(&batch);
    SWARMKV_RETURN_IF_ERROR(CommitLocked(&batch, "drop block"));
    deleted_bytes_ += existing.size();
    verified_cache_.Erase(cid);
  }
  return SyncIfNeeded(Durability::kPerOptions, "drop block");
}

absl::StatusOr<uint64_t> BlockStore::CheckBlock(const Cid& cid) const {
  const std::string key = cid.ToBytes();
  rocksdb::PinnableSlice sealed;
  rocksdb::Status s =
      handles_->db->Get(ScanReadOptions(), handles_->cf(kBlocks), ToSlice(key), &sealed);
  const auto what = [&] { return absl::StrCat("block ", cid.ToString()); };
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat(what(), " is not in this store"));
  if (!s.ok()) return FromRocksDb(s, what());
  std::string data;
  SWARMKV_RETURN_IF_ERROR(Handles::OpenSealed(
      storage_key_, kBlocks, key, absl::string_view(sealed.data(), sealed.size()), &data, what));
  if (!cid.Matches(data)) {
    return absl::DataLossError(absl::StrCat(what(), " does not hash to its CID"));
  }
  return sealed.size();
}

absl::StatusOr<bool> BlockStore::RemoveDamagedBlock(const Cid& cid) {
  {
    absl::MutexLock lock(&mu_);
    SWARMKV_RETURN_IF_ERROR(write_error_);
    // Every write of a block goes through mu_, so what is checked here is what is deleted.
    absl::StatusOr<uint64_t> check = CheckBlock(cid);
    if (check.ok() || absl::IsNotFound(check.status())) return false;
    if (!absl::IsDataLoss(check.status())) return check.status();
    const std::string key = cid.ToBytes();
    // The size as counted when it was stored; a value RocksDB itself cannot read counts as 0.
    uint64_t size = 0;
    rocksdb::PinnableSlice existing;
    if (handles_->db->Get(ScanReadOptions(), handles_->cf(kBlocks), ToSlice(key), &existing).ok()) {
      size = existing.size();
    }
    rocksdb::WriteBatch batch;
    batch.Delete(handles_->cf(kBlocks), ToSlice(key)).PermitUncheckedError();
    stored_bytes_ -= std::min<uint64_t>(stored_bytes_, size);
    if (block_count_ > 0) --block_count_;
    AppendCountersLocked(&batch);
    SWARMKV_RETURN_IF_ERROR(CommitLocked(&batch, "remove a damaged block"));
    deleted_bytes_ += size;
    verified_cache_.Erase(cid);
  }
  SWARMKV_RETURN_IF_ERROR(SyncIfNeeded(Durability::kPerOptions, "remove a damaged block"));
  return true;
}

namespace {
absl::Status CheckMetaName(absl::string_view name) {
  if (name.empty() || name == kSchemaKey || name == kCountersKey) {
    return absl::InvalidArgumentError(
        absl::StrCat("meta name \"", name, "\" is empty or reserved by the store"));
  }
  return absl::OkStatus();
}
}  // namespace

absl::Status BlockStore::PutMeta(absl::string_view name, absl::string_view value) {
  SWARMKV_RETURN_IF_ERROR(CheckMetaName(name));
  rocksdb::WriteBatch batch;
  handles_->PutSealed(&batch, storage_key_, kMeta, name, value);
  {
    absl::MutexLock lock(&mu_);
    SWARMKV_RETURN_IF_ERROR(CommitLocked(&batch, "write meta"));
  }
  return SyncIfNeeded(Durability::kPerOptions, "write meta");
}

rocksdb::WriteBatch BlockStore::PutOrDelete(int family, absl::string_view key,
                                            absl::string_view value) const {
  const auto f = static_cast<Family>(family);
  rocksdb::WriteBatch batch;
  if (value.empty()) {
    batch.Delete(handles_->cf(f), ToSlice(key)).PermitUncheckedError();
  } else {
    handles_->PutSealed(&batch, storage_key_, f, key, value);
  }
  return batch;
}

absl::Status BlockStore::PutProviderRecord(absl::string_view key, absl::string_view value) {
  rocksdb::WriteBatch batch = PutOrDelete(kProviders, key, value);
  absl::MutexLock lock(&mu_);
  return CommitLocked(&batch, "write provider record");
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> BlockStore::ListProviderRecords(
    size_t limit) const {
  return ListSealed(kProviders, limit, "a provider record");
}

absl::Status BlockStore::PutRecord(absl::string_view key, absl::string_view value) {
  rocksdb::WriteBatch batch = PutOrDelete(kRecords, key, value);
  {
    absl::MutexLock lock(&mu_);
    SWARMKV_RETURN_IF_ERROR(CommitLocked(&batch, "write record"));
  }
  return SyncIfNeeded(Durability::kPerOptions, "write record");
}

absl::StatusOr<std::string> BlockStore::GetRecord(absl::string_view key) const {
  std::string value;
  SWARMKV_RETURN_IF_ERROR(handles_->GetSealed(storage_key_, kRecords, key, &value,
                                              [] { return std::string("a record"); }));
  return value;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> BlockStore::ListRecords(
    size_t limit) const {
  return ListSealed(kRecords, limit, "a record");
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> BlockStore::ListSealed(
    int family, size_t limit, absl::string_view what) const {
  const auto f = static_cast<Family>(family);
  std::vector<std::pair<std::string, std::string>> out;
  std::unique_ptr<rocksdb::Iterator> it(
      handles_->db->NewIterator(rocksdb::ReadOptions(), handles_->cf(f)));
  for (it->SeekToFirst(); it->Valid() && out.size() < limit; it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size());
    std::string value;
    SWARMKV_RETURN_IF_ERROR(Handles::OpenSealed(
        storage_key_, f, key, absl::string_view(it->value().data(), it->value().size()), &value,
        [what] { return std::string(what); }));
    out.emplace_back(std::string(key), std::move(value));
  }
  SWARMKV_RETURN_IF_ERROR(FromRocksDb(it->status(), absl::StrCat("list ", what, "s")));
  return out;
}

absl::StatusOr<std::string> BlockStore::GetMeta(absl::string_view name) const {
  SWARMKV_RETURN_IF_ERROR(CheckMetaName(name));
  std::string value;
  SWARMKV_RETURN_IF_ERROR(handles_->GetSealed(storage_key_, kMeta, name, &value,
                                              [&] { return absl::StrCat("meta ", name); }));
  return value;
}

absl::StatusOr<std::vector<PinnedRoot>> BlockStore::ListPins(const Cid* after, size_t limit) const {
  std::vector<PinnedRoot> out;
  std::unique_ptr<rocksdb::Iterator> it(
      handles_->db->NewIterator(rocksdb::ReadOptions(), handles_->cf(kPins)));
  const std::string prefix(1, kPinRootPrefix);
  const std::string start = after == nullptr ? prefix : PrefixedKey(kPinRootPrefix, *after);
  it->Seek(start);
  if (after != nullptr && it->Valid() && it->key() == start) it->Next();
  for (; out.size() < limit && it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size());
    std::string record;
    if (!OpenWithRandomNonce(storage_key_,
                             absl::string_view(it->value().data(), it->value().size()),
                             AssociatedData(kPins, key), &record)) {
      return absl::DataLossError("a pin record fails its at-rest integrity check");
    }
    auto root = Cid::FromBytes(key.substr(1));
    absl::string_view in = record;
    auto seconds = ReadVarint(&in, "pin record");
    if (!root.ok() || !seconds.ok()) return absl::DataLossError("a pin record is malformed");
    out.push_back(
        PinnedRoot{*root, std::string(in), absl::FromUnixSeconds(static_cast<int64_t>(*seconds))});
  }
  SWARMKV_RETURN_IF_ERROR(FromRocksDb(it->status(), "list pins"));
  return out;
}

absl::StatusOr<GcResult> BlockStore::CollectGarbage(const absl::flat_hash_set<Cid>* evict_first) {
  SWARMKV_ASSIGN_OR_RETURN(GcResult result, CollectGarbageUnsynced(evict_first));
  if (result.blocks_deleted > 0) {
    SWARMKV_RETURN_IF_ERROR(SyncIfNeeded(Durability::kPerOptions, "garbage collection"));
  }
  return result;
}

absl::StatusOr<GcResult> BlockStore::CollectGarbageUnsynced(
    const absl::flat_hash_set<Cid>* evict_first) {
  GcResult result;
  if (options_.quota_bytes == 0) return result;
  absl::MutexLock lock(&mu_);
  SWARMKV_RETURN_IF_ERROR(write_error_);
  if (stored_bytes_ <= options_.quota_bytes) return result;
  if (active_writers_.load() > 0) {
    result.deferred = true;
    return result;
  }
  rocksdb::WriteBatch batch;
  std::vector<std::string> deleted_keys;
  absl::flat_hash_set<std::string> deleted;
  // Two passes: the blocks named in `evict_first`, then the others.
  for (int pass = evict_first != nullptr ? 0 : 1; pass < 2; ++pass) {
    std::unique_ptr<rocksdb::Iterator> it(
        handles_->db->NewIterator(rocksdb::ReadOptions(), handles_->cf(kBlocks)));
    for (it->SeekToFirst(); it->Valid() && stored_bytes_ > options_.quota_bytes; it->Next()) {
      const std::string key(it->key().data(), it->key().size());
      if (pass == 0) {
        absl::StatusOr<Cid> cid = Cid::FromBytes(key);
        if (!cid.ok() || !evict_first->contains(*cid)) continue;
      } else if (deleted.contains(key)) {
        continue;
      }
      std::string ref_key(1, kRefcountPrefix);
      ref_key += key;
      SWARMKV_ASSIGN_OR_RETURN(uint64_t refs, ReadRefcountLocked(ref_key));
      if (refs > 0) continue;
      batch.Delete(handles_->cf(kBlocks), it->key()).PermitUncheckedError();
      deleted_keys.push_back(key);
      deleted.insert(key);
      const uint64_t size = it->value().size();
      stored_bytes_ -= std::min(stored_bytes_, size);
      --block_count_;
      ++result.blocks_deleted;
      result.bytes_freed += size;
    }
    SWARMKV_RETURN_IF_ERROR(FromRocksDb(it->status(), "garbage collection"));
  }
  if (result.blocks_deleted == 0) return result;
  AppendCountersLocked(&batch);
  SWARMKV_RETURN_IF_ERROR(CommitLocked(&batch, "garbage collection"));
  deleted_bytes_ += result.bytes_freed;
  for (const std::string& key : deleted_keys) {
    // Keys were written from valid CIDs; one that does not parse was never cached either.
    if (auto cid = Cid::FromBytes(key); cid.ok()) verified_cache_.Erase(*cid);
  }
  LogEvent(LogLevel::kInfo, "store.gc",
           {{"blocks_deleted", result.blocks_deleted},
            {"bytes_freed", result.bytes_freed},
            {"stored_bytes", stored_bytes_}});
  return result;
}

absl::StatusOr<uint64_t> BlockStore::ReclaimSpace() {
  uint64_t deleted;
  {
    absl::MutexLock lock(&mu_);
    deleted = deleted_bytes_;
    // Copying the live blocks out costs about their size: worth it once a quarter of the space
    // is garbage, which bounds both the wasted space and the copying per deleted byte.
    if (deleted == 0 || deleted < (stored_bytes_ + deleted) / 4) return 0;
  }
  if (reclaim_canceled_) return 0;
  rocksdb::CompactRangeOptions options;
  options.blob_garbage_collection_policy = rocksdb::BlobGarbageCollectionPolicy::kForce;
  options.blob_garbage_collection_age_cutoff = 1.0;  // every blob file, however recent
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  options.canceled = &reclaim_canceled_;
  rocksdb::Status s = handles_->db->CompactRange(options, handles_->cf(kBlocks), nullptr, nullptr);
  if (reclaim_canceled_) return 0;
  if (!s.ok()) return FromRocksDb(s, "reclaim the space of deleted blocks");
  absl::MutexLock lock(&mu_);
  deleted_bytes_ -= std::min(deleted_bytes_, deleted);
  LogEvent(LogLevel::kInfo, "store.space_reclaimed", {{"deleted_bytes", deleted}});
  return deleted;
}

BlockStoreStats BlockStore::Stats() const {
  absl::MutexLock lock(&mu_);
  return BlockStoreStats{block_count_, stored_bytes_, pinned_roots_};
}

absl::Status BlockStore::WriteHealth() const {
  absl::MutexLock lock(&mu_);
  return write_error_;
}

}  // namespace swarmkv
