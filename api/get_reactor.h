// The reactor of one Node.Get call: opens a ContentReader and streams its pieces, one write at a
// time, reading the next piece on the pool while gRPC sends the last. Small content whose blocks
// are all in memory is answered at once from the gRPC thread (no pool hop, no disk read).
#ifndef SWARMKV_API_GET_REACTOR_H_
#define SWARMKV_API_GET_REACTOR_H_

#include <memory>

#include "api/service_context.h"
#include "grpcpp/grpcpp.h"
#include "replication/network_block_source.h"
#include "storage/content_reader.h"
#include "swarmkv/v1/node.grpc.pb.h"

namespace swarmkv {

class GetReactor : public grpc::ServerWriteReactor<v1::GetResponse> {
 public:
  GetReactor(ServiceContext& context, grpc::CallbackServerContext* call,
             const v1::GetRequest* request);

  void OnWriteDone(bool ok) override;
  void OnDone() override;

 private:
  // Serves small, in-memory content right away; false (nothing sent) when it cannot, including
  // on any error, which the pool path then reports.
  bool TryInline(const v1::GetRequest& request);
  void Open(const v1::GetRequest& request);  // on the pool
  void WriteNext();                          // on the pool

  // Releases the call's slot (see CallSlot), then finishes.
  void Complete(const grpc::Status& status);

  ServiceContext& context_;
  grpc::CallbackServerContext* call_;
  CallSlot slot_;
  bool first_ = true;
  // Where blocks come from: the store, then the swarm (unless the request is local-only).
  std::unique_ptr<NetworkBlockSource> source_;
  std::unique_ptr<ContentReader> reader_;
  std::string ahead_;  // the next piece to send
  bool have_ahead_ = false;
  v1::GetResponse response_;
};

}  // namespace swarmkv

#endif  // SWARMKV_API_GET_REACTOR_H_
