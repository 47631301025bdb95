#include "api/get_reactor.h"

#include "api/content_read.h"
#include "api/targets.h"
#include "rpc/grpc_status.h"

namespace swarmkv {

GetReactor::GetReactor(ServiceContext& context, grpc::CallbackServerContext* call,
                       const v1::GetRequest* request)
    : context_(context), call_(call) {
  auto slot = context_.Admit(*call_);
  if (!slot.ok()) {
    Finish(ToGrpcStatus(slot.status()));
    return;
  }
  slot_ = std::move(slot).value();
  if (TryInline(*request)) return;
  // The request lives until the call is done, but copy what the task needs to be plain.
  context_.pool.Post([this, request = *request] { Open(request); });
}

bool GetReactor::TryInline(const v1::GetRequest& request) {
  auto capability = ParseTarget(request.target(), request.key());
  if (!capability.ok()) return false;
  InMemoryBlocks memory(context_.store);
  auto reader = ContentReader::Open(memory, *capability, RangeOf(request));
  if (!reader.ok() || (*reader)->size() > kInlineReadBytes) return false;
  std::string piece;
  auto first = (*reader)->Next(&piece);
  if (!first.ok()) return false;
  std::string rest;
  auto more = *first ? (*reader)->Next(&rest) : absl::StatusOr<bool>(false);
  if (!more.ok() || *more) return false;  // more than one piece: the streaming path
  response_.set_total_size((*reader)->size());
  response_.mutable_chunk()->swap(piece);
  slot_.Release();  // as in Complete: free the slot before the client sees the end
  StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
  return true;
}

void GetReactor::Open(const v1::GetRequest& request) {
  auto capability = ParseTarget(request.target(), request.key());
  if (!capability.ok()) {
    Complete(ToGrpcStatus(capability.status()));
    return;
  }
  const ByteRange range = RangeOf(request);
  source_ = std::make_unique<NetworkBlockSource>(context_.store,
                                                 request.local_only() ? nullptr : context_.swarm);
  auto reader = ContentReader::Open(*source_, *capability, range);
  if (!reader.ok()) {
    Complete(ToGrpcStatus(reader.status()));
    return;
  }
  reader_ = std::move(reader).value();
  auto first = reader_->Next(&ahead_);
  if (!first.ok()) {
    Complete(ToGrpcStatus(first.status()));
    return;
  }
  have_ahead_ = *first;
  WriteNext();
}

void GetReactor::WriteNext() {
  if (call_->IsCancelled()) {
    Complete(grpc::Status(grpc::StatusCode::CANCELLED, "Get cancelled"));
    return;
  }
  if (!have_ahead_ && !first_) {
    Complete(grpc::Status::OK);
    return;
  }
  // This message: the piece read ahead (or nothing, for empty content or range).
  response_.Clear();
  if (have_ahead_) response_.mutable_chunk()->swap(ahead_);
  if (first_) response_.set_total_size(reader_->size());
  first_ = false;
  auto more = have_ahead_ ? reader_->Next(&ahead_) : absl::StatusOr<bool>(false);
  if (!more.ok()) {
    Complete(ToGrpcStatus(more.status()));
    return;
  }
  have_ahead_ = *more;
  if (!have_ahead_) {
    slot_.Release();  // as in Complete: free the slot before the client sees the end
    StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    return;
  }
  StartWrite(&response_);
}

void GetReactor::OnWriteDone(bool ok) {
  if (!ok) {
    Complete(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    return;
  }
  context_.pool.Post([this] { WriteNext(); });
}

void GetReactor::Complete(const grpc::Status& status) {
  slot_.Release();
  Finish(status);
}

void GetReactor::OnDone() { delete this; }

}  // namespace swarmkv
