// QueryReactor: one Query call (swarmkv.v1.Node/Query): sends a broadcast query through the
// node's QueryEngine and streams each node's answer as it arrives, then OK at the deadline or
// the limit. Answers arrive on the pubsub loop and wait in a queue for the stream; the query's
// limit (at most QueryEngineOptions::max_limit) bounds it. A client that cancels ends the query.
//
// Thread safety: gRPC's reactor rules; the queue is guarded. A reactor owns itself (deleted in
// OnDone).
#ifndef SWARMKV_API_QUERY_REACTOR_H_
#define SWARMKV_API_QUERY_REACTOR_H_

#include <cstdint>
#include <deque>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "api/service_context.h"
#include "grpcpp/grpcpp.h"
#include "pubsub/query_engine.h"
#include "swarmkv/v1/node.grpc.pb.h"

namespace swarmkv {

class QueryReactor final : public grpc::ServerWriteReactor<v1::QueryResponse> {
 public:
  QueryReactor(ServiceContext& context, grpc::CallbackServerContext* call,
               const v1::QueryRequest& request);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override { delete this; }

 private:
  // What the engine's callbacks and the reactor share; the callbacks may outlive the reactor.
  struct Queue {
    absl::Mutex mu;
    QueryReactor* reactor ABSL_GUARDED_BY(mu) = nullptr;
    std::deque<v1::QueryResponse> answers ABSL_GUARDED_BY(mu);
    bool writing ABSL_GUARDED_BY(mu) = false;
    bool collected ABSL_GUARDED_BY(mu) = false;  // the engine is done: finish once written
  };
  static void Push(const std::shared_ptr<Queue>& queue, const QueryAnswer& answer);
  static void Collected(const std::shared_ptr<Queue>& queue);
  // Starts the next write, or finishes when everything is written and the query is over.
  // REQUIRES: queue->mu held, queue->reactor set, no write in flight.
  static void WriteNextLocked(Queue& queue) ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue.mu);
  // Ends the call once, whoever asks first. REQUIRES: queue_->mu not held.
  void Complete(const grpc::Status& status);

  ServiceContext& context_;
  CallSlot slot_;
  uint64_t ticket_ = 0;
  v1::QueryResponse writing_now_;
  const std::shared_ptr<Queue> queue_ = std::make_shared<Queue>();
};

}  // namespace swarmkv

#endif  // SWARMKV_API_QUERY_REACTOR_H_
