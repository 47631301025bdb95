// GrpcTransport: the Transport over the real network — the peer protocol
// (rpc/proto/swarmkv/peer/v1/peer.proto, docs/wire-protocol.md) on gRPC with mutual TLS bound to
// node identities (rpc/peer_tls.h). One channel per (address, expected id), kept
// and reused; calls use gRPC's callback API, so no thread waits on the network here.
//
// Answers from the network are checked before they reach the Swarm (replication/peer_answers.h):
// contacts with a malformed id or address are dropped, lists are capped at `max_contacts`.
//
// Thread safety: thread-safe. Shutdown() (or the destructor) refuses new calls, cancels those
// in flight and waits for their callbacks, so objects those callbacks touch may be destroyed
// after it.
#ifndef SWARMKV_REPLICATION_GRPC_TRANSPORT_H_
#define SWARMKV_REPLICATION_GRPC_TRANSPORT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "crypto/tls_certificate.h"
#include "grpcpp/grpcpp.h"
#include "replication/transport.h"
#include "rpc/peer_channels.h"
#include "swarmkv/peer/v1/peer.grpc.pb.h"

namespace swarmkv {

struct GrpcTransportOptions {
  // Deadline of every request.
  absl::Duration timeout = absl::Seconds(5);
  // Most contacts accepted from one answer (k).
  size_t max_contacts = 20;
};

class GrpcTransport final : public Transport {
 public:
  GrpcTransport(TlsCertificate own, GrpcTransportOptions options);
  ~GrpcTransport() override;

  void Ping(const Contact& to, StatusCallback done) override;
  void Introduce(const std::string& address, Callback<NodeId> done) override;
  void FindNode(const Contact& to, const DhtKey& target,
                Callback<std::vector<Contact>> done) override;
  void FindValue(const Contact& to, const Cid& cid, Callback<FindValueResult> done) override;
  void GetProviders(const Contact& to, const Cid& cid, Callback<ProvidersResult> done) override;
  void Store(const Contact& to, const Cid& cid, std::string block, StatusCallback done) override;
  void AddProvider(const Contact& to, const Cid& cid, StatusCallback done) override;
  void Have(const Contact& to, std::vector<Cid> cids, Callback<std::vector<bool>> done) override;
  void PutRecord(const Contact& to, std::string record, Callback<std::string> done) override;
  void GetRecord(const Contact& to, const DhtKey& key, Callback<RecordAnswer> done) override;
  void Prove(const Contact& to, const Cid& cid, std::string nonce,
             Callback<Digest256> done) override;

  // The port this node's peer service listens on, sent with every request (0, the default:
  // none). Set once the listener is bound.
  void set_listen_port(uint32_t port) { listen_port_ = port; }
  void Shutdown();

 private:
  // Starts one unary call on `stub`: `start(async, context, request, response, on_done)`
  // issues it, `convert` turns the response into the callback's value.
  template <typename Request, typename Response, typename T, typename Start, typename Convert>
  void Call(std::shared_ptr<peer::v1::Peer::Stub> stub, Request request, Start start,
            Convert convert, Callback<T> done);
  // A stub on the pooled channel that accepts only `to.id` at `to.address`.
  std::shared_ptr<peer::v1::Peer::Stub> StubFor(const Contact& to);
  // Registers a call about to start (keeping it alive) so Shutdown can cancel it; false once
  // shut down. EndCall hands the call back, to be freed by the caller.
  bool BeginCall(std::shared_ptr<grpc::ClientContext> context);
  std::shared_ptr<grpc::ClientContext> EndCall(grpc::ClientContext* context);

  // Constant after construction.
  const TlsCertificate own_;
  const GrpcTransportOptions options_;
  std::atomic<uint32_t> listen_port_{0};

  PeerChannels channels_;

  absl::Mutex mu_;
  // Calls in flight, each kept alive here until it ends, so Shutdown can cancel them.
  using InFlight = absl::flat_hash_map<grpc::ClientContext*, std::shared_ptr<grpc::ClientContext>>;
  InFlight in_flight_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_GRPC_TRANSPORT_H_
