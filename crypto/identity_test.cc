#include "crypto/identity.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;

TEST(IdentityTest, NodeIdIsSha256OfPublicKey) {
  const Identity id = Identity::Generate();
  EXPECT_EQ(id.public_key().size(), kPublicKeyBytes);
  EXPECT_EQ(id.node_id().bytes(), Sha256(id.public_key()));
  const std::string text = id.node_id().ToString();
  EXPECT_EQ(text.size(), 53u);
  EXPECT_EQ(*NodeId::Parse(text), id.node_id());
}

TEST(IdentityTest, SignAndVerify) {
  const Identity id = Identity::Generate();
  const std::string sig = id.Sign("message");
  EXPECT_EQ(sig.size(), kSignatureBytes);
  EXPECT_TRUE(VerifySignature(id.public_key(), "message", sig));
  EXPECT_FALSE(VerifySignature(id.public_key(), "messagE", sig));
  EXPECT_FALSE(VerifySignature(Identity::Generate().public_key(), "message", sig));
  EXPECT_FALSE(VerifySignature(id.public_key(), "message", sig.substr(1)));
  EXPECT_FALSE(VerifySignature("short", "message", sig));
}

TEST(IdentityTest, SeedDeterminesTheKeyPair) {
  const Identity a = Identity::Generate();
  const Identity b = Identity::FromSeed(a.Seed());
  EXPECT_EQ(a.public_key(), b.public_key());
}

TEST(IdentityTest, LoadOrCreatePersists) {
  testing::TempDir dir;
  SWARMKV_ASSERT_OK_AND_ASSIGN(Identity a, Identity::LoadOrCreate(dir.Sub("identity.key")));
  SWARMKV_ASSERT_OK_AND_ASSIGN(Identity b, Identity::LoadOrCreate(dir.Sub("identity.key")));
  EXPECT_EQ(a.node_id(), b.node_id());
}

TEST(IdentityTest, MalformedNodeIds) {
  EXPECT_THAT(NodeId::Parse(""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'b'")));
  EXPECT_THAT(NodeId::Parse("bmzxq"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected 32")));
}

}  // namespace
}  // namespace swarmkv
