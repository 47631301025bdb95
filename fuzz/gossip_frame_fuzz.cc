// Pubsub frames from peers (pubsub/wire_frames.h): the proto is parsed as gRPC would, then
// decoded; what decodes re-encodes to a frame that decodes the same, and a carried message's
// signature check (the mesh's next step) never crashes.
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.h"
#include "pubsub/message.h"
#include "pubsub/wire_frames.h"

SWARMKV_FUZZ_QUIET_LOGS()

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  swarmkv::peer::v1::GossipFrame wire;
  if (!wire.ParseFromArray(data, static_cast<int>(size))) return 0;
  absl::StatusOr<swarmkv::Frame> frame = swarmkv::DecodeFrame(wire);
  if (!frame.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(frame.status()));
    return 0;
  }
  swarmkv::peer::v1::GossipFrame again;
  swarmkv::EncodeFrame(*frame, &again);
  absl::StatusOr<swarmkv::Frame> redecoded = swarmkv::DecodeFrame(again);
  FUZZ_CHECK(redecoded.ok());
  swarmkv::peer::v1::GossipFrame twice;
  swarmkv::EncodeFrame(*redecoded, &twice);
  FUZZ_CHECK(twice.SerializeAsString() == again.SerializeAsString());
  if (frame->message.has_value()) {
    const absl::Status verified = swarmkv::VerifyMessage(*frame->message);
    FUZZ_CHECK(verified.ok() || absl::IsInvalidArgument(verified) ||
               absl::IsPermissionDenied(verified));
  }
  return 0;
}
