#include "base/event_loop.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "base/scoped_event_loop.h"
#include "base/virtual_event_loop.h"
#include "gtest/gtest.h"

namespace swarmkv {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'000'000);

TEST(VirtualEventLoopTest, RunsByDueTimeThenInOrderOfPosting) {
  VirtualEventLoop loop(kStart);
  std::string order;
  loop.RunAfter(absl::Seconds(2), [&] { order += "c"; });
  loop.RunAfter(absl::Seconds(1), [&] { order += "a"; });
  loop.RunAfter(absl::Seconds(1), [&] { order += "b"; });
  loop.Post([&] { order += "0"; });
  EXPECT_EQ(loop.RunUntilIdle(), 4u);
  EXPECT_EQ(order, "0abc");
  EXPECT_EQ(loop.now(), kStart + absl::Seconds(2));
}

TEST(VirtualEventLoopTest, TimeMovesToEachTaskAndThenToTheEnd) {
  VirtualEventLoop loop(kStart);
  std::vector<absl::Time> seen;
  loop.RunAfter(absl::Seconds(3), [&] { seen.push_back(loop.now()); });
  loop.RunAfter(absl::Seconds(30), [&] { seen.push_back(loop.now()); });
  EXPECT_EQ(loop.RunFor(absl::Seconds(10)), 1u);
  EXPECT_EQ(seen, std::vector<absl::Time>{kStart + absl::Seconds(3)});
  EXPECT_EQ(loop.now(), kStart + absl::Seconds(10));
  EXPECT_EQ(loop.NextDue(), kStart + absl::Seconds(30));
  EXPECT_EQ(loop.RunFor(absl::Seconds(20)), 1u);
  EXPECT_EQ(seen.back(), kStart + absl::Seconds(30));
}

TEST(VirtualEventLoopTest, CancelledTimersNeverRun) {
  VirtualEventLoop loop(kStart);
  int ran = 0;
  const TimerId a = loop.RunAfter(absl::Seconds(1), [&] { ran += 1; });
  loop.RunAfter(absl::Seconds(2), [&] { ran += 10; });
  EXPECT_TRUE(loop.Cancel(a));
  EXPECT_FALSE(loop.Cancel(a));
  EXPECT_FALSE(loop.Cancel(0));
  EXPECT_EQ(loop.pending(), 1u);
  loop.RunUntilIdle();
  EXPECT_EQ(ran, 10);
}

TEST(VirtualEventLoopTest, TasksScheduleTasksAndAPastDeadlineRunsNow) {
  VirtualEventLoop loop(kStart);
  std::vector<int> order;
  loop.RunAfter(absl::Seconds(5), [&] {
    order.push_back(1);
    loop.RunAt(kStart, [&] { order.push_back(2); });  // in the past: runs next, time stays
    loop.RunAfter(absl::Seconds(1), [&] { order.push_back(3); });
  });
  loop.RunUntilIdle();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(loop.now(), kStart + absl::Seconds(6));
}

TEST(VirtualEventLoopTest, RunUntilIdleStopsAtItsBudget) {
  VirtualEventLoop loop(kStart);
  int ticks = 0;
  std::function<void()> tick = [&] {
    ++ticks;
    loop.RunAfter(absl::Seconds(1), tick);  // periodic: the loop never goes idle
  };
  loop.Post(tick);
  EXPECT_EQ(loop.RunUntilIdle(100), 100u);
  EXPECT_EQ(ticks, 100);
}

TEST(VirtualEventLoopTest, AwaitRunsTheLoopUntilTheAnswerIsThere) {
  VirtualEventLoop loop(kStart);
  absl::Notification answered;
  loop.RunAfter(absl::Seconds(7), [&] { answered.Notify(); });
  loop.RunAfter(absl::Seconds(9), [] {});
  EXPECT_TRUE(loop.Await(answered));
  EXPECT_EQ(loop.now(), kStart + absl::Seconds(7));  // no further than needed
  absl::Notification never;
  EXPECT_FALSE(loop.Await(never));  // out of tasks: it cannot come
}

