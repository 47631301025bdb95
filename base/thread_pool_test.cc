#include "base/thread_pool.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace swarmkv {
namespace {

TEST(ThreadPoolTest, RunsEveryTaskBeforeItIsDestroyed) {
  std::atomic<int> done{0};
  {
    ThreadPool pool(2);
    for (int i = 0; i < 1000; ++i) pool.Post([&] { ++done; });
  }
  EXPECT_EQ(done.load(), 1000);
}

TEST(ThreadPoolTest, TasksMayPostTasks) {
  absl::Notification finished;
  ThreadPool pool(1);
  pool.Post([&] { pool.Post([&] { finished.Notify(); }); });
  EXPECT_TRUE(finished.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

}  // namespace
}  // namespace swarmkv
