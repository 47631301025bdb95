#include "api/subscribe_reactor.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rpc/grpc_status.h"

namespace swarmkv {

void SubscribeStreams::EndAll() {
  std::vector<std::shared_ptr<void>> open;
  {
    absl::MutexLock lock(&mu_);
    ended_ = true;
    open.assign(open_.begin(), open_.end());
  }
  for (const std::shared_ptr<void>& queue : open) {
    SubscribeReactor::End(std::static_pointer_cast<SubscribeReactor::Queue>(queue),
                          grpc::Status(grpc::StatusCode::UNAVAILABLE, "the node is shutting down"));
  }
}

SubscribeReactor::SubscribeReactor(ServiceContext& context, SubscribeStreams& streams,
                                   grpc::CallbackServerContext* call,
                                   const v1::SubscribeRequest& request)
    : context_(context), streams_(streams) {
  {
    absl::MutexLock lock(&queue_->mu);
    queue_->reactor = this;
  }
  bool ended = false;
  {
    absl::MutexLock lock(&streams_.mu_);
    ended = streams_.ended_;
    if (!ended) streams_.open_.insert(queue_);
  }
  if (ended) {
    Complete(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the node is shutting down"));
    return;
  }
  auto slot = context_.Admit(*call);
  if (!slot.ok()) {
    Complete(ToGrpcStatus(slot.status()));
    return;
  }
  slot_ = std::move(slot).value();
  absl::StatusOr<uint64_t> subscription = context_.pubsub->Subscribe(
      request.topic(), [queue = queue_](const GossipMessage& m) { Push(queue, m); });
  if (!subscription.ok()) {
    Complete(ToGrpcStatus(subscription.status()));
    return;
  }
  absl::MutexLock lock(&queue_->mu);
  if (finished_) {
    // Ended (a shutdown) while it subscribed: End could not unsubscribe it.
    context_.pubsub->Unsubscribe(*subscription);
    return;
  }
  subscription_ = *subscription;
  // Headers now: a client sees the stream open before the first message.
  StartSendInitialMetadata();
}

void SubscribeReactor::Push(const std::shared_ptr<Queue>& queue, const GossipMessage& message) {
  absl::MutexLock lock(&queue->mu);
  if (queue->reactor == nullptr) return;  // the call is over
  if (queue->messages.size() >= kMaxQueued) {
    queue->messages.pop_front();
    ++queue->dropped;
  }
  v1::SubscribeResponse response;
  response.set_topic(message.topic);
  response.set_data(message.payload);
  const NodeId origin = message.origin();
  response.set_origin(origin.ToString());
  response.set_message_id(absl::StrCat(origin.ToString(), "/", message.sequence));
  queue->messages.push_back(std::move(response));
  if (!queue->writing) {
    queue->writing = true;
    SubscribeReactor* reactor = queue->reactor;
    reactor->writing_now_ = std::move(queue->messages.front());
    queue->messages.pop_front();
    reactor->StartWrite(&reactor->writing_now_);
  }
}

void SubscribeReactor::OnWriteDone(bool ok) {
  if (!ok) {
    Complete(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    return;
  }
  absl::MutexLock lock(&queue_->mu);
  if (queue_->messages.empty()) {
    queue_->writing = false;
    return;
  }
  writing_now_ = std::move(queue_->messages.front());
  queue_->messages.pop_front();
  StartWrite(&writing_now_);
}

void SubscribeReactor::OnCancel() {
  Complete(grpc::Status(grpc::StatusCode::CANCELLED, "the subscription was cancelled"));
}

void SubscribeReactor::Complete(const grpc::Status& status) { End(queue_, status); }

void SubscribeReactor::End(const std::shared_ptr<Queue>& queue, const grpc::Status& status) {
  SubscribeReactor* reactor = nullptr;
  uint64_t subscription = 0;
  {
    absl::MutexLock lock(&queue->mu);
    if (queue->reactor == nullptr || queue->reactor->finished_) return;
    reactor = queue->reactor;
    reactor->finished_ = true;
    queue->reactor = nullptr;  // no more writes from the pubsub loop
    subscription = reactor->subscription_;
  }
  // Claimed: nobody else finishes this call, so the reactor lives until Finish below.
  if (subscription != 0) reactor->context_.pubsub->Unsubscribe(subscription);
  reactor->slot_.Release();
  reactor->Finish(status);
}

void SubscribeReactor::OnDone() {
  {
    absl::MutexLock lock(&streams_.mu_);
    streams_.open_.erase(queue_);
  }
  delete this;
}

}  // namespace swarmkv
