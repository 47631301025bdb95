#include "api/put_reactor.h"

#include "absl/strings/str_cat.h"
#include "api/content_put.h"
#include "base/status_macros.h"
#include "rpc/grpc_status.h"

namespace swarmkv {

PutReactor::PutReactor(ServiceContext& context, grpc::CallbackServerContext* call,
                       v1::PutResponse* response)
    : context_(context), call_(call), response_(response) {
  auto slot = context_.Admit(*call_);
  if (!slot.ok()) {
    Finish(ToGrpcStatus(slot.status()));
    return;
  }
  slot_ = std::move(slot).value();
  {
    absl::MutexLock lock(&mu_);
    read_outstanding_ = true;
  }
  StartRead(&reading_);
}

void PutReactor::OnReadDone(bool ok) {
  Task first = Task::kNone;
  bool read_next = false;
  {
    absl::MutexLock lock(&mu_);
    read_outstanding_ = false;
    if (finished_) return;  // the call was already answered (an error); nothing more to do
    if (!ok) {
      // The client closed its side, or the call was cancelled (deadline, disconnect). A busy
      // worker ends the call once it is done with what it has.
      client_done_ = true;
      if (worker_busy_) return;
      worker_busy_ = true;
      first = Task::kEnd;
    } else if (worker_busy_) {
      // Park it; the next read starts when the worker takes it, so at most one message waits.
      pending_.Swap(&reading_);
      has_pending_ = true;
    } else {
      working_.Swap(&reading_);
      worker_busy_ = true;
      first = Task::kMessage;
      // Read ahead: the next message arrives while the worker seals and writes this one.
      read_outstanding_ = read_next = true;
    }
  }
  if (read_next) StartRead(&reading_);
  if (first != Task::kNone) Work(first, /*on_pool=*/false);
}

PutReactor::Task PutReactor::TakeTaskLocked(bool* read_next) {
  if (has_pending_) {
    working_.Swap(&pending_);
    has_pending_ = false;
    if (!client_done_ && !read_outstanding_) read_outstanding_ = *read_next = true;
    return Task::kMessage;
  }
  if (client_done_) return Task::kEnd;
  worker_busy_ = false;
  return Task::kNone;
}

bool PutReactor::IsCheap(const v1::PutRequest& message) const {
  // A header, or a chunk that only fills the writer's buffer, costs no more than a copy.
  return message.has_header() || writer_ == nullptr ||
         (message.chunk().size() <= context_.options.max_chunk_bytes &&
          writer_->WriteOnlyBuffers(message.chunk().size()));
}

void PutReactor::Work(Task task, bool on_pool) {
  while (task != Task::kNone) {
    // Cheap messages are handled on the gRPC thread, saving a thread hop; sealing, writing and
    // the end of the content go to the pool.
    if (!on_pool && (task == Task::kEnd || !IsCheap(working_))) {
      context_.pool.Post([this, task] { Work(task, /*on_pool=*/true); });
      return;
    }
    if (task == Task::kEnd) {
      {
        absl::MutexLock lock(&mu_);
        finished_ = true;
      }
      if (call_->IsCancelled()) {
        Complete(grpc::Status(grpc::StatusCode::CANCELLED, "Put cancelled; nothing was stored"));
      } else {
        FinishContent();
      }
      return;
    }
    absl::Status applied = Apply(working_);
    if (!applied.ok()) {
      {
        absl::MutexLock lock(&mu_);
        finished_ = true;  // the worker stays "busy" for good: nothing else runs
      }
      FinishWith(applied);
      return;
    }
    bool read_next = false;
    {
      absl::MutexLock lock(&mu_);
      task = TakeTaskLocked(&read_next);
    }
    if (read_next) StartRead(&reading_);
  }
}

absl::Status PutReactor::Apply(const v1::PutRequest& message) {
  if (message.has_header()) {
    if (writer_ != nullptr) return absl::InvalidArgumentError("Put stream has a second header");
    header_pin_ = message.header().pin();
    SWARMKV_ASSIGN_OR_RETURN(writer_, CreateContentWriter(context_, message.header()));
    return absl::OkStatus();
  }
  if (writer_ == nullptr) {
    return absl::InvalidArgumentError("Put stream must start with a PutHeader");
  }
  const std::string& chunk = message.chunk();
  if (chunk.size() > context_.options.max_chunk_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("Put chunk of ", chunk.size(),
                                                     " bytes is over the limit of ",
                                                     context_.options.max_chunk_bytes));
  }
  return writer_->Write(chunk);
}

void PutReactor::FinishContent() {
  if (writer_ == nullptr) {
    FinishWith(absl::InvalidArgumentError("Put stream ended without a PutHeader"));
    return;
  }
  auto placed = FinishAndPlace(context_, *writer_, header_pin_);
  writer_.reset();
  if (!placed.ok()) {
    FinishWith(placed.status());
    return;
  }
  FillPutResponse(*placed, response_);
  FinishWith(absl::OkStatus());
}

void PutReactor::FinishWith(const absl::Status& status) {
  writer_.reset();  // an unfinished writer leaves nothing visible
  Complete(ToGrpcStatus(status));
}

void PutReactor::Complete(const grpc::Status& status) {
  slot_.Release();
  Finish(status);
}

void PutReactor::OnDone() { delete this; }

}  // namespace swarmkv
