// RepublishSchedule: a sweep over the pinned roots spread over the interval, capped per round,
// carried on after a restart, and caught up (at the cap) after a long stop.
#include "replication/republish_schedule.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace swarmkv {
namespace {

constexpr absl::Duration kRepublishInterval = absl::Hours(12);
constexpr absl::Duration kRoundEvery = absl::Minutes(1);
const absl::Time kSweepStart = absl::FromUnixSeconds(1700000000);

// `count` roots in the order the store lists them.
std::vector<Cid> PinnedRoots(int count) {
  std::vector<Cid> roots;
  for (int i = 0; i < count; ++i) roots.push_back(Cid::Compute(Codec::kRaw, absl::StrCat(i)));
  std::sort(roots.begin(), roots.end());
  return roots;
}

// Plays the store's part: lists up to `due` roots after the sweep's place.
std::vector<Cid> ListAfter(const RepublishSchedule& schedule, const std::vector<Cid>& roots,
                           uint64_t due) {
  auto it = roots.begin();
  if (schedule.sweep().after.has_value()) {
    it = std::upper_bound(roots.begin(), roots.end(), *schedule.sweep().after);
  }
  std::vector<Cid> page;
  for (; it != roots.end() && page.size() < due; ++it) page.push_back(*it);
  return page;
}

// One maintenance round at `now`: the roots it announces.
std::vector<Cid> RunRound(RepublishSchedule& schedule, const std::vector<Cid>& roots,
                          absl::Time now) {
  const uint64_t due = schedule.Due(now, roots.size());
  if (due == 0) return {};
  std::vector<Cid> page = ListAfter(schedule, roots, due);
  schedule.Listed(due, page);
  return page;
}

TEST(RepublishScheduleTest, ASweepIsSpreadOverTheIntervalAndRenewsEveryRootOnce) {
  RepublishSchedule schedule(kRepublishInterval, 4096);
  const std::vector<Cid> roots = PinnedRoots(7200);  // 10 per one-minute round
  std::vector<Cid> announced;
  size_t largest_round = 0;
  for (absl::Time now = kSweepStart; now <= kSweepStart + kRepublishInterval; now += kRoundEvery) {
    std::vector<Cid> page = RunRound(schedule, roots, now);
    largest_round = std::max(largest_round, page.size());
    announced.insert(announced.end(), page.begin(), page.end());
  }
  EXPECT_EQ(announced, roots);
  EXPECT_LE(largest_round, 11u);
  // The next sweep starts one interval after the first, spread the same way.
  EXPECT_TRUE(
      RunRound(schedule, roots, kSweepStart + kRepublishInterval + absl::Seconds(1)).size() <= 1u);
  size_t second = 0;
  for (absl::Time now = kSweepStart + kRepublishInterval + kRoundEvery;
       now <= kSweepStart + 2 * kRepublishInterval; now += kRoundEvery) {
    second += RunRound(schedule, roots, now).size();
  }
  EXPECT_GE(second, roots.size() - 1);
}

TEST(RepublishScheduleTest, AnEarlyEndWaitsForTheIntervalToPass) {
  RepublishSchedule schedule(kRepublishInterval, 4096);
  std::vector<Cid> roots = PinnedRoots(100);
  size_t announced = 0;
  for (absl::Time now = kSweepStart; now <= kSweepStart + kRepublishInterval / 2;
       now += kRoundEvery) {
    announced += RunRound(schedule, roots, now).size();
  }
  EXPECT_EQ(announced, 50u);
  // Most of those not yet renewed are unpinned: the sweep is done early, and nothing more is
  // due until its interval is over.
  roots.erase(roots.begin() + 40, roots.end());
  for (absl::Time now = kSweepStart + kRepublishInterval / 2 + kRoundEvery;
       now < kSweepStart + kRepublishInterval; now += kRoundEvery) {
    EXPECT_TRUE(RunRound(schedule, roots, now).empty());
  }
  EXPECT_EQ(schedule.Due(kSweepStart + kRepublishInterval - absl::Seconds(1), roots.size()), 0u);
  // The next sweep starts when the interval is over: halfway through it, half the roots are due.
  EXPECT_EQ(schedule.Due(kSweepStart + kRepublishInterval + kRepublishInterval / 2, roots.size()),
            roots.size() / 2);
}

TEST(RepublishScheduleTest, ListingFewerThanDueEndsTheSweep) {
  RepublishSchedule schedule(kRepublishInterval, 4096);
  EXPECT_EQ(schedule.Due(kSweepStart, 20), 0u);
  // 20 pins by the store's count, but only 10 left after the sweep's place (the others were
  // pinned behind it): the sweep is at its end, and the next starts when the interval is over.
  const uint64_t due = schedule.Due(kSweepStart + kRepublishInterval, 20);
  EXPECT_EQ(due, 20u);
  schedule.Listed(due, PinnedRoots(10));
  EXPECT_TRUE(schedule.sweep().at_end);
  EXPECT_EQ(schedule.Due(kSweepStart + kRepublishInterval, 20), 0u);
  EXPECT_EQ(schedule.Due(kSweepStart + kRepublishInterval + kRepublishInterval / 2, 20), 10u);
  EXPECT_EQ(schedule.sweep().started, kSweepStart + kRepublishInterval);
  EXPECT_FALSE(schedule.sweep().after.has_value());
}

TEST(RepublishScheduleTest, ARestartCarriesOnWhereTheSweepStood) {
  const std::vector<Cid> roots = PinnedRoots(720);
  RepublishSchedule before(kRepublishInterval, 4096);
  std::vector<Cid> announced;
  absl::Time now = kSweepStart;
  for (; now < kSweepStart + kRepublishInterval / 3; now += kRoundEvery) {
    std::vector<Cid> page = RunRound(before, roots, now);
    announced.insert(announced.end(), page.begin(), page.end());
  }
  // Restarted from the saved sweep: nothing is announced twice, and the sweep still ends in time.
  RepublishSchedule after(kRepublishInterval, 4096);
  after.Restore(before.sweep());
  for (now += absl::Minutes(5); now <= kSweepStart + kRepublishInterval; now += kRoundEvery) {
    std::vector<Cid> page = RunRound(after, roots, now);
    announced.insert(announced.end(), page.begin(), page.end());
  }
  EXPECT_EQ(announced, roots);
}

TEST(RepublishScheduleTest, AfterALongStopTheSweepCatchesUpAtTheCapThenStartsAfresh) {
  const std::vector<Cid> roots = PinnedRoots(1000);
  RepublishSchedule schedule(kRepublishInterval, 300);
  EXPECT_EQ(RunRound(schedule, roots, kSweepStart).size(), 0u);  // the first sweep starts here
  // Three days later: every root is overdue, 300 a round.
  const absl::Time back = kSweepStart + absl::Hours(72);
  EXPECT_EQ(RunRound(schedule, roots, back).size(), 300u);
  EXPECT_EQ(RunRound(schedule, roots, back + kRoundEvery).size(), 300u);
  EXPECT_EQ(RunRound(schedule, roots, back + 2 * kRoundEvery).size(), 300u);
  EXPECT_EQ(RunRound(schedule, roots, back + 3 * kRoundEvery).size(), 100u);
  // The sweep is done; the next starts now, spread over the interval again.
  EXPECT_LE(RunRound(schedule, roots, back + 4 * kRoundEvery).size(), 1u);
  EXPECT_EQ(schedule.sweep().started, back + 4 * kRoundEvery);
}

}  // namespace
}  // namespace swarmkv
