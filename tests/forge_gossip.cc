// forge_gossip: a hostile peer for the pubsub daemon test. With a fresh identity of its own, over
// real mutual TLS, it sends a node one Deliver call carrying a GOSSIP frame whose message has
// valid framing and a real origin key but a signature over other bytes (payload "genuine"
// signed, "forged" sent). The node must drop it and never deliver it.
//
// usage: forge_gossip <host:port> <node id> <topic>
// Prints the call's status; exits 0 when the node took the call (dropping the frame is silent).
#include <chrono>
#include <cstdio>
#include <string>

#include "absl/time/clock.h"
#include "crypto/identity.h"
#include "crypto/tls_certificate.h"
#include "grpcpp/grpcpp.h"
#include "pubsub/message.h"
#include "pubsub/wire_frames.h"
#include "rpc/peer_tls.h"
#include "swarmkv/peer/v1/gossip.grpc.pb.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: forge_gossip <host:port> <node id> <topic>\n");
    return 2;
  }
  absl::StatusOr<swarmkv::NodeId> target = swarmkv::NodeId::Parse(argv[2]);
  if (!target.ok()) {
    std::fprintf(stderr, "bad node id: %s\n", std::string(target.status().message()).c_str());
    return 2;
  }
  const swarmkv::Identity identity = swarmkv::Identity::Generate();
  absl::StatusOr<swarmkv::TlsCertificate> certificate =
      swarmkv::MakeSelfSignedCertificate(identity, absl::Now());
  if (!certificate.ok()) return 2;
  auto channel =
      grpc::CreateChannel(argv[1], swarmkv::PeerChannelCredentials(*certificate, *target, nullptr));
  auto stub = swarmkv::peer::v1::Gossip::NewStub(channel);

  swarmkv::GossipMessage message = swarmkv::SignMessage(identity, 1, argv[3], "genuine");
  message.payload = "forged";
  message.hops = 1;
  swarmkv::Frame frame = swarmkv::MakeFrame(swarmkv::Frame::Kind::kGossip, argv[3]);
  frame.message = message;
  swarmkv::peer::v1::DeliverRequest request;
  swarmkv::EncodeFrame(frame, request.add_frames());
  swarmkv::peer::v1::DeliverResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  const grpc::Status status = stub->Deliver(&context, request, &response);
  std::printf("%d %s\n", static_cast<int>(status.error_code()), status.error_message().c_str());
  return status.ok() ? 0 : 1;
}
