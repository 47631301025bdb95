// GossipTransport: pubsub's FrameSender over the real network: unary Deliver calls
// (rpc/proto/swarmkv/peer/v1/gossip.proto) on the node's pooled, identity-checked peer channels
// (rpc/peer_channels.h). At most one call is in flight per peer; frames sent meanwhile wait and
// go together in the next call (up to kMaxFramesPerDeliver), so a burst costs a few calls, not
// one per frame. docs/pubsub.md says why batched unary calls.
//
// Thread safety: thread-safe. Shutdown (or the destructor) refuses new sends and waits for the
// completions of those in flight.
#ifndef SWARMKV_PUBSUB_GOSSIP_TRANSPORT_H_
#define SWARMKV_PUBSUB_GOSSIP_TRANSPORT_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pubsub/pubsub.h"
#include "rpc/peer_channels.h"

namespace swarmkv {

class GossipTransport final : public FrameSender {
 public:
  // `channels` must outlive it.
  GossipTransport(PeerChannels& channels, absl::Duration timeout)
      : channels_(channels), timeout_(timeout) {}
  ~GossipTransport() override { Shutdown(); }

  void Send(const Contact& to, Frame frame, std::function<void(absl::Status)> done) override;
  void set_listen_port(uint32_t port) { listen_port_ = port; }
  void Shutdown();

 private:
  struct Waiting {
    Frame frame;
    std::function<void(absl::Status)> done;
  };
  struct Link {
    explicit Link(Contact peer) : to(std::move(peer)) {}
    Contact to;
    bool busy = false;  // a call is in flight
    std::deque<Waiting> waiting;
  };
  struct Batch;
  // What waits on `link`, as one call, marked in flight. REQUIRES: the link is not busy.
  std::shared_ptr<Batch> TakeBatch(Link& link) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Starts the call (outside the lock: gRPC may complete it on this thread).
  void Start(std::shared_ptr<Batch> batch);

  PeerChannels& channels_;
  const absl::Duration timeout_;
  std::atomic<uint32_t> listen_port_{0};
  absl::Mutex mu_;
  absl::flat_hash_map<NodeId, Link> links_ ABSL_GUARDED_BY(mu_);
  int64_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace swarmkv

#endif  // SWARMKV_PUBSUB_GOSSIP_TRANSPORT_H_
