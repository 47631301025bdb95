#include "api/put_reactor.h"

#include "absl/strings/str_cat.h"
#include "api/grpc_status.h"
#include "base/logging.h"
#include "storage/content_pins.h"
#include "storage/manifest.h"

namespace swarmkv {
namespace {

absl::StatusOr<ContentMode> ModeFromProto(v1::EncryptionMode mode) {
  switch (mode) {
    case v1::ENCRYPTION_MODE_UNSPECIFIED:
    case v1::ENCRYPTION_MODE_RANDOM:
      return ContentMode::kRandom;
    case v1::ENCRYPTION_MODE_CONVERGENT:
      return ContentMode::kConvergent;
    case v1::ENCRYPTION_MODE_PLAIN:
      return ContentMode::kPlain;
    default:
      return absl::InvalidArgumentError(absl::StrCat("unknown encryption mode ", mode));
  }
}

}  // namespace

PutReactor::PutReactor(ServiceContext& context, grpc::CallbackServerContext* call,
                       v1::PutResponse* response)
    : context_(context), call_(call), response_(response) {
  auto slot = context_.Admit(*call_);
  if (!slot.ok()) {
    Finish(ToGrpcStatus(slot.status()));
    return;
  }
  slot_ = std::move(slot).value();
  StartRead(&request_);
}

void PutReactor::OnReadDone(bool ok) {
  if (!ok) {
    // The client closed its side, or the call was cancelled (deadline, disconnect).
    if (call_->IsCancelled()) {
      Complete(grpc::Status(grpc::StatusCode::CANCELLED, "Put cancelled; nothing was stored"));
      return;
    }
    context_.pool.Post([this] { FinishContent(); });
    return;
  }
  // A header, or a chunk that only fills the writer's buffer, costs no more than a copy: handle
  // it here rather than pay a thread hop for it. Anything that seals or writes goes to the pool.
  if (request_.has_header() || writer_ == nullptr ||
      (request_.chunk().size() <= context_.options.max_chunk_bytes &&
       writer_->WriteOnlyBuffers(request_.chunk().size()))) {
    HandleMessage();
    return;
  }
  context_.pool.Post([this] { HandleMessage(); });
}

void PutReactor::HandleMessage() {
  if (request_.has_header()) {
    if (writer_ != nullptr) {
      FinishWith(absl::InvalidArgumentError("Put stream has a second header"));
      return;
    }
    const v1::PutHeader& header = request_.header();
    auto mode = ModeFromProto(header.mode());
    if (!mode.ok()) {
      FinishWith(mode.status());
      return;
    }
    ContentWriterOptions options;
    options.mode = *mode;
    if (header.chunk_size() != 0) options.chunk_size = header.chunk_size();
    options.convergence_secret = &context_.convergence_secret;
    options.pin = header.pin();
    header_pin_ = header.pin();
    options.pin_name = header.name();
    auto writer = ContentWriter::Create(context_.store, std::move(options));
    if (!writer.ok()) {
      FinishWith(writer.status());
      return;
    }
    writer_ = std::move(writer).value();
  } else {
    if (writer_ == nullptr) {
      FinishWith(absl::InvalidArgumentError("Put stream must start with a PutHeader"));
      return;
    }
    const std::string& chunk = request_.chunk();
    if (chunk.size() > context_.options.max_chunk_bytes) {
      FinishWith(absl::ResourceExhaustedError(absl::StrCat("Put chunk of ", chunk.size(),
                                                           " bytes is over the limit of ",
                                                           context_.options.max_chunk_bytes)));
      return;
    }
    absl::Status written = writer_->Write(chunk);
    if (!written.ok()) {
      FinishWith(written);
      return;
    }
  }
  StartRead(&request_);
}

void PutReactor::FinishContent() {
  if (writer_ == nullptr) {
    FinishWith(absl::InvalidArgumentError("Put stream ended without a PutHeader"));
    return;
  }
  // Keeps garbage collection and hand-offs away from the new blocks until they are replicated.
  BlockStore::WriteSession session = context_.store.BeginWriteSession();
  auto info = writer_->Finish();
  writer_.reset();
  if (!info.ok()) {
    FinishWith(info.status());
    return;
  }
  response_->set_cid(info->capability.root().ToString());
  if (info->capability.has_key()) {
    const SecretBytes& key = info->capability.key();
    response_->set_key(key.view().data(), key.size());
  }
  response_->set_capability(info->capability.ToUri());
  response_->set_size(info->size);
  response_->set_chunks(info->chunks);
  response_->set_replicas(1);
  if (context_.swarm != nullptr) {
    absl::Status placed = Replicate(info->capability.root());
    if (!placed.ok()) {
      FinishWith(placed);
      return;
    }
  }
  LogEvent(LogLevel::kInfo, "api.put",
           {{"cid", response_->cid()},
            {"bytes", info->size},
            {"chunks", info->chunks},
            {"replicas", response_->replicas()}});
  FinishWith(absl::OkStatus());
}

absl::Status PutReactor::Replicate(const Cid& root) {
  Swarm& swarm = *context_.swarm;
  auto blocks = ListContentBlocks(context_.store, root);
  if (!blocks.ok()) return blocks.status();
  auto copies = swarm.Replicate(*blocks);
  if (!copies.ok()) return copies.status();
  response_->set_replicas(static_cast<uint32_t>(*copies));
  // Pinned content is announced: its holder serves it even once the blocks' responsible nodes
  // change.
  if (header_pin_) swarm.Announce(root);
  const size_t quorum = swarm.EffectiveWriteQuorum();
  if (*copies < quorum) {
    return absl::UnavailableError(
        absl::StrCat("content ", root.ToString(), " is stored on this node but only ", *copies,
                     " node(s) hold a copy, below the write quorum of ", quorum,
                     "; too few peers answered (retry, or check `swarmkv peers`)"));
  }
  return absl::OkStatus();
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
