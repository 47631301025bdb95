#include "replication/peer_service.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "rpc/grpc_status.h"

namespace swarmkv {
namespace {

using peer::v1::PeerContact;

absl::StatusOr<Cid> CidField(const std::string& bytes) {
  auto cid = Cid::FromBytes(bytes);
  if (!cid.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("cid field: ", cid.status().message()));
  }
  return cid;
}

absl::StatusOr<DhtKey> KeyField(const std::string& bytes, absl::string_view field) {
  std::optional<DhtKey> key = DigestFromBytes(bytes);
  if (!key.has_value()) return absl::InvalidArgumentError(absl::StrCat(field, " must be 32 bytes"));
  return *key;
}

void AppendContacts(const std::vector<Contact>& contacts,
                    google::protobuf::RepeatedPtrField<PeerContact>* out) {
  for (const Contact& c : contacts) {
    PeerContact* p = out->Add();
    p->set_id(std::string(c.id.bytes().begin(), c.id.bytes().end()));
    p->set_address(c.address);
  }
}

grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* call, const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace

absl::StatusOr<Contact> PeerService::Admit(grpc::CallbackServerContext* call,
                                           const peer::v1::Caller& caller, size_t request_bytes) {
  SWARMKV_ASSIGN_OR_RETURN(PeerCaller admitted,
                           server_.Admit(*call, caller.listen_port(), request_bytes));
  Contact contact{admitted.id, std::move(admitted.address), absl::InfinitePast()};
  // An address-less caller (listen_port 0) is served but not added to the table.
  SWARMKV_RETURN_IF_ERROR(swarm_.OnPeerContact(contact));
  return contact;
}

grpc::ServerUnaryReactor* PeerService::Ping(grpc::CallbackServerContext* call,
                                            const peer::v1::PingRequest* request,
                                            peer::v1::PingResponse*) {
  return Finish(call, Admit(call, request->caller(), 0).status());
}

grpc::ServerUnaryReactor* PeerService::FindNode(grpc::CallbackServerContext* call,
                                                const peer::v1::FindNodeRequest* request,
                                                peer::v1::FindNodeResponse* response) {
  auto caller = Admit(call, request->caller(), 0);
  if (!caller.ok()) return Finish(call, caller.status());
  auto target = KeyField(request->target(), "target");
  if (!target.ok()) return Finish(call, target.status());
  AppendContacts(swarm_.HandleFindNode(*target), response->mutable_closer());
  return Finish(call, absl::OkStatus());
}

grpc::ServerUnaryReactor* PeerService::FindValue(grpc::CallbackServerContext* call,
                                                 const peer::v1::FindValueRequest* request,
                                                 peer::v1::FindValueResponse* response) {
  auto caller = Admit(call, request->caller(), 0);
  if (!caller.ok()) return Finish(call, caller.status());
  auto cid = CidField(request->cid());
  if (!cid.ok()) return Finish(call, cid.status());
  auto fill = [response](FindValueResult result) {
    if (result.block.has_value()) {
      response->set_block(std::move(*result.block));
    } else {
      AppendContacts(result.providers, response->mutable_providers());
      AppendContacts(result.closer, response->mutable_closer());
    }
  };
  // A block in memory (or none) is answered here; one that needs the disk, on the pool.
  if (std::optional<FindValueResult> result = swarm_.HandleFindValueFromMemory(*cid)) {
    fill(*std::move(result));
    return Finish(call, absl::OkStatus());
  }
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  pool_.Post([this, reactor, fill, cid = *std::move(cid)] {
    fill(swarm_.HandleFindValue(cid));
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* PeerService::Store(grpc::CallbackServerContext* call,
                                             const peer::v1::StoreRequest* request,
                                             peer::v1::StoreResponse*) {
  auto caller = Admit(call, request->caller(), request->block().size());
  if (!caller.ok()) return Finish(call, caller.status());
  auto cid = CidField(request->cid());
  if (!cid.ok()) return Finish(call, cid.status());
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  // Verifying, sealing and (with sync on) an fsync: off the gRPC thread.
  pool_.Post([this, reactor, request, caller = *std::move(caller), cid = *std::move(cid)] {
    reactor->Finish(ToGrpcStatus(swarm_.HandleStore(caller, cid, request->block())));
  });
  return reactor;
}

grpc::ServerUnaryReactor* PeerService::AddProvider(grpc::CallbackServerContext* call,
                                                   const peer::v1::AddProviderRequest* request,
                                                   peer::v1::AddProviderResponse*) {
  auto caller = Admit(call, request->caller(), 0);
  if (!caller.ok()) return Finish(call, caller.status());
  if (caller->address.empty()) {
    return Finish(call, absl::InvalidArgumentError(
                            "a provider must listen for peers (caller.listen_port is 0)"));
  }
  auto cid = CidField(request->cid());
  if (!cid.ok()) return Finish(call, cid.status());
  swarm_.HandleAddProvider(*caller, *cid);
  return Finish(call, absl::OkStatus());
}

grpc::ServerUnaryReactor* PeerService::GetProviders(grpc::CallbackServerContext* call,
                                                    const peer::v1::GetProvidersRequest* request,
                                                    peer::v1::GetProvidersResponse* response) {
  auto caller = Admit(call, request->caller(), 0);
  if (!caller.ok()) return Finish(call, caller.status());
  auto cid = CidField(request->cid());
  if (!cid.ok()) return Finish(call, cid.status());
  ProvidersResult result = swarm_.HandleGetProviders(*cid);
  AppendContacts(result.providers, response->mutable_providers());
  AppendContacts(result.closer, response->mutable_closer());
  return Finish(call, absl::OkStatus());
}

grpc::ServerUnaryReactor* PeerService::Have(grpc::CallbackServerContext* call,
                                            const peer::v1::HaveRequest* request,
                                            peer::v1::HaveResponse* response) {
  auto caller = Admit(call, request->caller(), 0);
  if (!caller.ok()) return Finish(call, caller.status());
  if (static_cast<size_t>(request->cids_size()) > kMaxHaveBatch) {
    return Finish(call, absl::ResourceExhaustedError(absl::StrCat(
                            "HAVE of ", request->cids_size(), " CIDs is over ", kMaxHaveBatch)));
  }
  std::vector<Cid> cids;
  cids.reserve(request->cids_size());
  for (const std::string& bytes : request->cids()) {
    auto cid = CidField(bytes);
    if (!cid.ok()) return Finish(call, cid.status());
    cids.push_back(*std::move(cid));
  }
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  // Up to 1,024 store lookups: off the gRPC thread.
  pool_.Post([this, reactor, response, cids = std::move(cids)] {
    auto have = swarm_.HandleHave(cids);
    if (have.ok()) {
      for (bool h : *have) response->add_have(h);
    }
    reactor->Finish(ToGrpcStatus(have.status()));
  });
  return reactor;
}

grpc::ServerUnaryReactor* PeerService::Prove(grpc::CallbackServerContext* call,
                                             const peer::v1::ProveRequest* request,
                                             peer::v1::ProveResponse* response) {
  auto caller = Admit(call, request->caller(), 0);
  if (!caller.ok()) return Finish(call, caller.status());
  auto cid = CidField(request->cid());
  if (!cid.ok()) return Finish(call, cid.status());
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  // A store read and a hash over the block: off the gRPC thread.
  pool_.Post([this, reactor, request, response, cid = *std::move(cid)] {
    absl::StatusOr<Digest256> proof = swarm_.HandleProve(cid, request->nonce());
    if (proof.ok()) response->set_proof(std::string(DigestView(*proof)));
    reactor->Finish(ToGrpcStatus(proof.status()));
  });
  return reactor;
}

grpc::ServerUnaryReactor* PeerService::PutRecord(grpc::CallbackServerContext* call,
                                                 const peer::v1::PutRecordRequest* request,
                                                 peer::v1::PutRecordResponse* response) {
  auto caller = Admit(call, request->caller(), request->record().size());
  if (!caller.ok()) return Finish(call, caller.status());
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  // A signature check and a synced write: off the gRPC thread.
  pool_.Post([this, reactor, request, response, caller = *std::move(caller)] {
    absl::StatusOr<std::string> newer = swarm_.HandlePutRecord(caller, request->record());
    if (newer.ok()) response->set_newer(*std::move(newer));
    reactor->Finish(ToGrpcStatus(newer.status()));
  });
  return reactor;
}

grpc::ServerUnaryReactor* PeerService::GetRecord(grpc::CallbackServerContext* call,
                                                 const peer::v1::GetRecordRequest* request,
                                                 peer::v1::GetRecordResponse* response) {
  auto caller = Admit(call, request->caller(), 0);
  if (!caller.ok()) return Finish(call, caller.status());
  auto key = KeyField(request->dht_key(), "dht_key");
  if (!key.ok()) return Finish(call, key.status());
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  pool_.Post([this, reactor, response, key = *key] {
    absl::StatusOr<RecordAnswer> answer = swarm_.HandleGetRecord(key);
    if (answer.ok()) {
      response->set_record(std::move(answer->record));
      AppendContacts(answer->closer, response->mutable_closer());
    }
    reactor->Finish(ToGrpcStatus(answer.status()));
  });
  return reactor;
}

}  // namespace swarmkv
