// hostile_peer: the attacker of issue 15, for tests against real daemons
// (tests/hostile_peer_test.py, tests/pubsub_test.py). It makes free identities of its own
// ("liars"), each serving the peer protocol over real mutual TLS on 127.0.0.1 and lying in every
// answer:
//   HAVE says yes to everything, PROVE answers random bytes, STORE acknowledges and keeps
//   nothing, FIND_NODE / FIND_VALUE / GET_PROVIDERS hand over the contacts it was told to.
// and it sends the target what a hostile peer would.
//
// usage: hostile_peer <target host:port> <target node id>
// One command per line on stdin, one JSON line per command on stdout:
//   contacts ADDR...       the addresses the liars hand over (each with a fresh random id)
//   liars N [CID]          N new liars (each strictly closer to CID's DHT key than the target when
//                          a CID is given), each announced to the target by a PING
//   store-flood N SIZE     every liar STOREs N random raw blocks of SIZE bytes
//   store-bomb LEVELS      liar 0 STOREs a manifest bomb: LEVELS manifests, each listing the one
//                          below it (a one-byte chunk at the bottom) the most times allowed
//   add-providers I N      liar I announces itself as provider of N random CIDs
//   provide I CID          liar I announces CID
//   get-providers CID      the providers the target returns for CID
//   forge-record KEY       liar 0 PUT_RECORDs a record it signed with another value under KEY
//                          (and liar 1's publisher key, when there is a liar 1)
//   ping I                 liar I pings the target (PERMISSION_DENIED once it is penalized)
//   served                 calls the liars have answered, by method
//   forge-gossip TOPIC     a fresh identity sends a GOSSIP frame signed over other bytes
// Call outcomes are reported as gRPC status code numbers.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "base/clock.h"
#include "base/random.h"
#include "crypto/cid.h"
#include "crypto/identity.h"
#include "crypto/tls_certificate.h"
#include "grpcpp/grpcpp.h"
#include "pubsub/frame.h"
#include "pubsub/message.h"
#include "pubsub/wire_frames.h"
#include "records/record.h"
#include "replication/key_space.h"
#include "rpc/peer_channels.h"
#include "rpc/peer_server.h"
#include "rpc/peer_tls.h"
#include "storage/manifest.h"
#include "swarmkv/peer/v1/gossip.grpc.pb.h"
#include "swarmkv/peer/v1/peer.grpc.pb.h"

namespace swarmkv {
namespace {

namespace pb = peer::v1;

// What every liar hands over as contacts, and what all of them have been asked.
class Lies {
 public:
  void SetContacts(std::vector<pb::PeerContact> contacts) {
    absl::MutexLock lock(&mu_);
    contacts_ = std::move(contacts);
  }
  void AppendContacts(google::protobuf::RepeatedPtrField<pb::PeerContact>* out) const {
    absl::MutexLock lock(&mu_);
    for (const pb::PeerContact& c : contacts_) *out->Add() = c;
  }
  void Count(const char* method) {
    absl::MutexLock lock(&mu_);
    ++served_[method];
  }
  std::map<std::string, int> served() const {
    absl::MutexLock lock(&mu_);
    return served_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<pb::PeerContact> contacts_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> served_ ABSL_GUARDED_BY(mu_);
};

class LyingPeerService final : public pb::Peer::CallbackService {
 public:
  explicit LyingPeerService(Lies& lies) : lies_(lies) {}

  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* call, const pb::PingRequest*,
                                 pb::PingResponse*) override {
    return Answer(call, "ping");
  }
  grpc::ServerUnaryReactor* FindNode(grpc::CallbackServerContext* call, const pb::FindNodeRequest*,
                                     pb::FindNodeResponse* response) override {
    lies_.AppendContacts(response->mutable_closer());
    return Answer(call, "find_node");
  }
  grpc::ServerUnaryReactor* FindValue(grpc::CallbackServerContext* call,
                                      const pb::FindValueRequest*,
                                      pb::FindValueResponse* response) override {
    lies_.AppendContacts(response->mutable_closer());
    return Answer(call, "find_value");
  }
  grpc::ServerUnaryReactor* Store(grpc::CallbackServerContext* call, const pb::StoreRequest*,
                                  pb::StoreResponse*) override {
    return Answer(call, "store");  // acknowledged, kept nowhere
  }
  grpc::ServerUnaryReactor* AddProvider(grpc::CallbackServerContext* call,
                                        const pb::AddProviderRequest*,
                                        pb::AddProviderResponse*) override {
    return Answer(call, "add_provider");
  }
  grpc::ServerUnaryReactor* GetProviders(grpc::CallbackServerContext* call,
                                         const pb::GetProvidersRequest*,
                                         pb::GetProvidersResponse* response) override {
    lies_.AppendContacts(response->mutable_closer());
    return Answer(call, "get_providers");
  }
  grpc::ServerUnaryReactor* Have(grpc::CallbackServerContext* call, const pb::HaveRequest* request,
                                 pb::HaveResponse* response) override {
    for (int i = 0; i < request->cids_size(); ++i) response->add_have(true);
    return Answer(call, "have");
  }
  grpc::ServerUnaryReactor* Prove(grpc::CallbackServerContext* call, const pb::ProveRequest*,
                                  pb::ProveResponse* response) override {
    response->set_proof(std::string(32, 'x'));  // the right length, never the right bytes
    return Answer(call, "prove");
  }

