// Plumtree: the gossip mesh of one node, as a protocol core with no I/O (STYLE rule 3; like
// replication/lookup.h). Inputs go in with `now` (frames from peers, the node's own publishes,
// ticks, send failures); what to send and what to deliver come out as values (TakeOutgoing,
// TakeDeliveries). It never sends anything itself. docs/pubsub.md has the protocol.
//
// Per topic a node keeps a few neighbours (it asks `degree` of the candidate peers it is given
// to JOIN, and accepts joins up to `max_degree`). Each link is eager or lazy. A new message goes
// in full over eager links and as an id (IHAVE, batched) over lazy ones; a duplicate turns the
// link it came over lazy (PRUNE), and an announced message that does not arrive in time is
// asked for (GRAFT), which turns that link eager. So the eager links settle into a spanning
// tree that carries each message once per node, and the lazy ones repair it when a link or a
// node fails.
//
// Every message is verified (VerifyMessage) before it is delivered or forwarded; a peer that
// sends a forged or malformed one is reported (Verdict::kMisbehaved) and the owner drops it.
//
// Thread safety: not thread-safe; owned by the node's event loop.
#ifndef SWARMKV_PUBSUB_PLUMTREE_H_
#define SWARMKV_PUBSUB_PLUMTREE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/random.h"
#include "crypto/identity.h"
#include "pubsub/frame.h"
#include "pubsub/message.h"

namespace swarmkv {

struct PlumtreeOptions {
  // Neighbours a node asks to join it per topic, and the most it accepts.
  size_t degree = 5;
  size_t max_degree = 12;
  // Each message is announced (IHAVE) to at most this many of the lazy links, picked at random;
  // 0: to all of them, as Plumtree does. Measured (docs/pubsub.md): with 4, concurrent prunes
  // can cut a node off the eager links while no lazy neighbour announces to it, and it misses
  // messages even without faults; so all, at about 7 small IHAVE ids per delivery.
  size_t lazy_fanout = 0;
  // Lazy announcements are batched for this long.
  absl::Duration ihave_interval = absl::Milliseconds(50);
  // An announced message not received within this is asked for (GRAFT) from the announcer;
  // later announcers are tried after half of it each.
  absl::Duration graft_timeout = absl::Milliseconds(250);
  // How long a message id is remembered (GossipSub's seen_ttl), and a message kept to answer
  // GRAFTs.
  absl::Duration seen_ttl = absl::Minutes(2);
  absl::Duration cache_ttl = absl::Seconds(30);
  // Neighbour upkeep: refill the mesh, expire unanswered JOINs (after join_timeout).
  absl::Duration upkeep_interval = absl::Seconds(1);
  absl::Duration join_timeout = absl::Seconds(3);
  // A candidate that refused to join a topic is not asked again for this long.
  absl::Duration refused_backoff = absl::Seconds(30);
  // A peer a frame could not be sent to is not asked again for this long: short, since a
  // timeout under load is no refusal, and a small swarm has few others to ask.
  absl::Duration unreachable_backoff = absl::Seconds(5);
  // Messages a node publishes on a topic it has no neighbours for yet wait this long, at most
  // `max_pending_publishes` of them.
  absl::Duration pending_publish_ttl = absl::Seconds(10);
  size_t max_pending_publishes = 256;
  // A node that publishes on a topic it does not subscribe to stays in its mesh this long.
  absl::Duration relay_ttl = absl::Minutes(1);
};

struct PlumtreeStats {
  uint64_t published = 0;
  uint64_t delivered = 0;        // messages handed to this node's subscribers (own included)
  uint64_t gossip_received = 0;  // payload copies received, duplicates included
  uint64_t duplicates = 0;
  uint64_t forwarded = 0;  // payload copies sent
  uint64_t ihave_ids_sent = 0;
  uint64_t grafts_sent = 0;
  uint64_t prunes_sent = 0;
  uint64_t dropped_invalid = 0;       // forged or malformed messages
  uint64_t dropped_not_member = 0;    // messages for a topic this node is not in
  uint64_t dropped_by_validator = 0;  // valid messages a topic's validator would not pass on
  uint64_t direct_received = 0;
};

// What a topic's validator says of a message whose signature checked (GossipSub's validators):
// pass it on; drop it quietly (expired, over a rate: the sender did nothing wrong); or drop it
// and report the sender (malformed payload).
enum class Validation { kAccept, kIgnore, kReject };
using Validator = std::function<Validation(const GossipMessage&, absl::Time now)>;

// A message for this node: `via` is the peer it came from, none for this node's own.
struct Delivery {
  GossipMessage message;
  std::optional<NodeId> via;
};

class Plumtree {
 public:
  // What the owner should do about the peer a frame came from.
  enum class Verdict { kOk, kMisbehaved };
  struct Outgoing {
    NodeId to;
    Frame frame;
  };

  // `rng` (seeded) picks which candidates to ask; it must outlive the core.
  Plumtree(NodeId self, Random& rng, PlumtreeOptions options = {});

