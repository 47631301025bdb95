// PubsubNode: a node's pubsub (DESIGN §6) on its event loop: the Plumtree core (plumtree.h)
// driven by frames from peers, by this node's publishes and subscriptions, and by timers, with
// what it decides sent through a FrameSender. The daemon's sender is gRPC over the peer links
// (pubsub/grpc_frame_sender.h); the simulator's is SimNet. The core runs unchanged on both.
//
// Limits: at most `max_in_flight_per_peer` frames wait on one peer (more are dropped and
// counted), so a slow or stalled peer never grows this node's memory; a peer that sends a
// forged or malformed message is dropped from every mesh and ignored for `penalty`.
//
// Thread safety: thread-safe; everything but stats() runs on the loop. Handlers are called on
// the loop and must not block. `identity`, `loop` and `sender` must outlive it, and the loop
// must run none of its tasks after it is destroyed (stop or close the loop first).
#ifndef SWARMKV_PUBSUB_PUBSUB_H_
#define SWARMKV_PUBSUB_PUBSUB_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/event_loop.h"
#include "base/random.h"
#include "crypto/identity.h"
#include "pubsub/frame.h"
#include "pubsub/plumtree.h"
#include "replication/routing_table.h"

namespace swarmkv {

// Where frames leave: each Send completes once, on any thread; an error means the peer could
// not be reached.
class FrameSender {
 public:
  virtual ~FrameSender() = default;
  virtual void Send(const Contact& to, Frame frame, std::function<void(absl::Status)> done) = 0;
};

struct PubsubOptions {
  PlumtreeOptions mesh;
  size_t max_in_flight_per_peer = 256;
  // DIRECT frames (query results) wait in a queue of their own: every result for an origin
  // funnels through its few neighbours (10,000 nodes answering STATS: about 1,000 per link).
  size_t max_direct_in_flight_per_peer = 4096;
  absl::Duration penalty = absl::Minutes(10);
  // Seeds the choice of neighbours (the simulator passes its seed).
  uint64_t seed = 1;
  // Topics whose messages only ever arrive as DIRECT frames or from this node itself (the query
  // engine's `result`): subscribing to one joins no mesh.
  std::vector<std::string> local_topics = {"result"};
};

struct PubsubStats {
  PlumtreeStats mesh;
  uint64_t dropped_queue_full = 0;  // frames not sent: the peer had too many waiting
  uint64_t dropped_ignored = 0;     // frames from penalized peers
  uint64_t send_failures = 0;
};

class PubsubNode {
 public:
  using Handler = std::function<void(const GossipMessage&)>;
  // Also told the peer the message came from (none: this node's own).
  using RoutedHandler = std::function<void(const GossipMessage&, const std::optional<NodeId>& via)>;
  using DirectHandler = std::function<void(const GossipMessage&, const NodeId& from)>;

  // `peers` yields the contacts the meshes are built from (the routing table); called on the
  // loop.
  PubsubNode(const Identity& identity, EventLoop& loop, FrameSender& sender,
             std::function<std::vector<Contact>()> peers, PubsubOptions options = {});
  ~PubsubNode();

  // Starts the timers.
  void Start();
  // `on_message` gets every message on `topic` from now on, this node's own included.
  // INVALID_ARGUMENT for a bad topic name. Returns the subscription's id.
  absl::StatusOr<uint64_t> Subscribe(const std::string& topic, Handler on_message);
  absl::StatusOr<uint64_t> SubscribeRouted(const std::string& topic, RoutedHandler on_message);
  void Unsubscribe(uint64_t subscription);
  // Signs and sends a message; returns its id. INVALID_ARGUMENT for a bad topic or a payload
  // over the limit.
  absl::StatusOr<MessageId> Publish(const std::string& topic, std::string payload);
  // Messages on `topic` from peers pass `validator` (on the loop) before they are delivered or
  // forwarded.
  void SetValidator(const std::string& topic, Validator validator);
  // DIRECT messages from peers go to `on_direct` (on the loop). Call before Start.
  void SetDirectHandler(DirectHandler on_direct) { on_direct_ = std::move(on_direct); }
  // Sends `message` (signed by this node or passed on) to `to` alone. On the loop or not.
  void SendDirect(const Contact& to, GossipMessage message);
  // The same to a peer this node has exchanged frames with (its address is known); dropped
  // and counted when it is not.
  void SendDirect(const NodeId& to, GossipMessage message);
  // Publishes a message this node signed itself (SignMessage with NextSequence).
  void PublishSigned(GossipMessage message);
  // Hands `message` to this node's subscribers of its topic, as if it had arrived.
  void DeliverLocally(GossipMessage message);
  // The next sequence number for a message this node signs itself (the query engine's).
  uint64_t NextSequence() { return next_sequence_++; }
  const Identity& identity() const { return identity_; }
  EventLoop& loop() { return loop_; }

  // A frame from a proven peer (the peer service calls this); handled on the loop.
  void OnFrame(const Contact& from, Frame frame);

  PubsubStats stats() const;
  const NodeId& self() const { return identity_.node_id(); }

 private:
  // After every input: send what the core decided, hand out deliveries, set the next wake-up.
  void Drain();
  void Wake();
  std::vector<NodeId> Candidates();
  // Calls every handler subscribed to `message`'s topic. On the loop.
  void HandToSubscribers(const GossipMessage& message, const std::optional<NodeId>& via);

  const Identity& identity_;
  EventLoop& loop_;
  FrameSender& sender_;
  const std::function<std::vector<Contact>()> peers_;
  const PubsubOptions options_;

  // Used on the loop only.
  Random rng_;
  Plumtree core_;
  // Numbers this node's messages; taken on the publishing thread.
  std::atomic<uint64_t> next_sequence_;
  std::map<uint64_t, std::pair<std::string, RoutedHandler>> subscriptions_;
  DirectHandler on_direct_;
  uint64_t next_subscription_ = 1;
  absl::flat_hash_map<NodeId, Contact> contacts_;
  struct Waiting {
    size_t mesh = 0;
    size_t direct = 0;
  };
  absl::flat_hash_map<NodeId, Waiting> in_flight_;
  absl::flat_hash_map<NodeId, absl::Time> ignored_until_;
  TimerId wake_ = 0;
  absl::Time wake_at_ = absl::InfiniteFuture();
  // Shared with the sends in flight: their completions must find somewhere to report to even
  // if this node has gone (they then do nothing).
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  mutable absl::Mutex mu_;
  PubsubStats stats_ ABSL_GUARDED_BY(mu_);  // a copy for other threads, refreshed on the loop
};

}  // namespace swarmkv

#endif  // SWARMKV_PUBSUB_PUBSUB_H_
