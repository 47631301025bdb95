// GossipService: the listener side of pubsub's frames (gossip.proto) in front of a PubsubNode,
// registered with the node's PeerServer: every call is admitted there (the caller's proven id
// and address, its budget), then each frame is decoded (INVALID_ARGUMENT for a malformed one)
// and handed to the node, which checks signatures and limits itself.
//
// Thread safety: thread-safe. `node` and `server` must outlive it.
#ifndef SWARMKV_PUBSUB_GOSSIP_SERVICE_H_
#define SWARMKV_PUBSUB_GOSSIP_SERVICE_H_

#include "pubsub/pubsub.h"
#include "rpc/peer_server.h"
#include "swarmkv/peer/v1/gossip.grpc.pb.h"

namespace swarmkv {

class GossipService final : public peer::v1::Gossip::CallbackService {
 public:
  GossipService(PubsubNode& node, PeerServer& server) : node_(node), server_(server) {}

  grpc::ServerUnaryReactor* Deliver(grpc::CallbackServerContext* call,
                                    const peer::v1::DeliverRequest* request,
                                    peer::v1::DeliverResponse* response) override;

 private:
  PubsubNode& node_;
  PeerServer& server_;
};

}  // namespace swarmkv

#endif  // SWARMKV_PUBSUB_GOSSIP_SERVICE_H_
