#include "node/housekeeper.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "base/logging.h"

namespace swarmkv {
namespace {
// How often the loop looks at the routing table between rounds.
constexpr absl::Duration kTick = absl::Seconds(1);
constexpr absl::Duration kMaxBootstrapBackoff = absl::Seconds(60);
// Table changes bring a round forward, but no closer than this to the last one, so constant
// churn in a large swarm does not turn maintenance into a busy loop.
constexpr absl::Duration kMinGapBetweenRounds = absl::Seconds(10);
// The scrub's first slice comes this long after the start (or a pass interval, when shorter):
// a node that just started has better things to do with its disk.
constexpr absl::Duration kFirstScrubDelay = absl::Minutes(1);
// Blocks named to GC as not this node's to keep, at most (about 10 MiB of CIDs).
constexpr size_t kMaxEvictionCandidates = 1 << 18;
}  // namespace

Housekeeper::Housekeeper(EventLoop& loop, Executor& executor, BlockStore& store, Swarm* swarm,
                         std::vector<BootstrapEntry> bootstrap, absl::Duration interval)
    : loop_(loop),
      executor_(executor),
      store_(store),
      swarm_(swarm),
      bootstrap_(std::move(bootstrap)),
      interval_(interval),
      next_round_(loop.clock().Now() + interval),
      last_size_(swarm != nullptr ? swarm->Peers().size() : 0),
      saved_table_version_(swarm != nullptr ? swarm->routing_table_version() : 0) {}

void Housekeeper::Start() {
  ScheduleTick(absl::ZeroDuration());
  if (scrubber_ != nullptr && scrubber_->options().pass_interval > absl::ZeroDuration()) {
    ScheduleScrub(std::min(kFirstScrubDelay, scrubber_->options().pass_interval));
  }
}

void Housekeeper::ScheduleScrub(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || delay == absl::InfiniteDuration()) return;
  scrub_tick_ = loop_.RunAfter(delay, lifeline_.Guard([this] {
    // A slice reads the disk: on the executor, like the rest of the store's upkeep.
    executor_.Post(lifeline_.Guard([this] { ScheduleScrub(scrubber_->Slice()); }));
  }));
}

void Housekeeper::ScheduleTick(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  tick_ = loop_.RunAfter(delay, lifeline_.Guard([this] { Tick(); }));
}

void Housekeeper::RequestStop() {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  stopping_ = true;
  loop_.Cancel(tick_);
  loop_.Cancel(membership_tick_);
  loop_.Cancel(scrub_tick_);
  store_.CancelReclaim();  // a reclaim of a big store may run for minutes; do not wait for it
}

void Housekeeper::Stop() {
  RequestStop();
  lifeline_.Close();
}

Housekeeper::Round Housekeeper::Due(absl::Time now, size_t peers) {
  Round round;
  if (swarm_ == nullptr) {
    round.collect = now >= next_round_;
    return round;
  }
  const absl::Duration min_gap = std::min(interval_, kMinGapBetweenRounds);
  round.maintain = now >= next_round_ || (peers != last_size_ && now - last_round_ >= min_gap);
  round.bootstrap = !bootstrap_.empty() && ((peers == 0 && now >= next_bootstrap_) ||
                                            (round.maintain && now >= next_round_));
  // A bootstrap that fills the table brings a round forward by itself (the size changed).
  round.collect = round.maintain;
  return round;
}

void Housekeeper::SaveTableIfChanged() {
  if (swarm_ == nullptr) return;
  const uint64_t version = swarm_->routing_table_version();
  if (version == saved_table_version_) return;
  saved_table_version_ = version;
  executor_.Post(lifeline_.Guard([this] {
    absl::Status saved = swarm_->SaveRoutingTable();
    if (!saved.ok()) LogEvent(LogLevel::kWarn, "swarm.save_failed", {{"status", saved}});
  }));
}

void Housekeeper::Tick() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
  }
  SaveTableIfChanged();
  const absl::Time now = loop_.clock().Now();
  const Round round = Due(now, swarm_ != nullptr ? swarm_->Peers().size() : 0);
  if (!round.bootstrap && !round.maintain && !round.collect) {
    ScheduleTick(kTick);
    return;
  }
  if (round.maintain) last_round_ = now;
  if (swarm_ == nullptr) next_round_ = now + interval_;
  round_running_ = true;
  if (swarm_ != nullptr) ScheduleMembershipRefresh();
  StartBootstrap(round);
}

void Housekeeper::ScheduleMembershipRefresh() {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  membership_tick_ = loop_.RunAfter(interval_, lifeline_.Guard([this] { RefreshMembership(); }));
}

void Housekeeper::RefreshMembership() {
  if (!round_running_ || membership_running_) return;
  membership_running_ = true;
  auto refresh = [this](size_t) {
    swarm_->RefreshMembershipAsync(lifeline_.Guard<size_t>([this](size_t revived) {
      loop_.Post(lifeline_.Guard([this, revived] {
        membership_running_ = false;
        LogEvent(LogLevel::kDebug, "swarm.membership_refreshed",
                 {{"revived", static_cast<uint64_t>(revived)},
                  {"peers", static_cast<uint64_t>(swarm_->Peers().size())}});
        if (round_running_) ScheduleMembershipRefresh();
      }));
    }));
  };
  if (bootstrap_.empty()) return refresh(0);
  swarm_->BootstrapAsync(bootstrap_, lifeline_.Guard<size_t>(refresh));
}

