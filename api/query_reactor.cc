#include "api/query_reactor.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "api/targets.h"
#include "rpc/grpc_status.h"

namespace swarmkv {

QueryReactor::QueryReactor(ServiceContext& context, grpc::CallbackServerContext* call,
                           const v1::QueryRequest& request)
    : context_(context) {
  {
    absl::MutexLock lock(&queue_->mu);
    queue_->reactor = this;
  }
  auto slot = context_.Admit(*call);
  if (!slot.ok()) {
    Complete(ToGrpcStatus(slot.status()));
    return;
  }
  slot_ = std::move(slot).value();
  QueryRequest query;
  query.kind = request.kind();
  query.argument = request.argument();
  // HAS takes what Stat takes: a CID or a capability URI, whose key never leaves this node.
  if (absl::AsciiStrToUpper(request.kind()) == "HAS") {
    absl::StatusOr<Capability> target = ParseTarget(request.argument());
    if (target.ok()) query.argument = target->root().ToString();
  }
  query.deadline = absl::Milliseconds(request.deadline_ms());
  query.limit = request.limit();
  absl::StatusOr<uint64_t> ticket = context_.queries->Ask(
      query, [queue = queue_](const QueryAnswer& answer) { Push(queue, answer); },
      [queue = queue_](absl::Status) { Collected(queue); });
  if (!ticket.ok()) {
    Complete(ToGrpcStatus(ticket.status()));
    return;
  }
  ticket_ = *ticket;
  StartSendInitialMetadata();
}

void QueryReactor::Push(const std::shared_ptr<Queue>& queue, const QueryAnswer& answer) {
  absl::MutexLock lock(&queue->mu);
  if (queue->reactor == nullptr) return;  // the call is over
  v1::QueryResponse response;
  response.set_responder(answer.responder.ToString());
  for (const std::string& item : answer.items) response.add_items(item);
  response.set_truncated(answer.truncated);
  response.set_hops(answer.hops);
  queue->answers.push_back(std::move(response));
  if (!queue->writing) WriteNextLocked(*queue);
}

void QueryReactor::Collected(const std::shared_ptr<Queue>& queue) {
  absl::MutexLock lock(&queue->mu);
  if (queue->reactor == nullptr) return;
  queue->collected = true;
  if (!queue->writing) WriteNextLocked(*queue);
}

void QueryReactor::WriteNextLocked(Queue& queue) {
  QueryReactor* reactor = queue.reactor;
  if (!queue.answers.empty()) {
    queue.writing = true;
    reactor->writing_now_ = std::move(queue.answers.front());
    queue.answers.pop_front();
    reactor->StartWrite(&reactor->writing_now_);
    return;
  }
  queue.writing = false;
  if (queue.collected) {
    queue.reactor = nullptr;  // finished: nothing more is pushed
    reactor->slot_.Release();
    reactor->Finish(grpc::Status::OK);
  }
}

void QueryReactor::OnWriteDone(bool ok) {
  if (!ok) {
    Complete(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    return;
  }
  absl::MutexLock lock(&queue_->mu);
  if (queue_->reactor != nullptr) WriteNextLocked(*queue_);
}

void QueryReactor::OnCancel() {
  Complete(grpc::Status(grpc::StatusCode::CANCELLED, "the query was cancelled"));
}

void QueryReactor::Complete(const grpc::Status& status) {
  {
    absl::MutexLock lock(&queue_->mu);
    if (queue_->reactor == nullptr) return;  // finished already
    queue_->reactor = nullptr;
  }
  if (ticket_ != 0) context_.queries->Cancel(ticket_);
  slot_.Release();
  Finish(status);
}

}  // namespace swarmkv
