#include "base/random.h"

#include <set>

#include "gtest/gtest.h"

namespace swarmkv {
namespace {

TEST(RandomTest, SameSeedSameSequence) {
  Random a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t va = a.Next();
    EXPECT_EQ(va, b.Next());
    differs |= va != c.Next();
  }
  EXPECT_TRUE(differs);
}

TEST(RandomTest, KnownFirstValueOfMt19937_64) {
  // std::mt19937_64 with the default seed 5489 yields this as its 10000th value (C++ standard
  // [rand.predef]); seeding is specified exactly, so sequences are portable.
  Random r(5489);
  uint64_t v = 0;
  for (int i = 0; i < 10000; ++i) v = r.Next();
  EXPECT_EQ(v, 9981545732273789042ULL);
}

TEST(RandomTest, UniformStaysInRangeAndCoversIt) {
  Random r(7);
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t v = r.Uniform(10);
    ASSERT_LT(v, 10u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 10u);
  for (int i = 0; i < 1000; ++i) {
    const double d = r.UniformDouble();
    ASSERT_GE(d, 0.0);
    ASSERT_LT(d, 1.0);
  }
}

TEST(RandomTest, BytesAreDeterministic) {
  Random a(1), b(1);
  EXPECT_EQ(a.Bytes(13), b.Bytes(13));
  EXPECT_EQ(a.Bytes(0), "");
}

}  // namespace
}  // namespace swarmkv
