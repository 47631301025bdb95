#include "testing/loopback_transport.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace swarmkv::testing {

class LoopbackNetwork::NodeTransport final : public Transport {
 public:
  NodeTransport(LoopbackNetwork& network, const NodeId& self, std::string address)
      : network_(network), self_{self, std::move(address), absl::UnixEpoch()} {}

  void Ping(const Contact& to, StatusCallback done) override {
    auto endpoint = network_.Reach(self_, to.address, &to.id);
    done(endpoint.status());
  }
  void Introduce(const std::string& address, Callback<NodeId> done) override {
    auto endpoint = network_.Reach(self_, address, nullptr);
    if (!endpoint.ok()) return done(endpoint.status());
    done((*endpoint)->swarm->self());
  }
  void FindNode(const Contact& to, const DhtKey& target,
                Callback<std::vector<Contact>> done) override {
    auto endpoint = network_.Reach(self_, to.address, &to.id);
    if (!endpoint.ok()) return done(endpoint.status());
    done((*endpoint)->swarm->HandleFindNode(target));
  }
  void FindValue(const Contact& to, const Cid& cid, Callback<FindValueResult> done) override {
    auto endpoint = network_.Reach(self_, to.address, &to.id);
    if (!endpoint.ok()) return done(endpoint.status());
    FindValueResult result = (*endpoint)->swarm->HandleFindValue(cid);
    if ((*endpoint)->liar) result.block = std::string("forged bytes");
    done(std::move(result));
  }
  void GetProviders(const Contact& to, const Cid& cid, Callback<ProvidersResult> done) override {
    auto endpoint = network_.Reach(self_, to.address, &to.id);
    if (!endpoint.ok()) return done(endpoint.status());
    done((*endpoint)->swarm->HandleGetProviders(cid));
  }
  void Store(const Contact& to, const Cid& cid, std::string block, StatusCallback done) override {
    auto endpoint = network_.Reach(self_, to.address, &to.id);
    if (!endpoint.ok()) return done(endpoint.status());
    done((*endpoint)->swarm->HandleStore(self_, cid, block));
  }
  void AddProvider(const Contact& to, const Cid& cid, StatusCallback done) override {
    auto endpoint = network_.Reach(self_, to.address, &to.id);
    if (!endpoint.ok()) return done(endpoint.status());
    (*endpoint)->swarm->HandleAddProvider(self_, cid);
    done(absl::OkStatus());
  }
  void Have(const Contact& to, std::vector<Cid> cids, Callback<std::vector<bool>> done) override {
    auto endpoint = network_.Reach(self_, to.address, &to.id);
    if (!endpoint.ok()) return done(endpoint.status());
    // A liar claims every block (what a HAVE answer costs nothing to claim).
    if ((*endpoint)->liar) return done(std::vector<bool>(cids.size(), true));
    done((*endpoint)->swarm->HandleHave(cids));
  }
  void Prove(const Contact& to, const Cid& cid, std::string nonce,
             Callback<Digest256> done) override {
    auto endpoint = network_.Reach(self_, to.address, &to.id);
    if (!endpoint.ok()) return done(endpoint.status());
    done((*endpoint)->swarm->HandleProve(cid, nonce));
  }
  void PutRecord(const Contact& to, std::string record, Callback<std::string> done) override {
    auto endpoint = network_.Reach(self_, to.address, &to.id);
    if (!endpoint.ok()) return done(endpoint.status());
    // A liar claims to hold a newer record, and sends bytes that are none.
    if ((*endpoint)->liar) return done(std::string("a newer record, believe me"));
    done((*endpoint)->swarm->HandlePutRecord(self_, record));
  }
  void GetRecord(const Contact& to, const DhtKey& key, Callback<RecordAnswer> done) override {
    auto endpoint = network_.Reach(self_, to.address, &to.id);
    if (!endpoint.ok()) return done(endpoint.status());
    done((*endpoint)->swarm->HandleGetRecord(key));
  }

 private:
  LoopbackNetwork& network_;
  const Contact self_;
};

LoopbackNetwork::LoopbackNetwork() = default;
LoopbackNetwork::~LoopbackNetwork() = default;

Transport& LoopbackNetwork::TransportFor(const NodeId& self, const std::string& address) {
  transports_.push_back(std::make_unique<NodeTransport>(*this, self, address));
  return *transports_.back();
}

void LoopbackNetwork::Add(const std::string& address, Swarm* swarm) {
  endpoints_[address].swarm = swarm;
}

void LoopbackNetwork::SetDown(const std::string& address, bool down) {
  endpoints_[address].down = down;
}

void LoopbackNetwork::SetLiar(const std::string& address, bool liar) {
  endpoints_[address].liar = liar;
}

absl::StatusOr<LoopbackNetwork::Endpoint*> LoopbackNetwork::Reach(const Contact& caller,
                                                                  const std::string& to,
                                                                  const NodeId* expected) {
  ++requests_;
  auto it = endpoints_.find(to);
  if (it == endpoints_.end() || it->second.down || it->second.swarm == nullptr) {
    return absl::UnavailableError(absl::StrCat("no node answers at ", to));
  }
  Endpoint& endpoint = it->second;
  if (expected != nullptr && endpoint.swarm->self() != *expected) {
    return absl::UnavailableError(
        absl::StrCat("the node at ", to, " is not ", expected->ToString()));
  }
  auto admitted = endpoint.swarm->OnPeerContact(caller);
  if (!admitted.ok()) return admitted;
  return &endpoint;
}

}  // namespace swarmkv::testing
