// Frame: what one node's pubsub sends another over a peer link (docs/pubsub.md,
// docs/wire-protocol.md). The names are PlumTree's (Leitão et al., "Epidemic Broadcast Trees"):
// GOSSIP pushes a whole message along the tree, IHAVE announces message ids to lazy links,
// GRAFT asks for a message and turns the link eager, PRUNE turns it lazy. JOIN and JOIN_REPLY
// build a topic's mesh; LEAVE takes a node out of it. DIRECT carries a message to one node
// only, outside every mesh (the query engine's results, docs/pubsub.md).
#ifndef SWARMKV_PUBSUB_FRAME_H_
#define SWARMKV_PUBSUB_FRAME_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pubsub/message.h"

namespace swarmkv {

// The most ids one IHAVE or GRAFT carries.
inline constexpr size_t kMaxIdsPerFrame = 512;

struct Frame {
  enum class Kind { kGossip, kIHave, kGraft, kPrune, kJoin, kJoinReply, kLeave, kDirect };
  Kind kind = Kind::kGossip;
  std::string topic;
  std::optional<GossipMessage> message;  // kGossip, kDirect
  std::vector<MessageId> ids;            // kIHave, kGraft
  bool accepted = false;                 // kJoinReply
};

inline Frame MakeFrame(Frame::Kind kind, std::string topic) {
  Frame frame;
  frame.kind = kind;
  frame.topic = std::move(topic);
  return frame;
}

}  // namespace swarmkv

#endif  // SWARMKV_PUBSUB_FRAME_H_
