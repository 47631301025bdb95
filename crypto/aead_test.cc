#include "crypto/aead.h"

#include <sodium.h>

#include "base/random.h"
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

TEST(AeadTest, AFailedOpenLeavesNoStateBehind) {
  // Each thread reuses one cipher context per direction; a rejected message must not affect the
  // next one.
  const SecretBytes key = SecretBytes::Random(kAeadKeyBytes);
  std::string first, second, out;
  SealWithRandomNonce(key, "first", "ad", &first);
  SealWithRandomNonce(key, "second message", "other ad", &second);
  std::string damaged = first;
  damaged.back() ^= 1;
  EXPECT_FALSE(OpenWithRandomNonce(key, damaged, "ad", &out));
  ASSERT_TRUE(OpenWithRandomNonce(key, second, "other ad", &out));
  EXPECT_EQ(out, "second message");
  ASSERT_TRUE(OpenWithRandomNonce(key, first, "ad", &out));
  EXPECT_EQ(out, "first");
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

// Our XChaCha20-Poly1305 runs its bulk cipher in OpenSSL; it must be byte-for-byte libsodium's.
TEST(AeadTest, MatchesLibsodiumXChaCha20Poly1305) {
  Random rng(11);
  for (size_t size : {0, 1, 15, 16, 63, 64, 65, 1000, 4096, 70000}) {
    const SecretBytes key = SecretBytes::Random(kAeadKeyBytes);
    const std::string plaintext = rng.Bytes(size);
    const std::string ad = rng.Bytes(size % 40);
    std::string ours;
    SealWithRandomNonce(key, plaintext, ad, &ours);
    // libsodium decrypts ours...
    std::string plain(size, '\0');
    unsigned long long plain_len = 0;
    ASSERT_EQ(crypto_aead_xchacha20poly1305_ietf_decrypt(
                  reinterpret_cast<unsigned char*>(plain.data()), &plain_len, nullptr,
                  reinterpret_cast<const unsigned char*>(ours.data()) + kAeadNonceBytes,
                  ours.size() - kAeadNonceBytes, reinterpret_cast<const unsigned char*>(ad.data()),
                  ad.size(), reinterpret_cast<const unsigned char*>(ours.data()), key.data()),
              0)
        << size;
    EXPECT_EQ(plain, plaintext);
    // ...and produces exactly our bytes for the same nonce.
    std::string theirs(size + kAeadTagBytes, '\0');
    unsigned long long theirs_len = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        reinterpret_cast<unsigned char*>(theirs.data()), &theirs_len,
        reinterpret_cast<const unsigned char*>(plaintext.data()), size,
        reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
        reinterpret_cast<const unsigned char*>(ours.data()), key.data());
    EXPECT_EQ(theirs, ours.substr(kAeadNonceBytes)) << size;
  }
}

}  // namespace
}  // namespace swarmkv
