#include "storage/block_store.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/random.h"
#include "crypto/aead.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "testing/sim_disk.h"
#include "testing/status_matchers.h"
#include "testing/store_tampering.h"
#include "testing/temp_dir.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::IsOk;
using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class BlockStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<BlockStore> OpenStore(BlockStoreOptions options = {}) {
    auto store = BlockStore::Open(dir_.Sub("db"), key_, options);
    EXPECT_TRUE(store.ok()) << store.status();
    return std::move(store).value();
  }

  // Opens the same RocksDB directly, as an attacker with the files but not the key would.
  void WithRawDb(
      const std::function<void(rocksdb::DB*, std::vector<rocksdb::ColumnFamilyHandle*>&)>& fn) {
    testing::WithRawDb(dir_.Sub("db"), fn);
  }

  testing::TempDir dir_;
  SecretBytes key_ = SecretBytes::Random(32);
};

TEST_F(BlockStoreTest, PutGetHasAndDedup) {
  auto store = OpenStore();
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid cid, store->Put(Codec::kRaw, "hello world"));
  EXPECT_EQ(cid.ToString(), "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
  EXPECT_EQ(*store->Get(cid), "hello world");
  EXPECT_TRUE(*store->Has(cid));
  ASSERT_THAT(store->Put(Codec::kRaw, "hello world"), IsOk());
  EXPECT_EQ(store->Stats().blocks, 1u);
  const Cid missing = Cid::Compute(Codec::kRaw, "nope");
  EXPECT_FALSE(*store->Has(missing));
  EXPECT_THAT(store->Get(missing), StatusIs(absl::StatusCode::kNotFound, HasSubstr("not in")));
}

TEST_F(BlockStoreTest, CountersSurviveReopen) {
  {
    auto store = OpenStore();
    ASSERT_THAT(store->Put(Codec::kRaw, "a"), IsOk());
    ASSERT_THAT(store->Put(Codec::kRaw, "bb"), IsOk());
  }
  auto store = OpenStore();
  EXPECT_EQ(store->Stats().blocks, 2u);
  EXPECT_EQ(store->Stats().stored_bytes, 3u + 2 * (24 + 16));
}

TEST_F(BlockStoreTest, PutVerifiedRejectsMismatch) {
  auto store = OpenStore();
  const Cid cid = Cid::Compute(Codec::kRaw, "right");
  EXPECT_THAT(store->PutVerified(cid, "wrong"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not hash")));
  EXPECT_FALSE(*store->Has(cid));
  EXPECT_THAT(store->PutVerified(cid, "right"), IsOk());
  EXPECT_THAT(store->Put(Codec::kRaw, std::string(kMaxBlockBytes + 1, 'x')),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("over the limit")));
}

TEST_F(BlockStoreTest, WrongStorageKeyIsRefused) {
  { auto store = OpenStore(); }
  auto other = BlockStore::Open(dir_.Sub("db"), SecretBytes::Random(32));
  EXPECT_THAT(other, StatusIs(absl::StatusCode::kDataLoss, HasSubstr("another storage key")));
}

TEST_F(BlockStoreTest, SecondOpenOfTheSameDirIsUnavailable) {
  auto store = OpenStore();
  EXPECT_THAT(BlockStore::Open(dir_.Sub("db"), key_),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("lock")));
}

TEST_F(BlockStoreTest, FlippedByteIsDataLossNeverServed) {
  Cid cid = Cid::Compute(Codec::kRaw, "x");
  {
    auto store = OpenStore();
    SWARMKV_ASSERT_OK_AND_ASSIGN(cid, store->Put(Codec::kRaw, "precious data"));
  }
  testing::FlipBitOfBlock(dir_.Sub("db"), cid);
  auto store = OpenStore();
  EXPECT_THAT(store->Get(cid), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("integrity")));
}