  // This node's subscribers want `topic` (INVALID_ARGUMENT for a bad name).
  absl::Status Subscribe(absl::string_view topic);
  // Leaves the topic's mesh (LEAVE to its neighbours).
  void Unsubscribe(absl::string_view topic, absl::Time now);
  bool subscribed(absl::string_view topic) const;
  // Sends a message this node signed. A node not in the topic's mesh joins it to publish.
  // INVALID_ARGUMENT for a message that does not verify.
  absl::Status Publish(GossipMessage message, absl::Time now);
  // Messages on `topic` from peers go through `validator` before they are delivered or
  // forwarded (this node's own publishes do not).
  void SetValidator(const std::string& topic, Validator validator);
  // Sends `message` to `to` alone, outside every mesh; it arrives as a direct delivery. Its
  // hops are as given (a signed message starts at 1; whoever passes one on adds one).
  void SendDirect(const NodeId& to, GossipMessage message);

  Verdict OnFrame(const NodeId& from, Frame frame, absl::Time now);
  // A frame to `to` could not be sent (the peer is unreachable): it leaves every mesh.
  void OnSendFailed(const NodeId& to, absl::Time now);
  // Timers: flushes announcements, grafts what is overdue, keeps the mesh at `degree` from
  // `candidates` (peers it may ask, e.g. the routing table), forgets old ids.
  void Tick(const std::vector<NodeId>& candidates, absl::Time now);
  // Whether the next Tick keeps the meshes (and so needs the candidates).
  bool upkeep_due(absl::Time now) const { return now >= next_upkeep_; }
  // When Tick has something to do next.
  absl::Time NextWake() const;

  std::vector<Outgoing> TakeOutgoing() { return std::exchange(outgoing_, {}); }
  std::vector<Delivery> TakeDeliveries() { return std::exchange(deliveries_, {}); }
  // DIRECT messages from peers, verified.
  std::vector<Delivery> TakeDirect() { return std::exchange(direct_, {}); }
  const PlumtreeStats& stats() const { return stats_; }
  // The topic's neighbours, eager ones first (for tests and Peers-like surfaces).
  std::vector<NodeId> Neighbours(absl::string_view topic, bool eager) const;

 private:
  struct Topic {
    bool subscribed = false;
    absl::Time relay_until = absl::InfinitePast();  // a publisher that is not a subscriber
    std::map<NodeId, bool> neighbours;              // id -> eager
    std::map<NodeId, absl::Time> joining;           // JOIN sent, until when we wait
    std::map<NodeId, absl::Time> refused_until;
    // Published before there was any neighbour, with when to give up on each.
    std::deque<std::pair<absl::Time, GossipMessage>> pending;
  };
  struct Missing {
    std::string topic;
    std::deque<NodeId> announcers;
    absl::Time deadline;
  };

  bool Member(const Topic& topic, absl::Time now) const {
    return topic.subscribed || topic.relay_until > now;
  }
  // A message first seen here: remember, deliver, and send it on to every neighbour but `from`.
  void Accept(GossipMessage message, const NodeId* from, absl::Time now);
  void Send(const NodeId& to, Frame frame) { outgoing_.push_back(Outgoing{to, std::move(frame)}); }
  void SendGossip(const NodeId& to, const GossipMessage& message);
  void AddNeighbour(Topic& topic, const NodeId& id, absl::Time now);
  void OnJoin(const NodeId& from, const std::string& topic, absl::Time now);
  Verdict OnDirect(const NodeId& from, Frame frame);
  void FlushAnnouncements(absl::Time now);
  void GraftOverdue(absl::Time now);
  void KeepMeshes(const std::vector<NodeId>& candidates, absl::Time now);
  void Forget(absl::Time now);
  void NoteHolder(const MessageId& id, const NodeId& peer);

  const NodeId self_;
  Random& rng_;
  const PlumtreeOptions options_;

  std::map<std::string, Topic, std::less<>> topics_;
  absl::flat_hash_map<MessageId, absl::Time> seen_;  // id -> forget after
  std::deque<std::pair<absl::Time, MessageId>> seen_order_;
  std::map<MessageId, GossipMessage> cache_;
  std::deque<std::pair<absl::Time, MessageId>> cache_order_;
  std::map<MessageId, Missing> missing_;
  // Peers known to have a message (they sent it or announced it here): never announced to.
  absl::flat_hash_map<MessageId, std::vector<NodeId>> holders_;
  // Ids to announce, per peer and topic, flushed every ihave_interval.
  std::map<NodeId, std::map<std::string, std::vector<MessageId>>> announcements_;
  absl::Time next_flush_ = absl::InfinitePast();
  absl::Time next_upkeep_ = absl::InfinitePast();

  std::vector<Outgoing> outgoing_;
  std::vector<Delivery> deliveries_;
  std::vector<Delivery> direct_;
  std::map<std::string, Validator, std::less<>> validators_;
  PlumtreeStats stats_;
};

}  // namespace swarmkv

#endif  // SWARMKV_PUBSUB_PLUMTREE_H_
