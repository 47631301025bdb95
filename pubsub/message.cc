#include "pubsub/message.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace swarmkv {
namespace {

// What the signature covers: a domain tag, then the sequence number (8 bytes, big-endian), the
// topic's length (2 bytes, big-endian), the topic and the payload.
std::string SignedBytes(uint64_t sequence, absl::string_view topic, absl::string_view payload) {
  std::string out = "swarmkv-pubsub-v1";
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(sequence >> shift));
  out.push_back(static_cast<char>(topic.size() >> 8));
  out.push_back(static_cast<char>(topic.size() & 0xff));
  out.append(topic.data(), topic.size());
  out.append(payload.data(), payload.size());
  return out;
}

}  // namespace

absl::Status CheckTopic(absl::string_view topic) {
  if (topic.empty() || topic.size() > kMaxTopicBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("a topic is 1 to ", kMaxTopicBytes, " bytes; this one is ", topic.size()));
  }
  return absl::OkStatus();
}

GossipMessage SignMessage(const Identity& identity, uint64_t sequence, std::string topic,
                          std::string payload) {
  GossipMessage message;
  message.origin_key = identity.public_key();
  message.sequence = sequence;
  message.signature = identity.Sign(SignedBytes(sequence, topic, payload));
  message.topic = std::move(topic);
  message.payload = std::move(payload);
  message.hops = 1;
  return message;
}

absl::Status VerifyMessage(const GossipMessage& message) {
  if (absl::Status topic = CheckTopic(message.topic); !topic.ok()) return topic;
  if (message.payload.size() > kMaxPayloadBytes) {
    return absl::InvalidArgumentError(absl::StrCat("a payload is at most ", kMaxPayloadBytes,
                                                   " bytes; this one is ", message.payload.size()));
  }
  if (message.origin_key.size() != 32 || message.signature.size() != 64) {
    return absl::InvalidArgumentError("origin key or signature of the wrong size");
  }
  if (!VerifySignature(message.origin_key,
                       SignedBytes(message.sequence, message.topic, message.payload),
                       message.signature)) {
    return absl::PermissionDeniedError("the message's signature is not its origin's");
  }
  return absl::OkStatus();
}

}  // namespace swarmkv