 private:
  grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* call, const char* method) {
    lies_.Count(method);
    grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  Lies& lies_;
};

// One hostile identity: its listener and its channel to the target.
struct Liar {
  Identity identity;
  std::unique_ptr<LyingPeerService> service;
  std::unique_ptr<PeerServer> server;
  std::unique_ptr<pb::Peer::Stub> target;
};

std::unique_ptr<grpc::ClientContext> Deadline() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return context;
}

std::string CodesJson(const std::map<int, int>& codes) {
  std::vector<std::string> parts;
  for (const auto& [code, count] : codes) parts.push_back(absl::StrCat("\"", code, "\":", count));
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

std::string Quoted(absl::string_view text) { return absl::StrCat("\"", text, "\""); }

class HostilePeer {
 public:
  HostilePeer(std::string target, NodeId target_id)
      : target_(std::move(target)), target_id_(target_id) {}
  ~HostilePeer() {
    for (Liar& liar : liars_) liar.server->Shutdown(absl::ZeroDuration());
  }

  // One command line; the JSON line to print.
  std::string Run(const std::vector<std::string>& words) {
    const std::string& command = words[0];
    if (command == "contacts") return SetContacts(words);
    if (command == "liars" && words.size() >= 2) return AddLiars(words);
    if (command == "store-flood" && words.size() == 3) {
      return StoreFlood(std::stoul(words[1]), std::stoul(words[2]));
    }
    if (command == "store-bomb" && words.size() == 2) return StoreBomb(std::stoul(words[1]));
    if (command == "add-providers" && words.size() == 3) {
      return AddProviders(std::stoul(words[1]), std::stoul(words[2]));
    }
    if (command == "provide" && words.size() == 3) return Provide(std::stoul(words[1]), words[2]);
    if (command == "get-providers" && words.size() == 2) return GetProviders(words[1]);
    if (command == "served") return Served();
    if (command == "forge-record" && words.size() == 2) return ForgeRecord(words[1]);
    if (command == "ping" && words.size() == 2) return Ping(std::stoul(words[1]));
    if (command == "forge-gossip" && words.size() == 2) return ForgeGossip(words[1]);
    return absl::StrCat("{\"error\":", Quoted("unknown command or arguments: " + command), "}");
  }

 private:
  std::string SetContacts(const std::vector<std::string>& words) {
    std::vector<pb::PeerContact> contacts;
    for (size_t i = 1; i < words.size(); ++i) {
      pb::PeerContact c;
      c.set_id(random_.Bytes(32));
      c.set_address(words[i]);
      contacts.push_back(std::move(c));
    }
    lies_.SetContacts(std::move(contacts));
    return absl::StrCat("{\"contacts\":", words.size() - 1, "}");
  }

  std::string AddLiars(const std::vector<std::string>& words) {
    const size_t n = std::stoul(words[1]);
    std::optional<DhtKey> closer_to;
    if (words.size() == 3) {
      absl::StatusOr<Cid> cid = Cid::Parse(words[2]);
      if (!cid.ok()) return absl::StrCat("{\"error\":", Quoted(cid.status().message()), "}");
      closer_to = cid->DhtKey();
    }
    std::vector<std::string> ids;
    std::map<int, int> pings;
    for (size_t i = 0; i < n; ++i) {
      Identity identity = Identity::Generate();
      // Closer than the target: a key is found in a few tries on average (the target is at a
      // random distance), bounded so a bad argument cannot spin forever.
      for (int tries = 0; closer_to.has_value() && tries < 1000000 &&
                          !Closer(*closer_to, KeyOf(identity.node_id()), KeyOf(target_id_));
           ++tries) {
        identity = Identity::Generate();
      }
      Liar liar{std::move(identity), nullptr, nullptr, nullptr};
      liar.service = std::make_unique<LyingPeerService>(lies_);
      PeerServerOptions options;
      options.listen = "127.0.0.1:0";
      absl::StatusOr<std::unique_ptr<PeerServer>> server =
          PeerServer::Create(liar.identity, RealClock::Instance(), options);
      if (!server.ok()) return absl::StrCat("{\"error\":", Quoted(server.status().message()), "}");
      liar.server = *std::move(server);
      liar.server->Register(liar.service.get());
      if (absl::Status started = liar.server->Start(); !started.ok()) {
        return absl::StrCat("{\"error\":", Quoted(started.message()), "}");
      }
      liar.target = pb::Peer::NewStub(grpc::CreateCustomChannel(
          target_, PeerChannelCredentials(liar.server->certificate(), target_id_, nullptr),
          PeerChannelArguments()));
      pb::PingRequest ping;
      ping.mutable_caller()->set_listen_port(liar.server->port());
      pb::PingResponse pong;
      ++pings[liar.target->Ping(Deadline().get(), ping, &pong).error_code()];
      ids.push_back(Quoted(liar.identity.node_id().ToString()));
      liars_.push_back(std::move(liar));
    }
    return absl::StrCat("{\"ids\":[", absl::StrJoin(ids, ","), "],\"pings\":", CodesJson(pings),
                        "}");
  }

  std::string StoreFlood(size_t blocks, size_t size) {
    std::map<int, int> codes;
    uint64_t accepted_bytes = 0;
    std::string first_refusal;
    for (Liar& liar : liars_) {
      for (size_t i = 0; i < blocks; ++i) {
        const std::string block = random_.Bytes(size);
        pb::StoreRequest request;
        request.mutable_caller()->set_listen_port(liar.server->port());
        request.set_cid(Cid::Compute(Codec::kRaw, block).ToBytes());
        request.set_block(block);
        pb::StoreResponse response;
        const grpc::Status status = liar.target->Store(Deadline().get(), request, &response);
        ++codes[status.error_code()];
        if (status.ok()) accepted_bytes += size;
        if (!status.ok() && first_refusal.empty()) first_refusal = status.error_message();
      }
    }
    return absl::StrCat("{\"codes\":", CodesJson(codes), ",\"accepted_bytes\":", accepted_bytes,
                        ",\"first_refusal\":", Quoted(first_refusal), "}");
  }

  // Valid blocks all: only a walk that expands every path (8192^LEVELS of them) is hurt.
  std::string StoreBomb(size_t levels) {
    if (liars_.empty()) return "{\"error\":\"no liar to store with\"}";
    std::string block = "x";
    Cid cid = Cid::Compute(Codec::kRaw, block);
    uint64_t size = block.size();
    std::map<int, int> codes;
    for (size_t level = 0; level <= levels; ++level) {
      if (level > 0) {
        ManifestNode node;
        node.chunk_size = 1;
        node.links.assign(kMaxManifestLinks, ManifestLink{cid, size});
        node.total_size = size * kMaxManifestLinks;
        size = node.total_size;
        block = EncodeManifestClearPart(node);
        AppendManifestSealedKeys("", &block);  // plain: no keys
        cid = Cid::Compute(Codec::kManifest, block);
      }
      pb::StoreRequest request;
      request.mutable_caller()->set_listen_port(liars_[0].server->port());
      request.set_cid(cid.ToBytes());
      request.set_block(block);
      pb::StoreResponse response;
      ++codes[liars_[0].target->Store(Deadline().get(), request, &response).error_code()];
    }
    return absl::StrCat("{\"codes\":", CodesJson(codes), ",\"root\":", Quoted(cid.ToString()),
                        ",\"size\":", size, "}");
  }

  std::string AddProviders(size_t liar_index, size_t keys) {
    if (liar_index >= liars_.size()) return "{\"error\":\"no such liar\"}";
    std::map<int, int> codes;
    std::string first, last;
    for (size_t i = 0; i < keys; ++i) {
      const Cid cid = Cid::Compute(Codec::kRaw, random_.Bytes(16));
      ++codes[AnnounceProvider(liars_[liar_index], cid).error_code()];
      if (i == 0) first = cid.ToString();
      last = cid.ToString();
    }
    return absl::StrCat("{\"codes\":", CodesJson(codes), ",\"first\":", Quoted(first),
                        ",\"last\":", Quoted(last), "}");
  }

  std::string Provide(size_t liar_index, const std::string& text) {
    absl::StatusOr<Cid> cid = Cid::Parse(text);
    if (liar_index >= liars_.size() || !cid.ok()) return "{\"error\":\"no such liar or CID\"}";
    return absl::StrCat("{\"code\":", AnnounceProvider(liars_[liar_index], *cid).error_code(), "}");
  }

  grpc::Status AnnounceProvider(Liar& liar, const Cid& cid) {
    pb::AddProviderRequest request;
    request.mutable_caller()->set_listen_port(liar.server->port());
    request.set_cid(cid.ToBytes());
    pb::AddProviderResponse response;
    return liar.target->AddProvider(Deadline().get(), request, &response);
  }

  std::string GetProviders(const std::string& text) {
    absl::StatusOr<Cid> cid = Cid::Parse(text);
    if (liars_.empty() || !cid.ok()) return "{\"error\":\"no liar to ask with, or a bad CID\"}";
    pb::GetProvidersRequest request;  // asks without a listen port: not a contact
    request.set_cid(cid->ToBytes());
    pb::GetProvidersResponse response;
    const grpc::Status status =
        liars_[0].target->GetProviders(Deadline().get(), request, &response);
    std::vector<std::string> ids;
    for (const pb::PeerContact& p : response.providers()) {
      const std::optional<Digest256> id = DigestFromBytes(p.id());
      ids.push_back(Quoted(id.has_value() ? NodeId(*id).ToString() : "malformed"));
    }
    return absl::StrCat("{\"code\":", status.error_code(), ",\"providers\":[",
                        absl::StrJoin(ids, ","), "]}");
  }

  // Signed over "genuine", sent with "forged": no node may store or serve it.
  std::string ForgeRecord(const std::string& key) {
    if (liars_.empty()) return "{\"error\":\"no liar to send with\"}";
    absl::StatusOr<Record> record =
        SignRecord(liars_[0].identity, key, "genuine", 1, absl::Now() + absl::Hours(1));
    if (!record.ok()) return absl::StrCat("{\"error\":", Quoted(record.status().message()), "}");
    record->value = "forged";
    if (liars_.size() > 1) record->publisher = liars_[1].identity.public_key();
    pb::PutRecordRequest request;
    request.mutable_caller()->set_listen_port(liars_[0].server->port());
    request.set_record(EncodeRecord(*record));
    pb::PutRecordResponse response;
    const grpc::Status status = liars_[0].target->PutRecord(Deadline().get(), request, &response);
    return absl::StrCat("{\"code\":", status.error_code(), ",\"name\":", Quoted(record->Name()),
                        "}");
  }

  std::string Ping(size_t liar_index) {
    if (liar_index >= liars_.size()) return "{\"error\":\"no such liar\"}";
    pb::PingRequest ping;
    ping.mutable_caller()->set_listen_port(liars_[liar_index].server->port());
    pb::PingResponse pong;
    return absl::StrCat(
        "{\"code\":", liars_[liar_index].target->Ping(Deadline().get(), ping, &pong).error_code(),
        "}");
  }

  std::string Served() const {
    std::vector<std::string> parts;
    for (const auto& [method, count] : lies_.served()) {
      parts.push_back(absl::StrCat(Quoted(method), ":", count));
    }
    return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
  }

  // A message with valid framing and a real origin key, but signed over other bytes: payload
  // "genuine" signed, "forged" sent. The target must drop it silently.
  std::string ForgeGossip(const std::string& topic) {
    const Identity identity = Identity::Generate();
    absl::StatusOr<TlsCertificate> certificate = MakeSelfSignedCertificate(identity, absl::Now());
    if (!certificate.ok()) return "{\"error\":\"no certificate\"}";
    auto stub = pb::Gossip::NewStub(grpc::CreateCustomChannel(
        target_, PeerChannelCredentials(*certificate, target_id_, nullptr),
        PeerChannelArguments()));
    GossipMessage message = SignMessage(identity, 1, topic, "genuine");
    message.payload = "forged";
    message.hops = 1;
    Frame frame = MakeFrame(Frame::Kind::kGossip, topic);
    frame.message = message;
    pb::DeliverRequest request;
    EncodeFrame(frame, request.add_frames());
    pb::DeliverResponse response;
    return absl::StrCat(
        "{\"code\":", stub->Deliver(Deadline().get(), request, &response).error_code(), "}");
  }

  const std::string target_;
  const NodeId target_id_;
  Lies lies_;
  std::vector<Liar> liars_;
  Random random_{20261202};
};

}  // namespace
}  // namespace swarmkv

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: hostile_peer <target host:port> <target node id>\n");
    return 2;
  }
  absl::StatusOr<swarmkv::NodeId> target = swarmkv::NodeId::Parse(argv[2]);
  if (!target.ok()) {
    std::fprintf(stderr, "bad node id: %s\n", std::string(target.status().message()).c_str());
    return 2;
  }
  swarmkv::HostilePeer peer(argv[1], *target);
  std::string line;
  while (std::getline(std::cin, line)) {
    std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (words.empty()) continue;
    std::string answer;
    try {
      answer = peer.Run(words);
    } catch (const std::exception& e) {  // std::stoul on a word that is not a number
      answer = absl::StrCat("{\"error\":\"", e.what(), "\"}");
    }
    std::cout << answer << std::endl;  // flushed: the test reads line by line
  }
  return 0;
}
