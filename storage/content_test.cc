#include <memory>
#include <string>

#include "base/random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/block_store.h"
#include "storage/content_pins.h"
#include "storage/content_reader.h"
#include "storage/content_writer.h"
#include "storage/manifest.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::IsOk;
using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;

class ContentTest : public ::testing::TestWithParam<ContentMode> {
 protected:
  void SetUp() override {
    BlockStoreOptions options;
    options.sync_writes = false;  // durability is tested elsewhere; keep these fast
    Reopen(options);
  }

  void Reopen(BlockStoreOptions options) {
    store_.reset();
    auto store = BlockStore::Open(dir_.Sub("db"), storage_key_, options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
  }

  ContentWriterOptions Options(size_t chunk_size, size_t fanout = kDefaultFanout) {
    ContentWriterOptions o;
    o.mode = GetParam();
    o.chunk_size = chunk_size;
    o.fanout = fanout;
    o.convergence_secret = &secret_;
    return o;
  }

  ContentInfo Put(const std::string& data, ContentWriterOptions options) {
    auto writer = ContentWriter::Create(*store_, std::move(options));
    EXPECT_TRUE(writer.ok()) << writer.status();
    // Uneven write sizes exercise the chunk boundary logic.
    Random rng(1);
    absl::string_view rest = data;
    while (!rest.empty()) {
      const size_t n = std::min<size_t>(rest.size(), 1 + rng.Uniform(7));
      EXPECT_THAT((*writer)->Write(rest.substr(0, n)), IsOk());
      rest.remove_prefix(n);
    }
    auto info = (*writer)->Finish();
    EXPECT_TRUE(info.ok()) << info.status();
    return std::move(info).value();
  }

  absl::StatusOr<std::string> Get(const Capability& cap, ByteRange range = {}) {
    auto reader = ContentReader::Open(*store_, cap, range);
    if (!reader.ok()) return reader.status();
    std::string out, piece;
    while (true) {
      auto more = (*reader)->Next(&piece);
      if (!more.ok()) return more.status();
      if (!*more) break;
      out += piece;
    }
    return out;
  }

  testing::TempDir dir_;
  SecretBytes storage_key_ = SecretBytes::Random(32);
  SecretBytes secret_ = SecretBytes::Random(32);
  std::unique_ptr<BlockStore> store_;
};

TEST_P(ContentTest, RoundTripsAtChunkBoundaries) {
  constexpr size_t kChunk = 64;
  Random rng(7);
  for (size_t size :
       {size_t{0}, size_t{1}, kChunk - 1, kChunk, kChunk + 1, 3 * kChunk, 10 * kChunk + 5}) {
    const std::string data = rng.Bytes(size);
    const ContentInfo info = Put(data, Options(kChunk));
    EXPECT_EQ(info.size, size);
    EXPECT_EQ(info.capability.has_key(), GetParam() != ContentMode::kPlain);
    SWARMKV_ASSERT_OK_AND_ASSIGN(std::string got, Get(info.capability));
    EXPECT_EQ(got, data) << "size " << size;
    // The capability survives its text form.
    SWARMKV_ASSERT_OK_AND_ASSIGN(Capability parsed, Capability::Parse(info.capability.ToUri()));
    EXPECT_EQ(*Get(parsed), data);
  }
}

TEST_P(ContentTest, DeepTreesWithSmallFanout) {
  Random rng(8);
  // 4 bytes per chunk and 3 links per node: 1000 bytes make a tree six levels deep.
  const std::string data = rng.Bytes(1000);
  const ContentInfo info = Put(data, Options(4, 3));
  EXPECT_EQ(info.chunks, 250u);
  EXPECT_EQ(*Get(info.capability), data);
  SWARMKV_ASSERT_OK_AND_ASSIGN(std::vector<Cid> blocks,
                               ListContentBlocks(*store_, info.capability.root()));
  EXPECT_GT(blocks.size(), 250u);
}

TEST_P(ContentTest, ByteRanges) {
  Random rng(9);
  const std::string data = rng.Bytes(1000);
  const ContentInfo info = Put(data, Options(16, 4));
  for (auto [offset, length] : std::vector<std::pair<uint64_t, uint64_t>>{
           {0, 1000}, {0, 1}, {15, 2}, {16, 16}, {999, 1}, {500, 10000}, {1000, 5}, {123, 0}}) {
    SWARMKV_ASSERT_OK_AND_ASSIGN(std::string got, Get(info.capability, {offset, length}));
    EXPECT_EQ(got, data.substr(offset, length)) << offset << "+" << length;
  }
  EXPECT_THAT(Get(info.capability, {1001, 1}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("content is 1000 bytes")));
}

TEST_P(ContentTest, PinThenGarbageCollectKeepsOnlyPinnedContent) {
  Random rng(10);
  const std::string keep = rng.Bytes(5000), drop = rng.Bytes(5000);
  ContentWriterOptions pinned = Options(256, 4);
  pinned.pin = true;
  pinned.pin_name = "keep";
  const ContentInfo kept = Put(keep, std::move(pinned));
  const ContentInfo dropped = Put(drop, Options(256, 4));
  EXPECT_TRUE(*store_->IsPinned(kept.capability.root()));

  // Collect everything that is not pinned: quota 1 byte.
  BlockStoreOptions options;
  options.quota_bytes = 1;
  options.sync_writes = false;
  Reopen(options);
  SWARMKV_ASSERT_OK_AND_ASSIGN(GcResult gc, store_->CollectGarbage());
  EXPECT_GT(gc.blocks_deleted, 0u);
  EXPECT_EQ(*Get(kept.capability), keep);
  EXPECT_THAT(Get(dropped.capability), StatusIs(absl::StatusCode::kNotFound, HasSubstr("")));

  // Unpinned, it goes too.
  ASSERT_THAT(UnpinContent(*store_, kept.capability.root()), IsOk());
  EXPECT_THAT(UnpinContent(*store_, kept.capability.root()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("not pinned")));
  ASSERT_THAT(store_->CollectGarbage(), IsOk());
  EXPECT_EQ(store_->Stats().blocks, 0u);
  EXPECT_EQ(store_->Stats().stored_bytes, 0u);
}

TEST_P(ContentTest, PinOfRepeatedBlocksUnpinsToNothing) {
  // Identical chunks (and, in plain and convergent modes, identical blocks and manifest nodes)
  // are counted once per root when pinned, whether the content went to the store in one
  // staged batch (small) or block by block (large), and released the same way.
  for (const size_t size : {size_t{5000}, size_t{600 * 1024}}) {
    ContentWriterOptions options = Options(size < 10000 ? 256 : 4096, 4);
    options.pin = true;
    const ContentInfo info = Put(std::string(size, 'z'), std::move(options));
    EXPECT_EQ(*Get(info.capability), std::string(size, 'z'));
    ASSERT_THAT(UnpinContent(*store_, info.capability.root()), IsOk());
    BlockStoreOptions collect_all;
    collect_all.quota_bytes = 1;
    collect_all.sync_writes = false;
    Reopen(collect_all);
    ASSERT_THAT(store_->CollectGarbage(), IsOk());
    EXPECT_EQ(store_->Stats().blocks, 0u) << size;
    SetUp();
  }
}

TEST_P(ContentTest, EncryptedContentNeedsItsKey) {
  if (GetParam() == ContentMode::kPlain) GTEST_SKIP() << "plain content has no key";
  const ContentInfo info = Put("the secret", Options(4));
  const Capability bare(info.capability.root());
  EXPECT_THAT(Get(bare), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("capability")));
  const Capability wrong(info.capability.root(), SecretBytes::Random(32));
  EXPECT_THAT(Get(wrong),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("does not open")));
}