TEST_F(BlockStoreTest, ByteFlippedInABlobFileIsDataLoss) {
  // Block reads skip RocksDB's CRC (the AEAD tag and the CID check it instead): damage in the
  // file itself must still be caught.
  const std::string data(64 * 1024, 'q');  // over the blob threshold: stored in a .blob file
  Cid cid = Cid::Compute(Codec::kRaw, data);
  { ASSERT_THAT(OpenStore()->Put(Codec::kRaw, data), IsOk()); }
  { auto flushed = OpenStore(); }  // recovery writes the logged block into a blob file
  std::string blob_path;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.Sub("db"))) {
    if (entry.path().extension() == ".blob") blob_path = entry.path();
  }
  ASSERT_FALSE(blob_path.empty());
  {
    std::fstream file(blob_path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(0, std::ios::end);
    const std::streamoff middle = file.tellg() / 2;  // inside the one 64 KiB record
    char byte;
    file.seekg(middle);
    file.get(byte);
    file.seekp(middle);
    file.put(static_cast<char>(byte ^ 0x01));
  }
  auto store = OpenStore();
  EXPECT_THAT(store->Get(cid), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("integrity")));
  EXPECT_THAT(store->CheckBlock(cid), StatusIs(absl::StatusCode::kDataLoss));
  // The listing (GC, maintenance, the scrub) goes on past it: it once failed on the blob's CRC.
  SWARMKV_ASSERT_OK_AND_ASSIGN(std::vector<Cid> listed, store->ListBlocks(nullptr, 10));
  EXPECT_THAT(listed, ::testing::ElementsAre(cid));
}

TEST_F(BlockStoreTest, ReHashCatchesWellSealedWrongBytesUnlessTurnedOff) {
  Cid cid = Cid::Compute(Codec::kRaw, "x");
  {
    auto store = OpenStore();
    SWARMKV_ASSERT_OK_AND_ASSIGN(cid, store->Put(Codec::kRaw, "the real bytes"));
  }
  testing::SealWrongBytes(dir_.Sub("db"), key_, cid, "other bytes");
  {
    BlockStoreOptions rehash;
    rehash.verify_hash_on_read = true;
    auto store = OpenStore(rehash);
    EXPECT_THAT(store->Get(cid),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("does not hash to its CID")));
  }
  // Relying on the tag alone (the default) is the documented trade-off: it guards the disk, not
  // a faulty writer holding the key; the scrub (scrubber_test.cc) catches that case.
  auto store = OpenStore();
  EXPECT_EQ(*store->Get(cid), "other bytes");
}

TEST_F(BlockStoreTest, WithTheReHashOnDamageOnDiskIsCaughtByTheTagFirst) {
  BlockStoreOptions rehash;
  rehash.verify_hash_on_read = true;
  Cid cid = Cid::Compute(Codec::kRaw, "x");
  {
    auto store = OpenStore(rehash);
    SWARMKV_ASSERT_OK_AND_ASSIGN(cid, store->Put(Codec::kRaw, "precious data"));
  }
  testing::FlipBitOfBlock(dir_.Sub("db"), cid);
  auto store = OpenStore(rehash);
  EXPECT_THAT(store->Get(cid), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("integrity")));
}

TEST_F(BlockStoreTest, ValueMovedToAnotherKeyDoesNotOpen) {
  Cid a = Cid::Compute(Codec::kRaw, "x"), b = a;
  {
    auto store = OpenStore();
    SWARMKV_ASSERT_OK_AND_ASSIGN(a, store->Put(Codec::kRaw, "block a"));
    SWARMKV_ASSERT_OK_AND_ASSIGN(b, store->Put(Codec::kRaw, "block b"));
  }
  WithRawDb([&](rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*>& cfs) {
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), cfs[1], a.ToBytes(), &value).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cfs[1], b.ToBytes(), value).ok());
  });
  auto store = OpenStore();
  EXPECT_THAT(store->Get(b), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("")));
  EXPECT_EQ(*store->Get(a), "block a");
}

// A file system whose writes start failing on demand, to check the store turns read-only.
class FailingFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FailingFile(std::unique_ptr<rocksdb::FSWritableFile> file, const std::atomic<bool>& fail,
              const std::atomic<bool>& fail_sync)
      : FSWritableFileOwnerWrapper(std::move(file)), fail_(fail), fail_sync_(fail_sync) {}
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* d) override {
    if (fail_) return rocksdb::IOStatus::IOError("injected write failure");
    return target()->Append(data, o, d);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
    if (fail_ || fail_sync_) return rocksdb::IOStatus::IOError("injected sync failure");
    return target()->Sync(o, d);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
    if (fail_ || fail_sync_) return rocksdb::IOStatus::IOError("injected sync failure");
    return target()->Fsync(o, d);
  }

 private:
  const std::atomic<bool>& fail_;
  const std::atomic<bool>& fail_sync_;
};

class FailingFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit FailingFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base)
      : FileSystemWrapper(base) {}
  const char* Name() const override { return "FailingFileSystem"; }
  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* d) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(name, o, &file, d);
    if (s.ok()) result->reset(new FailingFile(std::move(file), fail, fail_sync));
    return s;
  }
  std::atomic<bool> fail{false};       // writes and syncs fail
  std::atomic<bool> fail_sync{false};  // only syncs fail: the write reached the OS, not the disk
};