void Housekeeper::StartBootstrap(Round round) {
  if (!round.bootstrap) return StartMaintenance(round, Outcome{});
  // Info when it joins the node to a swarm, warn when it fails to; the periodic re-run beside a
  // full table is routine (debug).
  const bool joining = swarm_->Peers().empty();
  swarm_->BootstrapAsync(bootstrap_,
                         lifeline_.Guard<size_t>([this, round, joining](size_t answered) {
                           LogEvent(!joining       ? LogLevel::kDebug
                                    : answered > 0 ? LogLevel::kInfo
                                                   : LogLevel::kWarn,
                                    "swarm.bootstrap",
                                    {{"answered", static_cast<uint64_t>(answered)},
                                     {"entries", static_cast<uint64_t>(bootstrap_.size())},
                                     {"peers", static_cast<uint64_t>(swarm_->Peers().size())}});
                           StartMaintenance(round, Outcome{answered, 0});
                         }));
}

void Housekeeper::StartMaintenance(Round round, Outcome outcome) {
  auto next = [this, round, outcome] {
    executor_.Post(lifeline_.Guard([this, round, outcome] { FinishRound(round, outcome); }));
  };
  if (!round.maintain) return next();
  swarm_->MaintainAsync(lifeline_.Guard<MaintenanceReport>([this, next](MaintenanceReport report) {
    const bool eventful =
        report.pushed + report.dropped + report.push_failures + report.drops_unproven > 0;
    LogEvent(eventful ? LogLevel::kInfo : LogLevel::kDebug, "swarm.maintenance",
             {{"revived", report.dormant_revived},
              {"blocks", report.blocks_checked},
              {"settled", report.blocks_settled},
              {"pushed", report.pushed},
              {"push_failures", report.push_failures},
              {"dropped", report.dropped},
              {"unproven", report.drops_unproven},
              {"announced", report.providers_announced},
              {"peers", static_cast<uint64_t>(swarm_->Peers().size())}});
    swarm_->MaintainRecordsAsync(
        lifeline_.Guard<RecordMaintenanceReport>([next](RecordMaintenanceReport records) {
          const bool eventful = records.expired + records.pushed + records.handed_off > 0;
          LogEvent(eventful ? LogLevel::kInfo : LogLevel::kDebug, "records.maintenance",
                   {{"records", records.records},
                    {"expired", records.expired},
                    {"pushed", records.pushed},
                    {"push_failures", records.push_failures},
                    {"handed_off", records.handed_off}});
          next();
        }));
  }));
}

void Housekeeper::FinishRound(Round round, Outcome outcome) {
  if (round.maintain && records_ != nullptr) {
    absl::StatusOr<size_t> republished = records_->RepublishDue();
    if (!republished.ok() || *republished > 0) {
      LogEvent(republished.ok() ? LogLevel::kInfo : LogLevel::kWarn, "records.republished",
               {{"records", static_cast<uint64_t>(republished.value_or(0))},
                {"status", republished.status().ToString()}});
    }
  }
  // The table a round changed is saved by the next tick, like any other change.
  if (round.collect) CollectGarbage();
  outcome.peers = swarm_ != nullptr ? swarm_->Peers().size() : 0;
  loop_.Post(lifeline_.Guard([this, round, outcome] { RoundDone(round, outcome); }));
}

void Housekeeper::RoundDone(Round round, Outcome outcome) {
  const absl::Time now = loop_.clock().Now();
  round_running_ = false;
  {
    absl::MutexLock lock(&mu_);
    loop_.Cancel(membership_tick_);
  }
  if (round.bootstrap) {
    next_bootstrap_ = now + backoff_;
    backoff_ = outcome.bootstrap_answered > 0 ? absl::Seconds(1)
                                              : std::min(backoff_ * 2, kMaxBootstrapBackoff);
  }
  if (round.maintain) {
    last_size_ = outcome.peers;
    next_round_ = now + interval_;
  }
  ScheduleTick(kTick);
}

void Housekeeper::CollectGarbage() {
  // Over the quota, the blocks this node is not responsible for go first (issue 15 finding 2:
  // junk stored by peers made GC delete honest replicas).
  const uint64_t quota = store_.options().quota_bytes;
  absl::flat_hash_set<Cid> not_responsible;
  if (swarm_ != nullptr && quota != 0 && store_.Stats().stored_bytes > quota) {
    std::optional<Cid> after;
    while (not_responsible.size() < kMaxEvictionCandidates) {
      absl::StatusOr<std::vector<Cid>> page =
          store_.ListBlocks(after.has_value() ? &*after : nullptr, 4096);
      if (!page.ok() || page->empty()) break;
      after = page->back();
      for (const Cid& cid : *page) {
        if (!swarm_->IsResponsible(cid)) not_responsible.insert(cid);
      }
    }
  }
  // Returns at once under the quota (or with none); the store logs what it deletes.
  absl::StatusOr<GcResult> gc =
      store_.CollectGarbage(not_responsible.empty() ? nullptr : &not_responsible);
  if (!gc.ok()) LogEvent(LogLevel::kWarn, "store.gc_failed", {{"status", gc.status()}});
  // Deletions (these, and maintenance's hand-offs) leave garbage in the blob files; the store
  // copies the live blocks out once there is enough of it.
  absl::StatusOr<uint64_t> reclaimed = store_.ReclaimSpace();
  if (!reclaimed.ok()) {
    LogEvent(LogLevel::kWarn, "store.reclaim_failed", {{"status", reclaimed.status()}});
  }
}

}  // namespace swarmkv
