#include "pubsub/gossip_service.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pubsub/wire_frames.h"
#include "rpc/grpc_status.h"

namespace swarmkv {

grpc::ServerUnaryReactor* GossipService::Deliver(grpc::CallbackServerContext* call,
                                                 const peer::v1::DeliverRequest* request,
                                                 peer::v1::DeliverResponse*) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  auto finish = [reactor](const absl::Status& status) { reactor->Finish(ToGrpcStatus(status)); };
  absl::StatusOr<PeerCaller> caller =
      server_.Admit(*call, request->caller().listen_port(), request->ByteSizeLong());
  if (!caller.ok()) {
    finish(caller.status());
    return reactor;
  }
  if (request->frames_size() > kMaxFramesPerDeliver) {
    finish(absl::InvalidArgumentError(
        absl::StrCat("a Deliver call carries at most ", kMaxFramesPerDeliver, " frames")));
    return reactor;
  }
  std::vector<Frame> frames;
  for (const peer::v1::GossipFrame& wire : request->frames()) {
    absl::StatusOr<Frame> frame = DecodeFrame(wire);
    if (!frame.ok()) {
      finish(frame.status());
      return reactor;
    }
    frames.push_back(*std::move(frame));
  }
  const Contact from{caller->id, caller->address, absl::InfinitePast()};
  for (Frame& frame : frames) node_.OnFrame(from, std::move(frame));
  finish(absl::OkStatus());
  return reactor;
}

}  // namespace swarmkv