// A store on a FailingFileSystem; `fs` turns the failures on and off.
struct StoreOnFailingDisk {
  template <class Open>
  explicit StoreOnFailingDisk(const Open& open) {
    BlockStoreOptions options;
    options.env = env.get();
    store = open(options);
  }
  std::shared_ptr<FailingFileSystem> fs =
      std::make_shared<FailingFileSystem>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  std::unique_ptr<BlockStore> store;
};

TEST_F(BlockStoreTest, FailedWriteMakesTheStoreReadOnly) {
  StoreOnFailingDisk disk([&](BlockStoreOptions options) { return OpenStore(options); });
  auto& fs = disk.fs;
  auto& store = disk.store;
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid before, store->Put(Codec::kRaw, "before"));
  fs->fail = true;
  EXPECT_THAT(store->Put(Codec::kRaw, "during"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("read-only")));
  fs->fail = false;
  // Sticky: the disk "recovered" but the store does not guess what reached it.
  EXPECT_THAT(store->Put(Codec::kRaw, "after"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("read-only")));
  EXPECT_THAT(store->WriteHealth(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("")));
  EXPECT_EQ(*store->Get(before), "before");  // reads go on
}

TEST_F(BlockStoreTest, FailedSyncMakesTheStoreReadOnly) {
  StoreOnFailingDisk disk([&](BlockStoreOptions options) { return OpenStore(options); });
  auto& fs = disk.fs;
  auto& store = disk.store;
  fs->fail_sync = true;
  // The write itself succeeds; the put is refused because it could not be made durable.
  EXPECT_THAT(store->Put(Codec::kRaw, "not durable"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("read-only")));
  fs->fail_sync = false;
  EXPECT_THAT(store->Put(Codec::kRaw, "after"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("read-only")));
}

// Issue 15 finding 1: a full disk aborted the daemon (an assertion inside RocksDB after its LOG
// file hit ENOSPC), and freeing a little space was not enough to start again.
TEST_F(BlockStoreTest, AFullDiskRefusesNewBlocksKeepsReadsAndRecoversWhenSpaceIsFreed) {
  for (const uint64_t reserve : {uint64_t{4} << 20, uint64_t{0}}) {
    swarmkv::testing::SimDisk disk;
    disk.set_capacity(32u << 20);
    BlockStoreOptions options;
    options.env = &disk;
    options.min_free_bytes = reserve;
    options.free_bytes = [&disk] { return disk.free_bytes(); };
    std::unique_ptr<BlockStore> store = OpenStore(options);
    ASSERT_NE(store, nullptr);
    Random rng(reserve + 1);
    std::vector<Cid> stored;
    absl::Status refused;
    for (int i = 0; i < 2000 && refused.ok(); ++i) {
      absl::StatusOr<Cid> cid = store->Put(Codec::kRaw, rng.Bytes(64 << 10));
      if (cid.ok()) {
        stored.push_back(*cid);
      } else {
        refused = cid.status();
      }
    }
    // With a reserve the store stops before the disk is full; without one RocksDB meets ENOSPC
    // and the store stops there. Either way: RESOURCE_EXHAUSTED, and the process lives.
    EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted,
                                  HasSubstr(reserve > 0 ? "nearly full" : "full")))
        << reserve;
    EXPECT_GT(stored.size(), 100u);
    for (const Cid& cid : stored) EXPECT_THAT(store->Get(cid).status(), IsOk());
    // Space freed elsewhere on the disk: writes resume by themselves.
    disk.set_capacity(128u << 20);
    SWARMKV_ASSERT_OK_AND_ASSIGN(Cid after, store->Put(Codec::kRaw, "after space was freed"));
    EXPECT_EQ(*store->Get(after), "after space was freed");
    store.reset();
    // And it opens again (on a disk with room for what RocksDB writes at open).
    store = OpenStore(options);
    ASSERT_NE(store, nullptr);
    for (const Cid& cid : stored) EXPECT_THAT(store->Get(cid).status(), IsOk());
  }
}

