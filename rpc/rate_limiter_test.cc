#include "rpc/rate_limiter.h"

#include "gtest/gtest.h"

namespace swarmkv {
namespace {

TEST(PeerRateLimiterTest, BurstThenSteadyRatePerPeer) {
  PeerRateLimits limits;
  limits.requests = {10, 20};
  limits.bytes = {1000, 1000};
  PeerRateLimiter limiter(limits);
  const NodeId a = Identity::Generate().node_id();
  const NodeId b = Identity::Generate().node_id();
  const absl::Time t0 = absl::UnixEpoch();
  int allowed = 0;
  for (int i = 0; i < 50; ++i) allowed += limiter.Allow(a, 0, t0);
  EXPECT_EQ(allowed, 20);
  EXPECT_TRUE(limiter.Allow(b, 0, t0));  // another peer has its own bucket
  EXPECT_FALSE(limiter.Allow(a, 0, t0 + absl::Milliseconds(50)));
  EXPECT_TRUE(limiter.Allow(a, 0, t0 + absl::Milliseconds(150)));
  // Bytes: one request over the whole bucket never passes.
  EXPECT_FALSE(limiter.Allow(b, 5000, t0 + absl::Seconds(10)));
  EXPECT_TRUE(limiter.Allow(b, 900, t0 + absl::Seconds(10)));
}

TEST(PeerRateLimiterTest, ARefusalSaysHowLongToWait) {
  PeerRateLimits limits;
  limits.requests = {10, 2};
  limits.bytes = {1000, 2000};
  PeerRateLimiter limiter(limits);
  const NodeId a = Identity::Generate().node_id();
  const absl::Time t0 = absl::UnixEpoch();
  EXPECT_EQ(limiter.Charge(a, 0, t0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Charge(a, 0, t0), absl::ZeroDuration());
  // One request comes back every 100 ms.
  const absl::Duration wait = limiter.Charge(a, 0, t0);
  EXPECT_EQ(wait, absl::Milliseconds(100));
  EXPECT_GT(limiter.Charge(a, 0, t0 + wait - absl::Milliseconds(1)), absl::ZeroDuration());
  EXPECT_EQ(limiter.Charge(a, 0, t0 + wait), absl::ZeroDuration());
  // Bytes: the longer of the two waits; over the burst, never.
  const NodeId b = Identity::Generate().node_id();
  EXPECT_EQ(limiter.Charge(b, 2000, t0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Charge(b, 500, t0), absl::Milliseconds(500));
  EXPECT_EQ(limiter.Charge(b, 2001, t0 + absl::Hours(1)), absl::InfiniteDuration());
}

TEST(PeerRateLimiterTest, TrackedPeersAreBounded) {
  PeerRateLimits limits;
  limits.max_peers = 3;
  PeerRateLimiter limiter(limits);
  const absl::Time t0 = absl::UnixEpoch();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow(Identity::Generate().node_id(), 0, t0));
  EXPECT_FALSE(limiter.Allow(Identity::Generate().node_id(), 0, t0));
  // Once the others have been idle long enough, newcomers get in.
  EXPECT_TRUE(limiter.Allow(Identity::Generate().node_id(), 0, t0 + absl::Minutes(10)));
}

}  // namespace
}  // namespace swarmkv