TEST_P(ContentTest, MissingBlockIsNotFound) {
  EXPECT_THAT(Get(Capability(Cid::Compute(Codec::kManifest, "nothing"))),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("not in this store")));
}

INSTANTIATE_TEST_SUITE_P(AllModes, ContentTest,
                         ::testing::Values(ContentMode::kRandom, ContentMode::kConvergent,
                                           ContentMode::kPlain),
                         [](const auto& info) { return std::string(ContentModeName(info.param)); });

class ContentModesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(BlockStore::Open(dir_.Sub("db"), SecretBytes::Random(32))).value();
  }
  ContentInfo Put(absl::string_view data, ContentMode mode, const SecretBytes* secret) {
    ContentWriterOptions o;
    o.mode = mode;
    o.chunk_size = 8;
    o.convergence_secret = secret;
    auto w = std::move(ContentWriter::Create(*store_, std::move(o))).value();
    EXPECT_THAT(w->Write(data), IsOk());
    return std::move(w->Finish()).value();
  }
  testing::TempDir dir_;
  std::unique_ptr<BlockStore> store_;
};

// Issue 15 finding 4: a manifest listing one child many times, on a few levels, made every walk
// (Stat, Pin, Unpin) expand each path: seconds and gigabytes for three blocks.
TEST_F(ContentModesTest, AManifestListingOneChildManyTimesIsWalkedOnce) {
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid child, store_->Put(Codec::kRaw, "x"));
  uint64_t size = 1;
  for (int level = 0; level < 4; ++level) {
    ManifestNode node;
    node.mode = ContentMode::kPlain;
    node.chunk_size = 1;
    node.links.assign(kMaxManifestLinks, ManifestLink{child, size});
    node.total_size = size * kMaxManifestLinks;
    size = node.total_size;
    std::string block = EncodeManifestClearPart(node);
    AppendManifestSealedKeys("", &block);  // plain: no keys
    SWARMKV_ASSERT_OK_AND_ASSIGN(child, store_->Put(Codec::kManifest, block));
  }
  // 8192^4 paths, 5 distinct blocks.
  SWARMKV_ASSERT_OK_AND_ASSIGN(std::vector<Cid> blocks, ListContentBlocks(*store_, child));
  EXPECT_EQ(blocks.size(), 5u);
  ASSERT_THAT(PinContent(*store_, child, "bomb", absl::UnixEpoch()), IsOk());
  ASSERT_THAT(UnpinContent(*store_, child), IsOk());
  EXPECT_EQ(store_->Stats().pinned_roots, 0u);
}