// Issue 15 finding 2: under a quota, GC made room by deleting whatever came first in key order,
// honest replicas included. The blocks the swarm names as not this node's go first.
TEST_F(BlockStoreTest, GarbageCollectionEvictsTheNamedBlocksFirst) {
  std::vector<Cid> cids;
  uint64_t per_block = 0;
  {
    auto store = OpenStore();
    for (int i = 0; i < 20; ++i) {
      SWARMKV_ASSERT_OK_AND_ASSIGN(
          Cid cid, store->Put(Codec::kRaw, absl::StrCat(i, std::string(1000, 'g'))));
      cids.push_back(cid);
    }
    per_block = store->Stats().stored_bytes / 20;
  }
  BlockStoreOptions options;
  options.quota_bytes = 15 * per_block + per_block / 2;  // five blocks over
  auto store = OpenStore(options);
  const absl::flat_hash_set<Cid> junk(cids.begin() + 15, cids.end());
  SWARMKV_ASSERT_OK_AND_ASSIGN(GcResult gc, store->CollectGarbage(&junk));
  EXPECT_EQ(gc.blocks_deleted, 5u);
  for (size_t i = 0; i < cids.size(); ++i) EXPECT_EQ(*store->Has(cids[i]), i < 15) << i;
}

TEST_F(BlockStoreTest, ConcurrentSyncedPutsAreAllDurable) {
  // Writers share WAL syncs (WalSyncer); each must still get an answer, and every
  // acknowledged block must be there after a reopen.
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::vector<Cid>> acknowledged(kThreads);
  {
    auto store = OpenStore();
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          auto cid = store->Put(Codec::kRaw, absl::StrCat("writer ", t, " block ", i));
          if (cid.ok()) acknowledged[t].push_back(*cid);
        }
      });
    }
    for (auto& thread : threads) thread.join();
  }
  auto store = OpenStore();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(acknowledged[t].size(), static_cast<size_t>(kPerThread));
    for (int i = 0; i < kPerThread; ++i) {
      EXPECT_EQ(*store->Get(acknowledged[t][i]), absl::StrCat("writer ", t, " block ", i));
    }
  }
  EXPECT_EQ(store->Stats().blocks, static_cast<uint64_t>(kThreads * kPerThread));
}

TEST_F(BlockStoreTest, GetCachedServesWhatIsInMemory) {
  auto store = OpenStore();
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid cid, store->Put(Codec::kRaw, "hot"));
  EXPECT_EQ(*store->GetCached(cid), "hot");  // still in the memtable
  EXPECT_THAT(store->GetCached(Cid::Compute(Codec::kRaw, "absent")),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(BlockStoreTest, ListBlocksPagesInKeyOrder) {
  auto store = OpenStore();
  std::vector<Cid> all;
  for (int i = 0; i < 25; ++i) {
    SWARMKV_ASSERT_OK_AND_ASSIGN(Cid cid, store->Put(Codec::kRaw, absl::StrCat("block ", i)));
    all.push_back(cid);
  }
  std::vector<Cid> seen;
  const Cid* after = nullptr;
  for (;;) {
    SWARMKV_ASSERT_OK_AND_ASSIGN(std::vector<Cid> page, store->ListBlocks(after, 10));
    if (page.empty()) break;
    EXPECT_LE(page.size(), 10u);
    seen.insert(seen.end(), page.begin(), page.end());
    after = &seen.back();
  }
  EXPECT_EQ(seen.size(), all.size());
  EXPECT_THAT(seen, ::testing::UnorderedElementsAreArray(all));
}

TEST_F(BlockStoreTest, ListPinsPagesInRootOrder) {
  auto store = OpenStore();
  std::vector<Cid> roots;
  for (int i = 0; i < 25; ++i) {
    SWARMKV_ASSERT_OK_AND_ASSIGN(Cid cid, store->Put(Codec::kRaw, absl::StrCat("root ", i)));
    ASSERT_THAT(store->Pin(cid, {cid}, absl::StrCat("pin ", i), absl::UnixEpoch()), IsOk());
    roots.push_back(cid);
  }
  std::sort(roots.begin(), roots.end());
  std::vector<Cid> seen;
  std::optional<Cid> after;
  for (;;) {
    SWARMKV_ASSERT_OK_AND_ASSIGN(std::vector<PinnedRoot> page,
                                 store->ListPins(after.has_value() ? &*after : nullptr, 10));
    if (page.empty()) break;
    EXPECT_LE(page.size(), 10u);
    for (const PinnedRoot& pin : page) seen.push_back(pin.root);
    after = seen.back();
  }
  EXPECT_EQ(seen, roots);
  // The whole list is the same, in the same order.
  SWARMKV_ASSERT_OK_AND_ASSIGN(std::vector<PinnedRoot> all, store->ListPins());
  ASSERT_EQ(all.size(), roots.size());
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].root, roots[i]);
  // After the last root: nothing.
  SWARMKV_ASSERT_OK_AND_ASSIGN(std::vector<PinnedRoot> none, store->ListPins(&roots.back(), 10));
  EXPECT_TRUE(none.empty());
}

