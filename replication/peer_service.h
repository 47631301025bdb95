// PeerService: the listener side of the peer protocol (api/proto/swarmkv/peer/v1/peer.proto,
// docs/wire-protocol.md) on gRPC's callback API, in front of a Swarm.
//
// Every call is admitted first: the caller's NodeId comes from its TLS client certificate
// (tls_transport.h), its address is the IP its connection came from plus the port it says it
// listens on, penalized peers are refused (PERMISSION_DENIED), and each peer has a request and
// a byte budget (RESOURCE_EXHAUSTED past it). Malformed fields are INVALID_ARGUMENT. What reads
// or writes the store (FIND_VALUE, STORE, HAVE) runs on the worker pool; the rest answers inline
// from memory.
//
// Thread safety: thread-safe. `swarm`, `pool` and `clock` must outlive the service.
#ifndef SWARMKV_REPLICATION_PEER_SERVICE_H_
#define SWARMKV_REPLICATION_PEER_SERVICE_H_

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "base/thread_pool.h"
#include "grpcpp/grpcpp.h"
#include "replication/rate_limiter.h"
#include "replication/swarm.h"
#include "replication/tls_transport.h"
#include "swarmkv/peer/v1/peer.grpc.pb.h"

namespace swarmkv {

class PeerService final : public peer::v1::Peer::CallbackService {
 public:
  PeerService(Swarm& swarm, ThreadPool& pool, const Clock& clock, PeerRateLimits limits = {})
      : swarm_(swarm), pool_(pool), clock_(clock), limiter_(limits) {}

  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* call,
                                 const peer::v1::PingRequest* request,
                                 peer::v1::PingResponse* response) override;
  grpc::ServerUnaryReactor* FindNode(grpc::CallbackServerContext* call,
                                     const peer::v1::FindNodeRequest* request,
                                     peer::v1::FindNodeResponse* response) override;
  grpc::ServerUnaryReactor* FindValue(grpc::CallbackServerContext* call,
                                      const peer::v1::FindValueRequest* request,
                                      peer::v1::FindValueResponse* response) override;
  grpc::ServerUnaryReactor* Store(grpc::CallbackServerContext* call,
                                  const peer::v1::StoreRequest* request,
                                  peer::v1::StoreResponse* response) override;
  grpc::ServerUnaryReactor* AddProvider(grpc::CallbackServerContext* call,
                                        const peer::v1::AddProviderRequest* request,
                                        peer::v1::AddProviderResponse* response) override;
  grpc::ServerUnaryReactor* GetProviders(grpc::CallbackServerContext* call,
                                         const peer::v1::GetProvidersRequest* request,
                                         peer::v1::GetProvidersResponse* response) override;
  grpc::ServerUnaryReactor* Have(grpc::CallbackServerContext* call,
                                 const peer::v1::HaveRequest* request,
                                 peer::v1::HaveResponse* response) override;

 private:
  // Who is calling, once admitted (see the file comment).
  absl::StatusOr<Contact> Admit(grpc::CallbackServerContext* call, const peer::v1::Caller& caller,
                                size_t request_bytes);

  Swarm& swarm_;
  ThreadPool& pool_;
  const Clock& clock_;
  CallerIds caller_ids_;
  absl::Mutex mu_;
  PeerRateLimiter limiter_ ABSL_GUARDED_BY(mu_);
};

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_PEER_SERVICE_H_
