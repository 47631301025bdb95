#include "api/node_service.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "api/content_put.h"
#include "api/content_read.h"
#include "api/get_reactor.h"
#include "api/node_status.h"
#include "api/put_reactor.h"
#include "api/query_reactor.h"
#include "api/subscribe_reactor.h"
#include "api/targets.h"
#include "base/status_macros.h"
#include "replication/network_block_source.h"
#include "rpc/grpc_status.h"
#include "storage/content_pins.h"
#include "storage/manifest.h"

namespace swarmkv {
namespace {

// Streams the pin list; loads it on the pool first.
class ListPinsReactor : public grpc::ServerWriteReactor<v1::ListPinsResponse> {
 public:
  ListPinsReactor(ServiceContext& context, grpc::CallbackServerContext* call) : context_(context) {
    auto slot = context_.Admit(*call);
    if (!slot.ok()) {
      Finish(ToGrpcStatus(slot.status()));
      return;
    }
    slot_ = std::move(slot).value();
    context_.pool.Post([this] {
      auto pins = context_.store.ListPins();
      if (!pins.ok()) {
        Complete(ToGrpcStatus(pins.status()));
        return;
      }
      pins_ = std::move(pins).value();
      WriteNext();
    });
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      Complete(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
      return;
    }
    WriteNext();
  }
  void OnDone() override { delete this; }

 private:
  // Releases the call's slot (see CallSlot), then finishes.
  void Complete(const grpc::Status& status) {
    slot_.Release();
    Finish(status);
  }

  void WriteNext() {
    if (next_ == pins_.size()) {
      Complete(grpc::Status::OK);
      return;
    }
    const PinnedRoot& pin = pins_[next_++];
    response_.set_cid(pin.root.ToString());
    response_.set_name(pin.name);
    response_.set_pinned_at(absl::ToUnixSeconds(pin.pinned_at));
    StartWrite(&response_);
  }