TEST_F(BlockStoreTest, DropBlockSparesPinnedBlocks) {
  auto store = OpenStore();
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid loose, store->Put(Codec::kRaw, "replica"));
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid pinned, store->Put(Codec::kRaw, "pinned"));
  ASSERT_THAT(store->Pin(pinned, {pinned}, "", absl::UnixEpoch()), IsOk());
  {
    auto session = store->BeginWriteSession();  // a content write in progress defers hand-offs
    EXPECT_THAT(store->DropBlock(loose), StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_TRUE(*store->Has(loose));
  }
  ASSERT_THAT(store->Get(loose), IsOk());  // now in the verified-block cache too
  EXPECT_THAT(store->DropBlock(loose), IsOk());
  EXPECT_FALSE(*store->Has(loose));
  EXPECT_THAT(store->Get(loose), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store->DropBlock(loose), IsOk());  // already gone
  EXPECT_THAT(store->DropBlock(pinned), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(*store->Has(pinned));
  EXPECT_EQ(store->Stats().blocks, 1u);
}

TEST_F(BlockStoreTest, MetaValuesAreSealedAndSurviveReopen) {
  {
    auto store = OpenStore();
    ASSERT_THAT(store->PutMeta("routing_table", "contacts-marker"), IsOk());
    EXPECT_THAT(store->PutMeta("counters", "x"), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(store->GetMeta("absent"), StatusIs(absl::StatusCode::kNotFound));
  }
  auto store = OpenStore();
  EXPECT_EQ(*store->GetMeta("routing_table"), "contacts-marker");
}

TEST_F(BlockStoreTest, PinsAreRefcountedPerBlock) {
  auto store = OpenStore();
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid a, store->Put(Codec::kRaw, "a"));
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid b, store->Put(Codec::kRaw, "b"));
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid c, store->Put(Codec::kRaw, "c"));
  const absl::Time t = absl::FromUnixSeconds(1000);
  ASSERT_THAT(store->Pin(a, {a, b}, "first", t), IsOk());
  ASSERT_THAT(store->Pin(c, {c, b, b}, "second", t), IsOk());
  ASSERT_THAT(store->Pin(a, {a, b}, "first", t), IsOk());  // idempotent
  EXPECT_TRUE(*store->IsBlockPinned(b));
  EXPECT_EQ(store->Stats().pinned_roots, 2u);
  SWARMKV_ASSERT_OK_AND_ASSIGN(auto pins, store->ListPins());
  ASSERT_EQ(pins.size(), 2u);
  EXPECT_THAT((std::vector<std::string>{pins[0].name, pins[1].name}),
              UnorderedElementsAre("first", "second"));
  EXPECT_EQ(pins[0].pinned_at, t);

  ASSERT_THAT(store->Unpin(c, {c, b, b}), IsOk());
  EXPECT_TRUE(*store->IsBlockPinned(b));  // still held by `a`
  EXPECT_FALSE(*store->IsBlockPinned(c));
  ASSERT_THAT(store->Unpin(a, {a, b}), IsOk());
  EXPECT_FALSE(*store->IsBlockPinned(b));
  EXPECT_THAT(store->Unpin(a, {a, b}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("not pinned")));
  const Cid absent = Cid::Compute(Codec::kRaw, "absent");
  EXPECT_THAT(store->Pin(absent, {absent}, "", t),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not in this store")));
}

TEST_F(BlockStoreTest, GarbageCollectionKeepsPinnedBlocksAndHonoursQuota) {
  BlockStoreOptions options;
  options.quota_bytes = 3 * (1000 + 40);
  auto store = OpenStore(options);
  std::vector<Cid> cids;
  for (int i = 0; i < 10; ++i) {
    SWARMKV_ASSERT_OK_AND_ASSIGN(Cid cid, store->Put(Codec::kRaw, std::string(1000, 'a' + i)));
    ASSERT_THAT(store->Get(cid), IsOk());  // cached: collection must evict it too
    cids.push_back(cid);
  }
  ASSERT_THAT(store->Pin(cids[0], {cids[0], cids[1]}, "", absl::Now()), IsOk());
  {
    auto session = store->BeginWriteSession();
    SWARMKV_ASSERT_OK_AND_ASSIGN(GcResult deferred, store->CollectGarbage());
    EXPECT_TRUE(deferred.deferred);
  }
  SWARMKV_ASSERT_OK_AND_ASSIGN(GcResult gc, store->CollectGarbage());
  EXPECT_FALSE(gc.deferred);
  EXPECT_LE(store->Stats().stored_bytes, options.quota_bytes);
  EXPECT_EQ(gc.blocks_deleted, 7u);
  int readable = 0;
  for (const Cid& cid : cids) readable += store->Get(cid).ok() ? 1 : 0;
  EXPECT_EQ(readable, 3);
  EXPECT_EQ(*store->Get(cids[0]), std::string(1000, 'a'));
  EXPECT_EQ(*store->Get(cids[1]), std::string(1000, 'b'));
}

