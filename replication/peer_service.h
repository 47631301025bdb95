// PeerService: the listener side of the peer protocol (rpc/proto/swarmkv/peer/v1/peer.proto,
// docs/wire-protocol.md) on gRPC's callback API, in front of a Swarm.
//
// Every call is admitted first by the node's PeerServer (rpc/peer_server.h: the caller's proven
// NodeId and address, its request and byte budget), then by the Swarm: penalized peers are
// refused (PERMISSION_DENIED). Malformed fields are INVALID_ARGUMENT. What reads
// or writes the store (FIND_VALUE, STORE, HAVE, PROVE, PUT_RECORD, GET_RECORD) runs on the worker
// pool; the rest answers inline from memory.
//
// Thread safety: thread-safe. `swarm`, `server` and `pool` must outlive the service.
#ifndef SWARMKV_REPLICATION_PEER_SERVICE_H_
#define SWARMKV_REPLICATION_PEER_SERVICE_H_

#include "absl/status/statusor.h"
#include "base/thread_pool.h"
#include "grpcpp/grpcpp.h"
#include "replication/swarm.h"
#include "rpc/peer_server.h"
#include "swarmkv/peer/v1/peer.grpc.pb.h"

namespace swarmkv {

class PeerService final : public peer::v1::Peer::CallbackService {
 public:
  PeerService(Swarm& swarm, PeerServer& server, ThreadPool& pool)
      : swarm_(swarm), server_(server), pool_(pool) {}

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
  grpc::ServerUnaryReactor* PutRecord(grpc::CallbackServerContext* call,
                                      const peer::v1::PutRecordRequest* request,
                                      peer::v1::PutRecordResponse* response) override;
  grpc::ServerUnaryReactor* GetRecord(grpc::CallbackServerContext* call,
                                      const peer::v1::GetRecordRequest* request,
                                      peer::v1::GetRecordResponse* response) override;
  grpc::ServerUnaryReactor* Prove(grpc::CallbackServerContext* call,
                                  const peer::v1::ProveRequest* request,
                                  peer::v1::ProveResponse* response) override;

 private:
  // Who is calling, once admitted (see the file comment).
  absl::StatusOr<Contact> Admit(grpc::CallbackServerContext* call, const peer::v1::Caller& caller,
                                size_t request_bytes);

  Swarm& swarm_;
  PeerServer& server_;
  ThreadPool& pool_;
};

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_PEER_SERVICE_H_
