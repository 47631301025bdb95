#include "pubsub/wire_frames.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace swarmkv {
namespace {

using WireKind = peer::v1::GossipFrame::Kind;

WireKind ToWire(Frame::Kind kind) {
  switch (kind) {
    case Frame::Kind::kGossip:
      return peer::v1::GossipFrame::GOSSIP;
    case Frame::Kind::kIHave:
      return peer::v1::GossipFrame::IHAVE;
    case Frame::Kind::kGraft:
      return peer::v1::GossipFrame::GRAFT;
    case Frame::Kind::kPrune:
      return peer::v1::GossipFrame::PRUNE;
    case Frame::Kind::kJoin:
      return peer::v1::GossipFrame::JOIN;
    case Frame::Kind::kJoinReply:
      return peer::v1::GossipFrame::JOIN_REPLY;
    case Frame::Kind::kLeave:
      return peer::v1::GossipFrame::LEAVE;
    case Frame::Kind::kDirect:
      return peer::v1::GossipFrame::DIRECT;
  }
  return peer::v1::GossipFrame::GOSSIP;
}

absl::StatusOr<Frame::Kind> FromWire(int kind) {
  switch (kind) {
    case peer::v1::GossipFrame::GOSSIP:
      return Frame::Kind::kGossip;
    case peer::v1::GossipFrame::IHAVE:
      return Frame::Kind::kIHave;
    case peer::v1::GossipFrame::GRAFT:
      return Frame::Kind::kGraft;
    case peer::v1::GossipFrame::PRUNE:
      return Frame::Kind::kPrune;
    case peer::v1::GossipFrame::JOIN:
      return Frame::Kind::kJoin;
    case peer::v1::GossipFrame::JOIN_REPLY:
      return Frame::Kind::kJoinReply;
    case peer::v1::GossipFrame::LEAVE:
      return Frame::Kind::kLeave;
    case peer::v1::GossipFrame::DIRECT:
      return Frame::Kind::kDirect;
    default:
      return absl::InvalidArgumentError(absl::StrCat("unknown frame kind ", kind));
  }
}

}  // namespace

void EncodeFrame(const Frame& frame, peer::v1::GossipFrame* out) {
  out->set_kind(ToWire(frame.kind));
  out->set_topic(frame.topic);
  out->set_accepted(frame.accepted);
  if (frame.message.has_value()) {
    const GossipMessage& m = *frame.message;
    peer::v1::GossipMessage* wire = out->mutable_message();
    wire->set_origin_key(m.origin_key);
    wire->set_sequence(m.sequence);
    wire->set_topic(m.topic);
    wire->set_payload(m.payload);
    wire->set_signature(m.signature);
    wire->set_hops(m.hops);
  }
  for (const MessageId& id : frame.ids) {
    peer::v1::MessageId* wire = out->add_ids();
    wire->set_origin(std::string(id.origin.bytes().begin(), id.origin.bytes().end()));
    wire->set_sequence(id.sequence);
  }
}

absl::StatusOr<Frame> DecodeFrame(const peer::v1::GossipFrame& in) {
  Frame frame;
  absl::StatusOr<Frame::Kind> kind = FromWire(in.kind());
  if (!kind.ok()) return kind.status();
  frame.kind = *kind;
  frame.topic = in.topic();
  frame.accepted = in.accepted();
  if (in.ids_size() > static_cast<int>(kMaxIdsPerFrame)) {
    return absl::InvalidArgumentError(
        absl::StrCat("a frame carries at most ", kMaxIdsPerFrame, " ids"));
  }
  for (const peer::v1::MessageId& wire : in.ids()) {
    const std::optional<Digest256> origin = DigestFromBytes(wire.origin());
    if (!origin.has_value()) return absl::InvalidArgumentError("a message id's origin is 32 bytes");
    frame.ids.push_back(MessageId{NodeId(*origin), wire.sequence()});
  }
  if (in.has_message()) {
    const peer::v1::GossipMessage& wire = in.message();
    GossipMessage m;
    m.origin_key = wire.origin_key();
    m.sequence = wire.sequence();
    m.topic = wire.topic();
    m.payload = wire.payload();
    m.signature = wire.signature();
    m.hops = wire.hops();
    frame.message = std::move(m);
  }
  return frame;
}

}  // namespace swarmkv