// Bytes in the store's blob files, where blocks of 4 KiB and more live.
// RocksDB may delete a file between the listing and the size (an obsolete WAL): it counts 0.
uint64_t FileBytes(const std::string& dir, const std::string& extension) {
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != extension) continue;
    std::error_code gone;
    const uintmax_t size = entry.file_size(gone);
    if (!gone) total += size;
  }
  return total;
}

uint64_t BlobFileBytes(const std::string& dir) { return FileBytes(dir, ".blob"); }

// A small family written with every block (as pins and counters are) must not keep every WAL
// file alive: the data dir of a running node would then hold each block twice.
TEST_F(BlockStoreTest, WriteAheadLogStaysNearTheMemtableBudget) {
  constexpr size_t kSize = 256 * 1024;
  constexpr int kBlocks = 128;  // 32 MiB
  BlockStoreOptions options;
  options.memtable_bytes = 4u << 20;
  options.sync_writes = false;
  auto store = OpenStore(options);
  uint64_t most = 0;
  for (int i = 0; i < kBlocks; ++i) {
    ASSERT_THAT(store->Put(Codec::kRaw, std::string(kSize, static_cast<char>(i))), IsOk());
    ASSERT_THAT(store->PutMeta("last", absl::StrCat(i)), IsOk());
    most = std::max(most, FileBytes(dir_.Sub("db"), ".log"));
  }
  // Flushes run in the background, so allow some lag over the cap; without the cap the log
  // grows with everything written (32 MiB here).
  EXPECT_LE(most, 3 * options.memtable_bytes);
}

TEST_F(BlockStoreTest, ReclaimSpaceGivesBackTheBlobSpaceOfDeletedBlocks) {
  constexpr int kBlocks = 40;
  constexpr size_t kSize = 64 * 1024;  // over the blob threshold
  BlockStoreOptions options;
  options.quota_bytes = 10 * (kSize + 40);
  {
    auto store = OpenStore(options);
    for (int i = 0; i < kBlocks; ++i) {
      ASSERT_THAT(store->Put(Codec::kRaw, std::string(kSize, static_cast<char>(i))), IsOk());
    }
  }
  auto store = OpenStore(options);  // recovery flushes the log: the blocks are in blob files
  const uint64_t before = BlobFileBytes(dir_.Sub("db"));
  ASSERT_GE(before, kBlocks * kSize);
  SWARMKV_ASSERT_OK_AND_ASSIGN(uint64_t nothing_yet, store->ReclaimSpace());
  EXPECT_EQ(nothing_yet, 0u);  // nothing deleted: no copying
  EXPECT_EQ(BlobFileBytes(dir_.Sub("db")), before);
  SWARMKV_ASSERT_OK_AND_ASSIGN(GcResult gc, store->CollectGarbage());
  ASSERT_EQ(gc.blocks_deleted, 30u);
  SWARMKV_ASSERT_OK_AND_ASSIGN(uint64_t reclaimed, store->ReclaimSpace());
  EXPECT_EQ(reclaimed, gc.bytes_freed);
  EXPECT_LE(BlobFileBytes(dir_.Sub("db")), before / 2);
  SWARMKV_ASSERT_OK_AND_ASSIGN(uint64_t again, store->ReclaimSpace());
  EXPECT_EQ(again, 0u);
  // The surviving blocks are intact after the copy.
  uint64_t readable = 0;
  for (int i = 0; i < kBlocks; ++i) {
    const std::string data(kSize, static_cast<char>(i));
    auto got = store->Get(Cid::Compute(Codec::kRaw, data));
    if (got.ok()) {
      EXPECT_EQ(*got, data);
      ++readable;
    }
  }
  EXPECT_EQ(readable, 10u);
}

}  // namespace
}  // namespace swarmkv
