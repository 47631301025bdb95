// PeerRateLimiter: token buckets per peer, for requests and for bytes received, so no one peer
// can take more than its share of a node (DESIGN §5: "size and rate limits per peer"). Pure:
// `now` is passed in.
//
// Thread safety: not thread-safe; the peer service guards it.
#ifndef SWARMKV_RPC_RATE_LIMITER_H_
#define SWARMKV_RPC_RATE_LIMITER_H_

#include <cstddef>
#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "crypto/identity.h"

namespace swarmkv {

struct RateLimit {
  double per_second;
  double burst;
};

struct PeerRateLimits {
  RateLimit requests{2000, 4000};
  RateLimit bytes{64.0 * (1 << 20), 128.0 * (1 << 20)};
  // Peers tracked at most; past it, idle buckets are forgotten.
  size_t max_peers = 4096;
};

class PeerRateLimiter {
 public:
  explicit PeerRateLimiter(PeerRateLimits limits) : limits_(limits) {}

  // Zero when `peer` may make one request carrying `bytes` at `now`, which is then charged;
  // otherwise how long until it may (InfiniteDuration when it never may: `bytes` over the
  // burst, or too many peers tracked). What a refused peer is told to wait.
  absl::Duration Charge(const NodeId& peer, uint64_t bytes, absl::Time now);
  bool Allow(const NodeId& peer, uint64_t bytes, absl::Time now) {
    return Charge(peer, bytes, now) == absl::ZeroDuration();
  }

 private:
  struct Buckets {
    double requests;
    double bytes;
    absl::Time updated;
  };
  const PeerRateLimits limits_;
  absl::flat_hash_map<NodeId, Buckets> peers_;
};

}  // namespace swarmkv

#endif  // SWARMKV_RPC_RATE_LIMITER_H_
