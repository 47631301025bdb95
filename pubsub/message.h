// GossipMessage: one message published on a topic, signed by its origin (DESIGN §6). Its id is
// (origin NodeId, sequence number): the origin numbers its messages, and every node remembers
// the ids it has seen (the seen-cache) so each message is delivered and forwarded once.
//
// The signature covers the topic, the sequence number and the payload under the origin's
// Ed25519 identity key, which travels with the message (the origin's NodeId is its hash), so any
// node can check a message before it delivers or forwards it. The exact bytes signed are in
// docs/pubsub.md.
#ifndef SWARMKV_PUBSUB_MESSAGE_H_
#define SWARMKV_PUBSUB_MESSAGE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "crypto/identity.h"

namespace swarmkv {

// Limits every node enforces on every message (docs/pubsub.md).
inline constexpr size_t kMaxTopicBytes = 256;
inline constexpr size_t kMaxPayloadBytes = 64 * 1024;

struct MessageId {
  NodeId origin;
  uint64_t sequence = 0;

  friend bool operator==(const MessageId& a, const MessageId& b) {
    return a.sequence == b.sequence && a.origin == b.origin;
  }
  friend bool operator<(const MessageId& a, const MessageId& b) {
    return a.origin != b.origin ? a.origin < b.origin : a.sequence < b.sequence;
  }
  template <typename H>
  friend H AbslHashValue(H h, const MessageId& id) {
    return H::combine(std::move(h), id.origin, id.sequence);
  }
};

struct GossipMessage {
  std::string origin_key;  // the origin's Ed25519 public key (32 bytes)
  uint64_t sequence = 0;
  std::string topic;
  std::string payload;
  std::string signature;  // 64 bytes
  // Not signed: how many links the message has crossed (the origin sends 1). For measurement
  // and for a hop limit; a forger gains nothing by changing it.
  uint32_t hops = 0;

  NodeId origin() const { return NodeId::FromPublicKey(origin_key); }
  MessageId id() const { return MessageId{origin(), sequence}; }
};

// A topic name: 1 to kMaxTopicBytes bytes. INVALID_ARGUMENT otherwise.
absl::Status CheckTopic(absl::string_view topic);
// Signs a new message from `identity`.
GossipMessage SignMessage(const Identity& identity, uint64_t sequence, std::string topic,
                          std::string payload);
// OK when the message is within the limits and its signature is its origin's; INVALID_ARGUMENT
// (malformed, over a limit) or PERMISSION_DENIED (a bad signature) otherwise.
absl::Status VerifyMessage(const GossipMessage& message);

}  // namespace swarmkv

#endif  // SWARMKV_PUBSUB_MESSAGE_H_
