#include "base/lifeline.h"

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace swarmkv {
namespace {

TEST(LifelineTest, GuardedTasksRunWhileOpenAndNeverAfterClose) {
  int ran = 0;
  std::function<void()> task;
  {
    Lifeline line;
    line.Guard([&] { ++ran; })();
    task = line.Guard([&] { ran += 10; });
  }  // closed: the owner is gone, its task still queued
  task();
  EXPECT_EQ(ran, 1);
}

TEST(LifelineTest, CloseWaitsForATaskAlreadyRunning) {
  auto line = std::make_unique<Lifeline>();
  absl::Notification started, release;
  std::atomic<bool> finished{false};
  std::thread worker(line->Guard([&] {
    started.Notify();
    release.WaitForNotification();
    finished = true;
  }));
  started.WaitForNotification();
  std::thread closer([&] {
    line->Close();
    EXPECT_TRUE(finished);  // Close returned only after the task ended
  });
  release.Notify();
  closer.join();
  worker.join();
  EXPECT_TRUE(line->closed());
}

}  // namespace
}  // namespace swarmkv
