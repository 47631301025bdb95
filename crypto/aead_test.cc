#include "crypto/aead.h"

#include "gtest/gtest.h"

namespace swarmkv {
namespace {

TEST(AeadTest, RandomNonceRoundTripAndUniqueness) {
  const SecretBytes key = SecretBytes::Random(kAeadKeyBytes);
  std::string a, b, out;
  SealWithRandomNonce(key, "secret", "ad", &a);
  SealWithRandomNonce(key, "secret", "ad", &b);
  EXPECT_EQ(a.size(), kAeadNonceBytes + 6 + kAeadTagBytes);
  EXPECT_NE(a, b);  // fresh nonce each time
  ASSERT_TRUE(OpenWithRandomNonce(key, a, "ad", &out));
  EXPECT_EQ(out, "secret");
}

TEST(AeadTest, RejectsWrongKeyAdTamperingAndTruncation) {
  const SecretBytes key = SecretBytes::Random(kAeadKeyBytes);
  std::string sealed, out;
  SealWithRandomNonce(key, "secret", "ad", &sealed);
  EXPECT_FALSE(OpenWithRandomNonce(SecretBytes::Random(kAeadKeyBytes), sealed, "ad", &out));
  EXPECT_FALSE(OpenWithRandomNonce(key, sealed, "other", &out));
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string t = sealed;
    t[i] ^= 1;
    EXPECT_FALSE(OpenWithRandomNonce(key, t, "ad", &out)) << i;
  }
  for (size_t n = 0; n < sealed.size(); ++n) {
    EXPECT_FALSE(OpenWithRandomNonce(key, sealed.substr(0, n), "ad", &out));
  }
  EXPECT_TRUE(out.empty());
}

TEST(AeadTest, SingleUseKeyIsDeterministic) {
  const SecretBytes key = SecretBytes::Random(kAeadKeyBytes);
  std::string a, b, out;
  SealWithSingleUseKey(key, "chunk", "ad", &a);
  SealWithSingleUseKey(key, "chunk", "ad", &b);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 5 + kAeadTagBytes);
  ASSERT_TRUE(OpenWithSingleUseKey(key, a, "ad", &out));
  EXPECT_EQ(out, "chunk");
  a[0] ^= 1;
  EXPECT_FALSE(OpenWithSingleUseKey(key, a, "ad", &out));
}

TEST(AeadTest, AppendsAfterExistingBytes) {
  const SecretBytes key = SecretBytes::Random(kAeadKeyBytes);
  std::string out = "prefix";
  SealWithSingleUseKey(key, "", "", &out);
  EXPECT_EQ(out.size(), 6 + kAeadTagBytes);
  EXPECT_EQ(out.substr(0, 6), "prefix");
}

}  // namespace
}  // namespace swarmkv
