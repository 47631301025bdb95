#include "rpc/rate_limiter.h"

#include <algorithm>

namespace swarmkv {

absl::Duration PeerRateLimiter::Charge(const NodeId& peer, uint64_t bytes, absl::Time now) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) {
    if (peers_.size() >= limits_.max_peers) {
      // Forget peers whose buckets are full again: they have been idle long enough.
      const absl::Duration idle =
          absl::Seconds(std::max(limits_.requests.burst / limits_.requests.per_second,
                                 limits_.bytes.burst / limits_.bytes.per_second));
      for (auto p = peers_.begin(); p != peers_.end();) {
        if (now - p->second.updated >= idle) {
          peers_.erase(p++);
        } else {
          ++p;
        }
      }
      if (peers_.size() >= limits_.max_peers) return absl::InfiniteDuration();
    }
    it = peers_.emplace(peer, Buckets{limits_.requests.burst, limits_.bytes.burst, now}).first;
  }
  Buckets& b = it->second;
  const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - b.updated));
  b.requests = std::min(limits_.requests.burst, b.requests + elapsed * limits_.requests.per_second);
  b.bytes = std::min(limits_.bytes.burst, b.bytes + elapsed * limits_.bytes.per_second);
  b.updated = now;
  const double wanted_bytes = static_cast<double>(bytes);
  if (b.requests < 1 || b.bytes < wanted_bytes) {
    if (wanted_bytes > limits_.bytes.burst) return absl::InfiniteDuration();
    // Until both buckets hold enough again.
    const double wait_s = std::max((1 - b.requests) / limits_.requests.per_second,
                                   (wanted_bytes - b.bytes) / limits_.bytes.per_second);
    return std::max(absl::Seconds(wait_s), absl::Microseconds(1));
  }
  b.requests -= 1;
  b.bytes -= wanted_bytes;
  return absl::ZeroDuration();
}

}  // namespace swarmkv