  ServiceContext& context_;
  CallSlot slot_;
  std::vector<PinnedRoot> pins_;
  size_t next_ = 0;
  v1::ListPinsResponse response_;
};

// Most records a ListRecords answer carries (each up to 64 KiB of value).
constexpr uint32_t kMaxListedRecords = 1000;

void FillRecord(const Record& record, v1::GetRecordResponse* out) {
  out->set_value(record.value);
  out->set_sequence(record.sequence);
  out->set_publisher(record.publisher_id().ToString());
  out->set_expires_at_unix(record.expires_at);
  out->set_name(record.Name());
  out->set_encrypted(record.encrypted);
}

grpc::ServerUnaryReactor* FinishedUnary(grpc::CallbackServerContext* call,
                                        const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

// A server stream that ends at once with `status`.
template <typename Response>
class FinishedStream : public grpc::ServerWriteReactor<Response> {
 public:
  explicit FinishedStream(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

template <typename Work>
grpc::ServerUnaryReactor* NodeService::RunUnary(grpc::CallbackServerContext* call, Work work) {
  return RunUnary(
      call, [] { return false; }, std::move(work));
}

template <typename Quick, typename Work>
grpc::ServerUnaryReactor* NodeService::RunUnary(grpc::CallbackServerContext* call, Quick quick,
                                                Work work) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  auto slot = context_.Admit(*call);
  if (!slot.ok()) {
    reactor->Finish(ToGrpcStatus(slot.status()));
    return reactor;
  }
  if (quick()) {
    slot->Release();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  // shared_ptr only because ThreadPool tasks are std::function, which must be copyable.
  auto held = std::make_shared<CallSlot>(std::move(slot).value());
  context_.pool.Post([reactor, held, work = std::move(work)]() mutable {
    const absl::Status status = work();
    held->Release();
    reactor->Finish(ToGrpcStatus(status));
  });
  return reactor;
}

grpc::ServerReadReactor<v1::PutRequest>* NodeService::Put(grpc::CallbackServerContext* call,
                                                          v1::PutResponse* response) {
  return new PutReactor(context_, call, response);
}

grpc::ServerUnaryReactor* NodeService::Write(grpc::CallbackServerContext* call,
                                             const v1::WriteRequest* request,
                                             v1::PutResponse* response) {
  return RunUnary(call, [this, request, response]() -> absl::Status {
    // The server's message limit already refuses a larger message; this names the setting.
    if (request->data().size() > context_.options.max_chunk_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat("Write of ", request->data().size(), " bytes is over the limit of ",
                       context_.options.max_chunk_bytes, " (api.max_chunk_bytes); use Put"));
    }
    SWARMKV_ASSIGN_OR_RETURN(std::unique_ptr<ContentWriter> writer,
                             CreateContentWriter(context_, request->header()));
    SWARMKV_RETURN_IF_ERROR(writer->Write(request->data()));
    SWARMKV_ASSIGN_OR_RETURN(PlacedContent placed,
                             FinishAndPlace(context_, *writer, request->header().pin()));
    FillPutResponse(placed, response);
    return absl::OkStatus();
  });
}

grpc::ServerWriteReactor<v1::GetResponse>* NodeService::Get(grpc::CallbackServerContext* call,
                                                            const v1::GetRequest* request) {
  return new GetReactor(context_, call, request);
}

grpc::ServerUnaryReactor* NodeService::Read(grpc::CallbackServerContext* call,
                                            const v1::GetRequest* request,
                                            v1::ReadResponse* response) {
  return RunUnary(
      call,
      [this, request, response] { return ReadFromMemory(context_.store, *request, response); },
      [this, request, response] { return ReadFromSwarm(context_, *request, response); });
}

grpc::ServerUnaryReactor* NodeService::Stat(grpc::CallbackServerContext* call,
                                            const v1::StatRequest* request,
                                            v1::StatResponse* response) {
  return RunUnary(call, [this, request, response]() -> absl::Status {
    SWARMKV_ASSIGN_OR_RETURN(Capability capability, ParseTarget(request->target()));
    return FillStat(context_.store, capability.root(), response);
  });
}

grpc::ServerUnaryReactor* NodeService::Pin(grpc::CallbackServerContext* call,
                                           const v1::PinRequest* request, v1::PinResponse*) {
  return RunUnary(call, [this, request]() -> absl::Status {
    SWARMKV_ASSIGN_OR_RETURN(Capability capability, ParseTarget(request->target()));
    const Cid& root = capability.root();
    if (context_.swarm == nullptr) {
      auto present = context_.store.Has(root);
      if (present.ok() && !*present) {
        return absl::NotFoundError(
            absl::StrCat("content ", root.ToString(), " is not on this node"));
      }
      return PinContent(context_.store, root, request->name(), absl::Now());
    }
    // In a swarm the content's blocks may be anywhere: fetch the missing ones, then pin. A
    // block handed off by maintenance in between makes the pin fail cleanly; one retry
    // fetches it back.
    absl::Status pinned;
    for (int attempt = 0; attempt < 2; ++attempt) {
      SWARMKV_RETURN_IF_ERROR(FetchContent(root));
      pinned = PinContent(context_.store, root, request->name(), absl::Now());
      if (!absl::IsFailedPrecondition(pinned)) break;
    }
    SWARMKV_RETURN_IF_ERROR(pinned);
    context_.swarm->Announce(root);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NodeService::Unpin(grpc::CallbackServerContext* call,
                                             const v1::UnpinRequest* request, v1::UnpinResponse*) {
  return RunUnary(call, [this, request]() -> absl::Status {
    SWARMKV_ASSIGN_OR_RETURN(Capability capability, ParseTarget(request->target()));
    return UnpinContent(context_.store, capability.root());
  });
}

grpc::ServerWriteReactor<v1::ListPinsResponse>* NodeService::ListPins(
    grpc::CallbackServerContext* call, const v1::ListPinsRequest*) {
  return new ListPinsReactor(context_, call);
}

grpc::ServerUnaryReactor* NodeService::Info(grpc::CallbackServerContext* call,
                                            const v1::InfoRequest*, v1::InfoResponse* response) {
  return RunUnary(call, [this, response]() -> absl::Status {
    FillInfo(context_, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NodeService::Scrub(grpc::CallbackServerContext* call,
                                             const v1::ScrubRequest*, v1::ScrubResponse* response) {
  return RunUnary(call, [this, call, response]() -> absl::Status {
    if (context_.scrubber == nullptr) return absl::UnavailableError("this node has no scrubber");
    SWARMKV_ASSIGN_OR_RETURN(ScrubReport report, context_.scrubber->FullPass([this, call] {
      return call->IsCancelled() || context_.stopping.load();
    }));
    FillScrubCounts(report.counts, response->mutable_counts());
    response->set_seconds(absl::ToDoubleSeconds(report.elapsed));
    for (const Cid& cid : report.lost) response->add_lost(cid.ToString());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NodeService::Publish(grpc::CallbackServerContext* call,
                                               const v1::PublishRequest* request,
                                               v1::PublishResponse* response) {
  auto slot = context_.Admit(*call);
  if (!slot.ok()) return FinishedUnary(call, ToGrpcStatus(slot.status()));
  if (request->topic() == "query" || request->topic() == "result") {
    slot->Release();
    return FinishedUnary(
        call,
        ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
            "topic \"", request->topic(), "\" is reserved for broadcast queries; use Query"))));
  }
  // Signing is quick (tens of microseconds): no need for the pool.
  absl::StatusOr<MessageId> id = context_.pubsub->Publish(request->topic(), request->data());
  if (id.ok()) {
    response->set_message_id(absl::StrCat(id->origin.ToString(), "/", id->sequence));
  }
  slot->Release();
  return FinishedUnary(call, ToGrpcStatus(id.status()));
}

grpc::ServerWriteReactor<v1::SubscribeResponse>* NodeService::Subscribe(
    grpc::CallbackServerContext* call, const v1::SubscribeRequest* request) {
  return new SubscribeReactor(context_, subscribe_streams_, call, *request);
}

grpc::ServerWriteReactor<v1::QueryResponse>* NodeService::Query(grpc::CallbackServerContext* call,
                                                                const v1::QueryRequest* request) {
  return new QueryReactor(context_, call, *request);
}

absl::StatusOr<Records*> NodeService::RecordsOrError() const {
  if (context_.records == nullptr) {
    return absl::FailedPreconditionError(
        "records live in the swarm: this node runs with peer networking off (--peer-listen off)");
  }
  return context_.records;
}

grpc::ServerUnaryReactor* NodeService::PutRecord(grpc::CallbackServerContext* call,
                                                 const v1::PutRecordRequest* request,
                                                 v1::PutRecordResponse* response) {
  return RunUnary(call, [this, request, response]() -> absl::Status {
    SWARMKV_ASSIGN_OR_RETURN(Records * records, RecordsOrError());
    SWARMKV_ASSIGN_OR_RETURN(
        Published published,
        records->Set(request->key(), request->value(), request->sequence(), request->secret()));
    response->set_sequence(published.record.sequence);
    response->set_name(published.record.Name());
    response->set_replicas(static_cast<uint32_t>(published.copies));
    response->set_expires_at_unix(published.record.expires_at);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NodeService::GetRecord(grpc::CallbackServerContext* call,
                                                 const v1::GetRecordRequest* request,
                                                 v1::GetRecordResponse* response) {
  return RunUnary(call, [this, request, response]() -> absl::Status {
    SWARMKV_ASSIGN_OR_RETURN(Records * records, RecordsOrError());
    SWARMKV_ASSIGN_OR_RETURN(RecordName name, ParseRecordName(request->key()));
    SWARMKV_ASSIGN_OR_RETURN(Record record, records->Resolve(name));
    if (record.encrypted) {
      if (request->secret().empty()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "record ", record.Name(), " is encrypted: resolve it with the secret it was set with"));
      }
      SWARMKV_ASSIGN_OR_RETURN(record.value,
                               OpenRecordValue(request->secret(), record.Name(), record.value));
    }
    FillRecord(record, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NodeService::DeleteRecord(grpc::CallbackServerContext* call,
                                                    const v1::DeleteRecordRequest* request,
                                                    v1::DeleteRecordResponse* response) {
  return RunUnary(call, [this, request, response]() -> absl::Status {
    SWARMKV_ASSIGN_OR_RETURN(Records * records, RecordsOrError());
    SWARMKV_ASSIGN_OR_RETURN(Published deleted, records->Delete(request->key()));
    response->set_sequence(deleted.record.sequence);
    response->set_name(deleted.record.Name());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NodeService::ListRecords(grpc::CallbackServerContext* call,
                                                   const v1::ListRecordsRequest* request,
                                                   v1::ListRecordsResponse* response) {
  return RunUnary(call, [this, request, response]() -> absl::Status {
    SWARMKV_ASSIGN_OR_RETURN(Records * records, RecordsOrError());
    const uint32_t limit = request->limit() == 0 || request->limit() > kMaxListedRecords
                               ? kMaxListedRecords
                               : request->limit();
    SWARMKV_ASSIGN_OR_RETURN(std::vector<Record> own,
                             records->ListOwn(request->prefix(), limit + 1));
    response->set_truncated(own.size() > limit);
    if (own.size() > limit) own.pop_back();
    for (const Record& r : own) FillRecord(r, response->add_records());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NodeService::Peers(grpc::CallbackServerContext* call,
                                             const v1::PeersRequest*, v1::PeersResponse* response) {
  return RunUnary(call,
                  [this, response]() -> absl::Status { return FillPeers(context_, response); });
}

absl::Status NodeService::FetchContent(const Cid& root) {
  NetworkBlockSource source(context_.store, context_.swarm);
  SWARMKV_ASSIGN_OR_RETURN(std::vector<Cid> blocks, ListContentBlocks(source, root));
  std::vector<Cid> missing;
  for (const Cid& block : blocks) {
    SWARMKV_ASSIGN_OR_RETURN(bool held, context_.store.Has(block));
    if (!held) missing.push_back(block);
  }
  constexpr size_t kBatch = 8;  // fetched together, as a reader's read-ahead would
  for (size_t start = 0; start < missing.size(); start += kBatch) {
    const size_t end = std::min(missing.size(), start + kBatch);
    source.WillRead(std::vector<Cid>(missing.begin() + start, missing.begin() + end));
    for (size_t i = start; i < end; ++i) SWARMKV_RETURN_IF_ERROR(source.Get(missing[i]).status());
  }
  return absl::OkStatus();
}

}  // namespace swarmkv
