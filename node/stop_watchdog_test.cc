#include "node/stop_watchdog.h"

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace swarmkv {
namespace {

TEST(StopWatchdogDeathTest, AStopThatHangsEndsTheProcessNamingTheStep) {
  EXPECT_EXIT(
      {
        StopWatchdog watchdog(absl::Milliseconds(50));
        watchdog.Step("stopping the API server");
        absl::SleepFor(absl::Seconds(30));  // the hang; the watchdog ends it long before
      },
      ::testing::ExitedWithCode(3), "daemon.stop_overdue step=\"stopping the API server\"");
}

TEST(StopWatchdogTest, AStopThatFinishesInTimeIsLeftAlone) {
  const absl::Time start = absl::Now();
  {
    StopWatchdog watchdog(absl::Seconds(30));
    watchdog.Step("saving the routing table");
  }  // disarmed at once, not at the limit
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

}  // namespace
}  // namespace swarmkv
