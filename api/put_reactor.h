// The reactor of one Node.Put call: a header, then chunks streamed into a ContentWriter.
// Store work (sealing, writing) runs on the service's ThreadPool while the next message is read;
// messages that only fill the writer's buffer are handled on the gRPC thread.
#ifndef SWARMKV_API_PUT_REACTOR_H_
#define SWARMKV_API_PUT_REACTOR_H_

#include <memory>

#include "absl/synchronization/mutex.h"
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
  // What the worker does next: apply working_, or end the call (the client closed its side).
  enum class Task { kNone, kMessage, kEnd };

  // The worker: one at a time (worker_busy_), it owns writer_ and working_. Runs `task`, then
  // whatever arrived meanwhile, and ends the call once the client is done. Runs on the gRPC
  // thread while the work is only copying, and moves itself to the pool for anything else.
  void Work(Task task, bool on_pool);
  // Moves a parked message into working_ (and asks for the read that was held back), or returns
  // kEnd, or marks the worker idle and returns kNone.
  Task TakeTaskLocked(bool* read_next) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool IsCheap(const v1::PutRequest& message) const;
  // A header creates the writer; a chunk is written to it.
  absl::Status Apply(const v1::PutRequest& message);
  // Runs on the pool once the client has closed its side.
  void FinishContent();
  void FinishWith(const absl::Status& status);

  // Releases the call's slot (see CallSlot), then finishes.
  void Complete(const grpc::Status& status);

  ServiceContext& context_;
  grpc::CallbackServerContext* call_;
  v1::PutResponse* response_;
  CallSlot slot_;
  std::unique_ptr<ContentWriter> writer_;  // the worker's
  bool header_pin_ = false;                // the worker's
  v1::PutRequest working_;                 // the worker's
  v1::PutRequest reading_;                 // filled by the outstanding read

  // Reads run one message ahead of the worker, so receiving the next chunk overlaps sealing
  // and writing this one; at most one received message waits for the worker.
  absl::Mutex mu_;
  v1::PutRequest pending_ ABSL_GUARDED_BY(mu_);
  bool has_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool worker_busy_ ABSL_GUARDED_BY(mu_) = false;
  bool read_outstanding_ ABSL_GUARDED_BY(mu_) = false;
  bool client_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;  // Finish was called or is about to be
};

}  // namespace swarmkv

#endif  // SWARMKV_API_PUT_REACTOR_H_
