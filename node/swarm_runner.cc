#include "node/swarm_runner.h"

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

SwarmRunner::SwarmRunner(Swarm& swarm, std::vector<BootstrapEntry> bootstrap,
                         absl::Duration interval)
    : swarm_(swarm), bootstrap_(std::move(bootstrap)), interval_(interval) {
  thread_ = std::thread([this] { Run(); });
}

void SwarmRunner::RequestStop() {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  stopping_ = true;
  // Saved now, while every contact is still in the table: a round still running may fail its
  // requests as the node shuts down, and would drop live peers from it.
  absl::Status saved = swarm_.SaveRoutingTable();
  if (!saved.ok()) LogEvent(LogLevel::kWarn, "swarm.save_failed", {{"status", saved}});
}

void SwarmRunner::Stop() {
  RequestStop();
  if (thread_.joinable()) thread_.join();
}

bool SwarmRunner::Stopping() {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

bool SwarmRunner::WaitFor(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&stopping_), d);
  return !stopping_;
}

void SwarmRunner::Run() {
  absl::Duration backoff = absl::Seconds(1);
  absl::Time next_bootstrap = absl::InfinitePast();
  absl::Time next_round = absl::Now() + interval_;
  absl::Time last_round = absl::InfinitePast();
  const absl::Duration min_gap = std::min(interval_, kMinGapBetweenRounds);
  size_t last_size = swarm_.Peers().size();
  for (;;) {
    const absl::Time now = absl::Now();
    if (!bootstrap_.empty() && swarm_.Peers().empty() && now >= next_bootstrap) {
      const size_t answered = swarm_.Bootstrap(bootstrap_);
      LogEvent(answered > 0 ? LogLevel::kInfo : LogLevel::kWarn, "swarm.bootstrap",
               {{"answered", static_cast<uint64_t>(answered)},
                {"entries", static_cast<uint64_t>(bootstrap_.size())},
                {"peers", static_cast<uint64_t>(swarm_.Peers().size())}});
      next_bootstrap = now + backoff;
      backoff = answered > 0 ? absl::Seconds(1) : std::min(backoff * 2, kMaxBootstrapBackoff);
    }
    const size_t size = swarm_.Peers().size();
    if (now >= next_round || (size != last_size && now - last_round >= min_gap)) {
      last_round = now;
      const MaintenanceReport report = swarm_.Maintain();
      last_size = swarm_.Peers().size();
      next_round = absl::Now() + interval_;
      LogEvent(report.pushed + report.dropped + report.push_failures > 0 ? LogLevel::kInfo
                                                                         : LogLevel::kDebug,
               "swarm.maintenance",
               {{"blocks", report.blocks_checked},
                {"pushed", report.pushed},
                {"push_failures", report.push_failures},
                {"dropped", report.dropped},
                {"announced", report.providers_announced},
                {"peers", static_cast<uint64_t>(last_size)}});
      if (Stopping()) return;  // the table was saved when the stop was asked for
      absl::Status saved = swarm_.SaveRoutingTable();
      if (!saved.ok()) LogEvent(LogLevel::kWarn, "swarm.save_failed", {{"status", saved}});
    }
    if (!WaitFor(kTick)) return;
  }
}

}  // namespace swarmkv
