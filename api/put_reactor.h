// The reactor of one Node.Put call: a header, then chunks streamed into a ContentWriter.
// Store work (sealing, writing) runs on the service's ThreadPool; messages that only fill the
// writer's buffer are handled on the gRPC thread.
#ifndef SWARMKV_API_PUT_REACTOR_H_
#define SWARMKV_API_PUT_REACTOR_H_

#include <memory>

#include "api/service_context.h"
#include "grpcpp/grpcpp.h"
#include "storage/content_writer.h"
#include "swarmkv/v1/node.grpc.pb.h"

namespace swarmkv {

// Deletes itself when the call is done. A cancelled call drops its writer unfinished: its
// blocks stay unpinned and no root is ever returned, so nothing partial is visible.
// With a swarm, the finished content is replicated before the call answers (DESIGN §5).
class PutReactor : public grpc::ServerReadReactor<v1::PutRequest> {
 public:
  PutReactor(ServiceContext& context, grpc::CallbackServerContext* call, v1::PutResponse* response);

  void OnReadDone(bool ok) override;
  void OnDone() override;

 private:
  // Runs on the pool: consumes request_ and reads the next message, or finishes on error.
  void HandleMessage();
  // Runs on the pool once the client has closed its side.
  void FinishContent();
  void FinishWith(const absl::Status& status);
  // With a swarm: sends the content's blocks to the R closest nodes, sets the response's
  // replica count, and checks the write quorum (UNAVAILABLE below it).
  absl::Status Replicate(const Cid& root);

  // Releases the call's slot (see CallSlot), then finishes.
  void Complete(const grpc::Status& status);

  ServiceContext& context_;
  grpc::CallbackServerContext* call_;
  v1::PutResponse* response_;
  CallSlot slot_;
  v1::PutRequest request_;
  std::unique_ptr<ContentWriter> writer_;
  bool header_pin_ = false;
};

}  // namespace swarmkv

#endif  // SWARMKV_API_PUT_REACTOR_H_
