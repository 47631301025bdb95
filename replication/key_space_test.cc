#include "replication/key_space.h"

#include "gtest/gtest.h"

namespace swarmkv {
namespace {

DhtKey KeyWithFirstByte(uint8_t b) {
  DhtKey k{};
  k[0] = b;
  return k;
}

TEST(KeySpaceTest, CommonPrefixLength) {
  const DhtKey zero{};
  EXPECT_EQ(CommonPrefixLength(zero, zero), 256);
  EXPECT_EQ(CommonPrefixLength(zero, KeyWithFirstByte(0x80)), 0);
  EXPECT_EQ(CommonPrefixLength(zero, KeyWithFirstByte(0x01)), 7);
  DhtKey last{};
  last[31] = 1;
  EXPECT_EQ(CommonPrefixLength(zero, last), 255);
}

TEST(KeySpaceTest, DistanceAndCloser) {
  const DhtKey a = KeyWithFirstByte(0x0f), b = KeyWithFirstByte(0xf0), t{};
  EXPECT_EQ(Distance(a, b), Distance(b, a));
  EXPECT_EQ(Distance(a, a), DhtKey{});
  EXPECT_TRUE(Closer(t, a, b));
  EXPECT_FALSE(Closer(t, b, a));
  EXPECT_FALSE(Closer(t, a, a));
}

}  // namespace
}  // namespace swarmkv