// A manifest is walked only under the size its parent declares for it: one listed under a size
// other than its own total (first time or again) is damaged content, never silently counted.
TEST_F(ContentModesTest, AManifestLinkedUnderAnotherSizeIsDataLoss) {
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid chunk, store_->Put(Codec::kRaw, "abc"));
  auto put_manifest = [&](std::vector<ManifestLink> links) {
    ManifestNode node;
    node.mode = ContentMode::kPlain;
    node.chunk_size = 3;
    for (const ManifestLink& link : links) node.total_size += link.size;
    node.links = std::move(links);
    std::string block = EncodeManifestClearPart(node);
    AppendManifestSealedKeys("", &block);
    return store_->Put(Codec::kManifest, block);
  };
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid inner, put_manifest({{chunk, 3}}));
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid honest, put_manifest({{inner, 3}, {inner, 3}}));
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid lies_first, put_manifest({{inner, 5}}));
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid lies_again, put_manifest({{inner, 3}, {inner, 4}}));

  SWARMKV_ASSERT_OK_AND_ASSIGN(std::vector<Cid> blocks, ListContentBlocks(*store_, honest));
  EXPECT_EQ(blocks.size(), 3u);
  EXPECT_THAT(ListContentBlocks(*store_, lies_first),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("linked as 5")));
  EXPECT_THAT(ListContentBlocks(*store_, lies_again),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("linked as 4")));
  EXPECT_THAT(PinContent(*store_, lies_again, "bad", absl::UnixEpoch()),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(ContentModesTest, ConvergentDedupsUnderOneSecretOnly) {
  const SecretBytes s1 = SecretBytes::Random(32), s2 = SecretBytes::Random(32);
  const ContentInfo a = Put("same content, many chunks", ContentMode::kConvergent, &s1);
  const uint64_t blocks = store_->Stats().blocks;
  const ContentInfo b = Put("same content, many chunks", ContentMode::kConvergent, &s1);
  EXPECT_EQ(a.capability.ToUri(), b.capability.ToUri());
  EXPECT_EQ(store_->Stats().blocks, blocks);  // nothing new stored
  const ContentInfo c = Put("same content, many chunks", ContentMode::kConvergent, &s2);
  EXPECT_NE(a.capability.root(), c.capability.root());
}

TEST_F(ContentModesTest, RandomNeverRepeats) {
  const ContentInfo a = Put("same", ContentMode::kRandom, nullptr);
  const ContentInfo b = Put("same", ContentMode::kRandom, nullptr);
  EXPECT_NE(a.capability.root(), b.capability.root());
}

TEST_F(ContentModesTest, SmallPlainContentHasTheIpfsCid) {
  const ContentInfo info = Put("hello", ContentMode::kPlain, nullptr);
  EXPECT_EQ(info.capability.root(), Cid::Compute(Codec::kRaw, "hello"));
  EXPECT_FALSE(info.capability.has_key());
}

TEST_F(ContentModesTest, ConvergentWithoutSecretIsRefused) {
  ContentWriterOptions o;
  o.mode = ContentMode::kConvergent;
  EXPECT_THAT(ContentWriter::Create(*store_, o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("convergence secret")));
  o.mode = ContentMode::kRandom;
  o.chunk_size = kMaxChunkSize + 1;
  EXPECT_THAT(ContentWriter::Create(*store_, o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("chunk size")));
}

TEST_F(ContentModesTest, AbandonedWriterLeavesNothingPinned) {
  {
    auto w = std::move(ContentWriter::Create(*store_, ContentWriterOptions{})).value();
    ASSERT_THAT(w->Write(std::string(kDefaultChunkSize * 2, 'x')), IsOk());
  }
  EXPECT_EQ(store_->Stats().pinned_roots, 0u);
  EXPECT_GT(store_->Stats().blocks, 0u);
}

}  // namespace
}  // namespace swarmkv
