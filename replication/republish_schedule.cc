#include "replication/republish_schedule.h"

#include <algorithm>
#include <cmath>

namespace swarmkv {

uint64_t RepublishSchedule::Due(absl::Time now, uint64_t pinned_roots) {
  if (sweep_.started == absl::InfinitePast()) sweep_.started = now;
  const bool interval_over = now >= sweep_.started + interval_;
  if (interval_over && (sweep_.at_end || sweep_.listed >= pinned_roots)) StartNext(now);
  if (sweep_.at_end || now < sweep_.started) return 0;
  const double share = std::min(1.0, absl::FDivDuration(now - sweep_.started, interval_));
  const auto target = static_cast<uint64_t>(std::ceil(share * static_cast<double>(pinned_roots)));
  if (target <= sweep_.listed) return 0;
  return std::min(target - sweep_.listed, max_per_round_);
}

void RepublishSchedule::Listed(uint64_t due, const std::vector<Cid>& roots) {
  sweep_.listed += roots.size();
  if (!roots.empty()) sweep_.after = roots.back();
  if (roots.size() < due) sweep_.at_end = true;
}

void RepublishSchedule::StartNext(absl::Time now) {
  // Back to back while on time; from now after a stop longer than a whole interval.
  absl::Time next = sweep_.started + interval_;
  if (next + interval_ <= now) next = now;
  sweep_ = RepublishSweep{next, std::nullopt, 0, false};
}

}  // namespace swarmkv
