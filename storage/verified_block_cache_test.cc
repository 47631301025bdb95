#include "storage/verified_block_cache.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace swarmkv {
namespace {

Cid CidOf(absl::string_view data) { return Cid::Compute(Codec::kRaw, data); }

// Offers `data` twice: the first offer only admits it.
void InsertHot(VerifiedBlockCache& cache, absl::string_view data) {
  cache.Insert(CidOf(data), data, cache.Generation());
  cache.Insert(CidOf(data), data, cache.Generation());
}

TEST(VerifiedBlockCacheTest, CachesABlockOnItsSecondRead) {
  VerifiedBlockCache cache(1 << 20, 1024);
  EXPECT_FALSE(cache.Get(CidOf("a")).has_value());
  cache.Insert(CidOf("a"), "a", cache.Generation());
  EXPECT_FALSE(cache.Get(CidOf("a")).has_value());  // read once: not worth a copy yet
  cache.Insert(CidOf("a"), "a", cache.Generation());
  EXPECT_EQ(cache.Get(CidOf("a")), "a");
}

TEST(VerifiedBlockCacheTest, SkipsBlocksOverTheSizeLimit) {
  VerifiedBlockCache cache(1 << 20, 10);
  const std::string big(11, 'x');
  InsertHot(cache, big);
  EXPECT_FALSE(cache.Get(CidOf(big)).has_value());
}

TEST(VerifiedBlockCacheTest, EvictsTheLeastRecentlyUsedPastItsCapacity) {
  // 8 shards of 100 bytes: 60-byte blocks, so a shard holds one of them.
  VerifiedBlockCache cache(800, 100);
  std::vector<std::string> blocks;
  for (int i = 0; i < 50; ++i) blocks.push_back(absl::StrCat(std::string(58, 'b'), i % 10, i / 10));
  for (const std::string& block : blocks) InsertHot(cache, block);
  int held = 0;
  for (const std::string& block : blocks) held += cache.Get(CidOf(block)).has_value() ? 1 : 0;
  EXPECT_GE(held, 1);
  EXPECT_LE(held, 8);  // never more than the capacity allows
  // The newest block of its shard survived.
  EXPECT_EQ(cache.Get(CidOf(blocks.back())), blocks.back());
}

TEST(VerifiedBlockCacheTest, EraseStopsServingAndFencesReadsInFlight) {
  VerifiedBlockCache cache(1 << 20, 1024);
  InsertHot(cache, "gone");
  ASSERT_EQ(cache.Get(CidOf("gone")), "gone");
  const uint64_t before_delete = cache.Generation();  // two reads start here...
  cache.Erase(CidOf("gone"));                         // ...the block is deleted...
  EXPECT_FALSE(cache.Get(CidOf("gone")).has_value());
  cache.Insert(CidOf("gone"), "gone", before_delete);  // ...and both finish: without the
  cache.Insert(CidOf("gone"), "gone", before_delete);  // fence, the second would be admitted
  EXPECT_FALSE(cache.Get(CidOf("gone")).has_value());
  InsertHot(cache, "gone");  // reads after the delete may cache it again
  EXPECT_EQ(cache.Get(CidOf("gone")), "gone");
}

}  // namespace
}  // namespace swarmkv
