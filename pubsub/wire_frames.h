// Frames on the wire (rpc/proto/swarmkv/peer/v1/gossip.proto) and back. Decoding checks what a
// peer could get wrong: sizes of ids and keys, the number of ids; a message's signature is
// checked later, by the mesh.
#ifndef SWARMKV_PUBSUB_WIRE_FRAMES_H_
#define SWARMKV_PUBSUB_WIRE_FRAMES_H_

#include "absl/status/statusor.h"
#include "pubsub/frame.h"
#include "swarmkv/peer/v1/gossip.pb.h"

namespace swarmkv {

// The most frames one Deliver call carries.
inline constexpr int kMaxFramesPerDeliver = 64;

void EncodeFrame(const Frame& frame, peer::v1::GossipFrame* out);
// INVALID_ARGUMENT for a malformed frame.
absl::StatusOr<Frame> DecodeFrame(const peer::v1::GossipFrame& in);

}  // namespace swarmkv

#endif  // SWARMKV_PUBSUB_WIRE_FRAMES_H_
