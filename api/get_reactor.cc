#include "api/get_reactor.h"

#include "api/grpc_status.h"
#include "api/targets.h"

namespace swarmkv {

GetReactor::GetReactor(ServiceContext& context, grpc::CallbackServerContext* call,
                       const v1::GetRequest* request)
    : context_(context), call_(call) {
  absl::Status admitted = context_.BeginCall(*call_);
  if (!admitted.ok()) {
    Finish(ToGrpcStatus(admitted));
    return;
  }
  counted_ = true;
  // The request lives until the call is done, but copy what the task needs to be plain.
  context_.pool.Post([this, request = *request] { Open(request); });
}

void GetReactor::Open(const v1::GetRequest& request) {
  auto capability = ParseTarget(request.target(), request.key());
  if (!capability.ok()) {
    Finish(ToGrpcStatus(capability.status()));
    return;
  }
  ByteRange range;
  range.offset = request.offset();
  if (request.has_length()) range.length = request.length();
  auto reader = ContentReader::Open(context_.store, *capability, range);
  if (!reader.ok()) {
    Finish(ToGrpcStatus(reader.status()));
    return;
  }
  reader_ = std::move(reader).value();
  auto first = reader_->Next(&ahead_);
  if (!first.ok()) {
    Finish(ToGrpcStatus(first.status()));
    return;
  }
  have_ahead_ = *first;
  WriteNext();
}

void GetReactor::WriteNext() {
  if (call_->IsCancelled()) {
    Finish(grpc::Status(grpc::StatusCode::CANCELLED, "Get cancelled"));
    return;
  }
  if (!have_ahead_ && !first_) {
    Finish(grpc::Status::OK);
    return;
  }
  // This message: the piece read ahead (or nothing, for empty content or range).
  response_.Clear();
  if (have_ahead_) response_.mutable_chunk()->swap(ahead_);
  if (first_) response_.set_total_size(reader_->size());
  first_ = false;
  auto more = have_ahead_ ? reader_->Next(&ahead_) : absl::StatusOr<bool>(false);
  if (!more.ok()) {
    Finish(ToGrpcStatus(more.status()));
    return;
  }
  have_ahead_ = *more;
  if (!have_ahead_) {
    StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    return;
  }
  StartWrite(&response_);
}

void GetReactor::OnWriteDone(bool ok) {
  if (!ok) {
    Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    return;
  }
  context_.pool.Post([this] { WriteNext(); });
}

void GetReactor::OnDone() {
  if (counted_) context_.EndCall();
  delete this;
}

}  // namespace swarmkv
