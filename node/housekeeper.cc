#include "node/housekeeper.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"
#include "base/logging.h"

namespace swarmkv {
namespace {
// How often the loop looks at the routing table between rounds.
constexpr absl::Duration kTick = absl::Seconds(1);
constexpr absl::Duration kMaxBootstrapBackoff = absl::Seconds(60);
// Table changes bring a round forward, but no closer than this to the last one, so constant
// churn in a large swarm does not turn maintenance into a busy loop.
constexpr absl::Duration kMinGapBetweenRounds = absl::Seconds(10);
}  // namespace

Housekeeper::Housekeeper(BlockStore& store, Swarm* swarm, std::vector<BootstrapEntry> bootstrap,
                         absl::Duration interval)
    : store_(store),
      swarm_(swarm),
      bootstrap_(std::move(bootstrap)),
      interval_(interval),
      next_round_(absl::Now() + interval),
      last_size_(swarm != nullptr ? swarm->Peers().size() : 0) {
  thread_ = std::thread([this] { Run(); });
}

void Housekeeper::RequestStop() {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  stopping_ = true;
  store_.CancelReclaim();  // a reclaim of a big store may run for minutes; do not wait for it
  if (swarm_ == nullptr) return;
  // Saved now, while every contact is still in the table: a round still running may fail its
  // requests as the node shuts down, and would drop live peers from it.
  absl::Status saved = swarm_->SaveRoutingTable();
  if (!saved.ok()) LogEvent(LogLevel::kWarn, "swarm.save_failed", {{"status", saved}});
}

void Housekeeper::Stop() {
  RequestStop();
  if (thread_.joinable()) thread_.join();
}

bool Housekeeper::Stopping() {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

bool Housekeeper::WaitFor(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&stopping_), d);
  return !stopping_;
}

void Housekeeper::Run() {
  for (;;) {
    const absl::Time now = absl::Now();
    bool round = false;
    if (swarm_ != nullptr) {
      round = TendSwarm(now);
    } else if (now >= next_round_) {
      round = true;
      next_round_ = now + interval_;
    }
    if (Stopping()) return;
    if (round) CollectGarbage();
    if (!WaitFor(kTick)) return;
  }
}

bool Housekeeper::TendSwarm(absl::Time now) {
  if (!bootstrap_.empty() && swarm_->Peers().empty() && now >= next_bootstrap_) {
    const size_t answered = swarm_->Bootstrap(bootstrap_);
    LogEvent(answered > 0 ? LogLevel::kInfo : LogLevel::kWarn, "swarm.bootstrap",
             {{"answered", static_cast<uint64_t>(answered)},
              {"entries", static_cast<uint64_t>(bootstrap_.size())},
              {"peers", static_cast<uint64_t>(swarm_->Peers().size())}});
    next_bootstrap_ = now + backoff_;
    backoff_ = answered > 0 ? absl::Seconds(1) : std::min(backoff_ * 2, kMaxBootstrapBackoff);
  }
  const size_t size = swarm_->Peers().size();
  const absl::Duration min_gap = std::min(interval_, kMinGapBetweenRounds);
  if (now < next_round_ && (size == last_size_ || now - last_round_ < min_gap)) return false;
  last_round_ = now;
  const MaintenanceReport report = swarm_->Maintain();
  last_size_ = swarm_->Peers().size();
  next_round_ = absl::Now() + interval_;
  LogEvent(report.pushed + report.dropped + report.push_failures > 0 ? LogLevel::kInfo
                                                                     : LogLevel::kDebug,
           "swarm.maintenance",
           {{"blocks", report.blocks_checked},
            {"pushed", report.pushed},
            {"push_failures", report.push_failures},
            {"dropped", report.dropped},
            {"announced", report.providers_announced},
            {"peers", static_cast<uint64_t>(last_size_)}});
  if (Stopping()) return true;  // the table was saved when the stop was asked for
  absl::Status saved = swarm_->SaveRoutingTable();
  if (!saved.ok()) LogEvent(LogLevel::kWarn, "swarm.save_failed", {{"status", saved}});
  return true;
}

void Housekeeper::CollectGarbage() {
  // Returns at once under the quota (or with none); the store logs what it deletes.
  absl::StatusOr<GcResult> gc = store_.CollectGarbage();
  if (!gc.ok()) LogEvent(LogLevel::kWarn, "store.gc_failed", {{"status", gc.status()}});
  // Deletions (these, and maintenance's hand-offs) leave garbage in the blob files; the store
  // copies the live blocks out once there is enough of it.
  absl::StatusOr<uint64_t> reclaimed = store_.ReclaimSpace();
  if (!reclaimed.ok()) {
    LogEvent(LogLevel::kWarn, "store.reclaim_failed", {{"status", reclaimed.status()}});
  }
}

}  // namespace swarmkv
