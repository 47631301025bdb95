#include "storage/manifest.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;

ManifestNode SampleNode() {
  ManifestNode node;
  node.mode = ContentMode::kRandom;
  node.chunk_size = 4;
  node.links = {{Cid::Compute(Codec::kRaw, "a"), 4}, {Cid::Compute(Codec::kManifest, "b"), 9}};
  node.total_size = 13;
  node.sealed_keys = std::string(80, 'k');
  return node;
}

std::string Encode(const ManifestNode& node) {
  std::string block = EncodeManifestClearPart(node);
  AppendManifestSealedKeys(node.sealed_keys, &block);
  return block;
}

TEST(ManifestTest, RoundTrip) {
  const ManifestNode node = SampleNode();
  const std::string block = Encode(node);
  SWARMKV_ASSERT_OK_AND_ASSIGN(DecodedManifest got, DecodeManifest(block));
  EXPECT_EQ(got.node.mode, node.mode);
  EXPECT_EQ(got.node.chunk_size, 4u);
  EXPECT_EQ(got.node.total_size, 13u);
  ASSERT_EQ(got.node.links.size(), 2u);
  EXPECT_EQ(got.node.links[1].cid, node.links[1].cid);
  EXPECT_EQ(got.node.links[1].size, 9u);
  EXPECT_EQ(got.node.sealed_keys, node.sealed_keys);
  EXPECT_EQ(block.substr(0, got.clear_part_size), EncodeManifestClearPart(node));
}

TEST(ManifestTest, InconsistentNodesAreDataLoss) {
  const auto kLoss = absl::StatusCode::kDataLoss;
  ManifestNode node = SampleNode();
  node.total_size = 12;
  EXPECT_THAT(DecodeManifest(Encode(node)), StatusIs(kLoss, HasSubstr("exceed")));
  node = SampleNode();
  node.sealed_keys.clear();
  EXPECT_THAT(DecodeManifest(Encode(node)), StatusIs(kLoss, HasSubstr("without keys")));
  node.mode = ContentMode::kPlain;
  node.sealed_keys = "x";
  EXPECT_THAT(DecodeManifest(Encode(node)), StatusIs(kLoss, HasSubstr("plain manifest with")));
  EXPECT_THAT(DecodeManifest("SKVM"), StatusIs(kLoss, HasSubstr("")));
  EXPECT_THAT(DecodeManifest("nope"), StatusIs(kLoss, HasSubstr("magic")));
}

TEST(ManifestTest, EveryTruncationAndByteFlipFailsCleanly) {
  const std::string block = Encode(SampleNode());
  for (size_t n = 0; n < block.size(); ++n) {
    EXPECT_FALSE(DecodeManifest(block.substr(0, n)).ok()) << n;
  }
  for (size_t i = 0; i < block.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string m = block;
      m[i] ^= static_cast<char>(1 << bit);
      (void)DecodeManifest(m);  // must not crash; some flips (in keys, digests) still decode
    }
  }
}

TEST(ManifestTest, ModeNames) {
  EXPECT_EQ(*ParseContentMode("convergent"), ContentMode::kConvergent);
  EXPECT_EQ(ContentModeName(ContentMode::kRandom), "random");
  EXPECT_THAT(ParseContentMode("secret"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("random, convergent")));
}

}  // namespace
}  // namespace swarmkv