TEST(ScopedEventLoopTest, AClosedScopeRunsNoneOfItsTasks) {
  VirtualEventLoop loop(kStart);
  std::string order;
  {
    ScopedEventLoop node(loop);
    node.RunAfter(absl::Seconds(1), [&] { order += "a"; });
    node.RunAfter(absl::Seconds(3), [&] { order += "x"; });
    loop.RunAfter(absl::Seconds(2), [&] { order += "b"; });
    loop.RunFor(absl::Seconds(2));
  }  // the node is gone; its timer at 3 s is still queued on the loop
  loop.RunAfter(absl::Seconds(2), [&] { order += "c"; });
  loop.RunUntilIdle();
  EXPECT_EQ(order, "abc");
}

TEST(RealEventLoopTest, AwaitWaitsForTheLoopAndGivesUpWhenItStops) {
  RealEventLoop loop;
  absl::Notification answered;
  loop.RunAfter(absl::Milliseconds(10), [&] { answered.Notify(); });
  EXPECT_TRUE(loop.Await(answered));
  absl::Notification never;
  std::thread stopper([&] { loop.Stop(); });
  EXPECT_FALSE(loop.Await(never));
  stopper.join();
  EXPECT_FALSE(loop.Post([] {}));
}

TEST(RealEventLoopTest, RunsPostedTasksInOrderOnItsOwnThread) {
  RealEventLoop loop;
  std::vector<int> order;
  std::atomic<bool> on_loop{true};
  absl::Notification done;
  for (int i = 0; i < 100; ++i) {
    loop.Post([&, i] {
      if (!loop.InLoopThread()) on_loop = false;
      order.push_back(i);
      if (i == 99) done.Notify();
    });
  }
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(on_loop);
  EXPECT_FALSE(loop.InLoopThread());
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
}

TEST(RealEventLoopTest, ASoonerTimerWakesALoopSleepingUntilALaterOne) {
  RealEventLoop loop;
  absl::Notification late, soon;
  loop.RunAfter(absl::Hours(1), [&] { late.Notify(); });
  // Let the loop go to sleep until the hour-long timer first.
  absl::Notification asleep;
  loop.Post([&] { asleep.Notify(); });
  ASSERT_TRUE(asleep.WaitForNotificationWithTimeout(absl::Seconds(10)));
  const absl::Time set = absl::Now();
  loop.RunAfter(absl::Milliseconds(20), [&] { soon.Notify(); });
  ASSERT_TRUE(soon.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_GE(absl::Now() - set, absl::Milliseconds(20));
  EXPECT_FALSE(late.HasBeenNotified());
}

TEST(RealEventLoopTest, CancelAndStopDropWhatIsPending) {
  auto loop = std::make_unique<RealEventLoop>();
  std::atomic<int> ran{0};
  // Hold the loop thread so that the 1 ms timer cannot fire before Cancel,
  // however slowly this thread runs (sanitizers, a loaded machine).
  absl::Notification holding, release;
  loop->Post([&] {
    holding.Notify();
    release.WaitForNotification();
  });
  ASSERT_TRUE(holding.WaitForNotificationWithTimeout(absl::Seconds(10)));
  const TimerId id = loop->RunAfter(absl::Milliseconds(1), [&] { ran += 1; });
  EXPECT_TRUE(loop->Cancel(id));
  release.Notify();
  loop->RunAfter(absl::Hours(1), [&] { ran += 10; });
  absl::Notification flushed;
  loop->RunAfter(absl::Milliseconds(5), [&] { flushed.Notify(); });
  ASSERT_TRUE(flushed.WaitForNotificationWithTimeout(absl::Seconds(10)));
  loop->Stop();
  EXPECT_EQ(loop->RunAfter(absl::ZeroDuration(), [&] { ran += 100; }), 0u);
  loop.reset();
  EXPECT_EQ(ran.load(), 0);
}

}  // namespace
}  // namespace swarmkv
