#include "crypto/hash.h"

#include "crypto/encoding.h"
#include "gtest/gtest.h"

namespace swarmkv {
namespace {

std::string Hex(const Digest256& d) { return HexEncode(DigestView(d)); }

TEST(HashTest, Sha256KnownAnswers) {
  // FIPS 180-2 examples.
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HashTest, Blake2b256KnownAnswer) {
  // Python: hashlib.blake2b(b'abc', digest_size=32).hexdigest()
  EXPECT_EQ(Hex(Blake2b256("abc")),
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
}

TEST(HashTest, StreamingMatchesOneShotAndResets) {
  Sha256Hasher h;
  h.Update("a");
  h.Update("");
  h.Update("bc");
  EXPECT_EQ(h.Finish(), Sha256("abc"));
  h.Update("abc");
  EXPECT_EQ(h.Finish(), Sha256("abc"));
}

TEST(HashTest, KeyedBlake2bDependsOnKeyDomainAndData) {
  const SecretBytes k1(std::string(32, 'a')), k2(std::string(32, 'b'));
  const Digest256 base = KeyedBlake2b256(k1, "d", "data");
  EXPECT_EQ(base, KeyedBlake2b256(k1, "d", "data"));
  EXPECT_NE(base, KeyedBlake2b256(k2, "d", "data"));
  EXPECT_NE(base, KeyedBlake2b256(k1, "e", "data"));
  EXPECT_NE(base, KeyedBlake2b256(k1, "d", "datb"));
  // The domain is length-prefixed: moving a byte between domain and data changes the output.
  EXPECT_NE(KeyedBlake2b256(k1, "ab", "c"), KeyedBlake2b256(k1, "a", "bc"));
}

}  // namespace
}  // namespace swarmkv
