// NodeService: the swarmkv.v1.Node gRPC service on the callback API (rpc/proto/swarmkv/v1/).
// Every method admits the call (token, concurrency limit), then runs store work on the pool.
// Methods reserved for later versions answer UNIMPLEMENTED (the generated defaults).
#ifndef SWARMKV_API_NODE_SERVICE_H_
#define SWARMKV_API_NODE_SERVICE_H_

#include "api/service_context.h"
#include "api/subscribe_reactor.h"
#include "grpcpp/grpcpp.h"
#include "swarmkv/v1/node.grpc.pb.h"

namespace swarmkv {

// Thread safety: thread-safe; `context` must outlive the service.
class NodeService final : public v1::Node::CallbackService {
 public:
  explicit NodeService(ServiceContext& context) : context_(context) {}

  grpc::ServerReadReactor<v1::PutRequest>* Put(grpc::CallbackServerContext* call,
                                               v1::PutResponse* response) override;
  grpc::ServerWriteReactor<v1::GetResponse>* Get(grpc::CallbackServerContext* call,
                                                 const v1::GetRequest* request) override;
  grpc::ServerUnaryReactor* Write(grpc::CallbackServerContext* call,
                                  const v1::WriteRequest* request,
                                  v1::PutResponse* response) override;
  grpc::ServerUnaryReactor* Read(grpc::CallbackServerContext* call, const v1::GetRequest* request,
                                 v1::ReadResponse* response) override;
  grpc::ServerUnaryReactor* Stat(grpc::CallbackServerContext* call, const v1::StatRequest* request,
                                 v1::StatResponse* response) override;
  grpc::ServerUnaryReactor* Pin(grpc::CallbackServerContext* call, const v1::PinRequest* request,
                                v1::PinResponse* response) override;
  grpc::ServerUnaryReactor* Unpin(grpc::CallbackServerContext* call,
                                  const v1::UnpinRequest* request,
                                  v1::UnpinResponse* response) override;
  grpc::ServerWriteReactor<v1::ListPinsResponse>* ListPins(
      grpc::CallbackServerContext* call, const v1::ListPinsRequest* request) override;
  grpc::ServerUnaryReactor* Info(grpc::CallbackServerContext* call, const v1::InfoRequest* request,
                                 v1::InfoResponse* response) override;

  grpc::ServerUnaryReactor* Peers(grpc::CallbackServerContext* call, const v1::PeersRequest*,
                                  v1::PeersResponse* response) override;
  // A whole scrub pass now, on the pool; CANCELLED when the client goes or the node stops.
  grpc::ServerUnaryReactor* Scrub(grpc::CallbackServerContext* call, const v1::ScrubRequest*,
                                  v1::ScrubResponse* response) override;

  // Ends every Subscribe stream (UNAVAILABLE): call before shutting the server down.
  void EndSubscriptions() { subscribe_streams_.EndAll(); }

  // Pubsub (docs/pubsub.md): INVALID_ARGUMENT for a bad topic or an oversized message.
  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* call,
                                    const v1::PublishRequest* request,
                                    v1::PublishResponse* response) override;
  grpc::ServerWriteReactor<v1::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* call, const v1::SubscribeRequest* request) override;

  // Broadcast queries: INVALID_ARGUMENT for an unknown kind or a bad argument, deadline or limit.
  grpc::ServerWriteReactor<v1::QueryResponse>* Query(grpc::CallbackServerContext* call,
                                                     const v1::QueryRequest* request) override;
  // Reserved for later versions: UNIMPLEMENTED, with a message saying so.
  grpc::ServerUnaryReactor* PutRecord(grpc::CallbackServerContext* call,
                                      const v1::PutRecordRequest* request,
                                      v1::PutRecordResponse* response) override;
  grpc::ServerUnaryReactor* GetRecord(grpc::CallbackServerContext* call,
                                      const v1::GetRecordRequest* request,
                                      v1::GetRecordResponse* response) override;
  grpc::ServerUnaryReactor* DeleteRecord(grpc::CallbackServerContext* call,
                                         const v1::DeleteRecordRequest* request,
                                         v1::DeleteRecordResponse* response) override;
  grpc::ServerUnaryReactor* ListRecords(grpc::CallbackServerContext* call,
                                        const v1::ListRecordsRequest* request,
                                        v1::ListRecordsResponse* response) override;

 private:
  // Admits the call, runs `work` on the pool and finishes with its status.
  template <typename Work>
  grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* call, Work work);
  // The same, but first tries `quick` on the gRPC thread: when it returns true the call is
  // answered then, with no pool hop. `quick` must cost microseconds and never block.
  template <typename Quick, typename Work>
  grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* call, Quick quick, Work work);

  // The node's records; FAILED_PRECONDITION when peer networking is off.
  absl::StatusOr<Records*> RecordsOrError() const;
  // Brings the blocks of content `root` this store lacks into it from the swarm.
  absl::Status FetchContent(const Cid& root);

  ServiceContext& context_;
  SubscribeStreams subscribe_streams_;
};

}  // namespace swarmkv

#endif  // SWARMKV_API_NODE_SERVICE_H_
