#include "base/clock.h"

#include "gtest/gtest.h"

namespace swarmkv {
namespace {

TEST(SimulatedClockTest, MovesOnlyWhenTold) {
  SimulatedClock clock(absl::FromUnixSeconds(100));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(100));
  clock.Advance(absl::Seconds(5));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(105));
  clock.AdvanceTo(absl::FromUnixSeconds(200));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(200));
}

TEST(RealClockTest, IsCloseToTheSystemTime) {
  const absl::Duration diff = RealClock::Instance().Now() - absl::Now();
  EXPECT_LT(absl::AbsDuration(diff), absl::Seconds(5));
}

}  // namespace
}  // namespace swarmkv
