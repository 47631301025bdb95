// SubscribeReactor: one Subscribe call (swarmkv.v1.Node/Subscribe): a server stream of the
// messages on a topic, until the client cancels or the node shuts down. Messages arrive on the
// node's pubsub loop and wait in a queue of at most kMaxQueued; a client that reads too slowly
// loses the oldest (and the stream never holds more), so it can stall neither the loop nor
// other subscribers.
//
// SubscribeStreams keeps the open streams, so a shutting-down node can end them at once
// (they never end by themselves, and the server's shutdown would otherwise wait out its grace
// period for them).
//
// Thread safety: gRPC's reactor rules; the queue and the registry are guarded. A reactor owns
// itself (deleted in OnDone).
#ifndef SWARMKV_API_SUBSCRIBE_REACTOR_H_
#define SWARMKV_API_SUBSCRIBE_REACTOR_H_

#include <cstdint>
#include <deque>
#include <memory>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "api/service_context.h"
#include "grpcpp/grpcpp.h"
#include "pubsub/pubsub.h"
#include "swarmkv/v1/node.grpc.pb.h"

namespace swarmkv {

class SubscribeReactor;

class SubscribeStreams {
 public:
  // Ends every open stream with UNAVAILABLE; new ones are refused from then on.
  void EndAll();

 private:
  friend class SubscribeReactor;
  struct Queue;
  absl::Mutex mu_;
  // The open streams' queues: shared, so ending a stream never races with its reactor going.
  absl::flat_hash_set<std::shared_ptr<void>> open_ ABSL_GUARDED_BY(mu_);
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
};

class SubscribeReactor final : public grpc::ServerWriteReactor<v1::SubscribeResponse> {
 public:
  static constexpr size_t kMaxQueued = 1024;

  // `streams` must outlive the reactor.
  SubscribeReactor(ServiceContext& context, SubscribeStreams& streams,
                   grpc::CallbackServerContext* call, const v1::SubscribeRequest& request);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  friend class SubscribeStreams;
  // What the pubsub handler and the reactor share; the handler may outlive the reactor.
  struct Queue {
    absl::Mutex mu;
    SubscribeReactor* reactor ABSL_GUARDED_BY(mu) = nullptr;
    std::deque<v1::SubscribeResponse> messages ABSL_GUARDED_BY(mu);
    bool writing ABSL_GUARDED_BY(mu) = false;
    uint64_t dropped ABSL_GUARDED_BY(mu) = 0;
  };
  static void Push(const std::shared_ptr<Queue>& queue, const GossipMessage& message);
  // Ends the call once, whoever asks first (the client, a failed write, a shutdown).
  void Complete(const grpc::Status& status);
  // Ends the call of `queue`'s reactor, if it is still open.
  static void End(const std::shared_ptr<Queue>& queue, const grpc::Status& status);

  ServiceContext& context_;
  SubscribeStreams& streams_;
  CallSlot slot_;
  uint64_t subscription_ = 0;
  bool finished_ = false;  // guarded by queue_->mu
  v1::SubscribeResponse writing_now_;
  const std::shared_ptr<Queue> queue_ = std::make_shared<Queue>();
};

}  // namespace swarmkv

#endif  // SWARMKV_API_SUBSCRIBE_REACTOR_H_
