#include "crypto/capability.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;

TEST(CapabilityTest, RoundTripsWithAndWithoutKey) {
  const Cid cid = Cid::Compute(Codec::kManifest, "m");
  const Capability with_key(cid, SecretBytes::Random(kContentKeyBytes));
  const std::string uri = with_key.ToUri();
  EXPECT_EQ(uri.rfind("swarmkv://b", 0), 0u);
  SWARMKV_ASSERT_OK_AND_ASSIGN(Capability parsed, Capability::Parse(uri));
  EXPECT_EQ(parsed.root(), cid);
  ASSERT_TRUE(parsed.has_key());
  EXPECT_TRUE(parsed.key().Equals(with_key.key()));

  SWARMKV_ASSERT_OK_AND_ASSIGN(Capability bare, Capability::Parse(cid.ToString()));
  EXPECT_FALSE(bare.has_key());
  SWARMKV_ASSERT_OK_AND_ASSIGN(Capability plain_uri,
                               Capability::Parse("swarmkv://" + cid.ToString()));
  EXPECT_FALSE(plain_uri.has_key());
  EXPECT_EQ(plain_uri.ToUri(), "swarmkv://" + cid.ToString());
}

TEST(CapabilityTest, TruncatedOrMalformedIsInvalidArgument) {
  const Capability cap(Cid::Compute(Codec::kRaw, "x"), SecretBytes::Random(kContentKeyBytes));
  const std::string uri = cap.ToUri();
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_THAT(Capability::Parse(uri.substr(0, uri.size() - 3)),
              StatusIs(kInvalid, HasSubstr("truncated")));
  EXPECT_THAT(Capability::Parse(uri.substr(0, uri.find('#') + 1)),
              StatusIs(kInvalid, HasSubstr("empty key")));
  EXPECT_THAT(Capability::Parse(uri.substr(0, 30)), StatusIs(kInvalid, HasSubstr("CID")));
  EXPECT_THAT(Capability::Parse("swarmkv://"), StatusIs(kInvalid, HasSubstr("empty CID")));
  EXPECT_THAT(Capability::Parse(uri + "AAAA"), StatusIs(kInvalid, HasSubstr("base64url")));
}

}  // namespace
}  // namespace swarmkv
