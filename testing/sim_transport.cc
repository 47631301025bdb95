#include "testing/sim_transport.h"

#include <vector>

#include "absl/strings/str_cat.h"

namespace swarmkv::testing {

class SimNet::SimTransport final : public Transport {
 public:
  SimTransport(SimNet& net, const NodeId& self, std::string address)
      : net_(net), self_{self, std::move(address), absl::InfinitePast()} {}
  ~SimTransport() override { *alive_ = false; }

  void Ping(const Contact& to, StatusCallback done) override {
    Send<Acknowledged>(
        to.address, &to.id, [](Swarm&) -> absl::StatusOr<Acknowledged> { return Acknowledged{}; },
        Status(std::move(done)));
  }
  void Introduce(const std::string& address, Callback<NodeId> done) override {
    Send<NodeId>(
        address, nullptr, [](Swarm& s) -> absl::StatusOr<NodeId> { return s.self(); },
        std::move(done));
  }
  void FindNode(const Contact& to, const DhtKey& target,
                Callback<std::vector<Contact>> done) override {
    Send<std::vector<Contact>>(
        to.address, &to.id,
        [target](Swarm& s) -> absl::StatusOr<std::vector<Contact>> {
          return s.HandleFindNode(target);
        },
        std::move(done));
  }
  void FindValue(const Contact& to, const Cid& cid, Callback<FindValueResult> done) override {
    Send<FindValueResult>(
        to.address, &to.id,
        [this, cid](Swarm& s) -> absl::StatusOr<FindValueResult> {
          FindValueResult result = s.HandleFindValue(cid);
          net_.CountServed(cid, result);
          return result;
        },
        std::move(done));
  }
  void GetProviders(const Contact& to, const Cid& cid, Callback<ProvidersResult> done) override {
    Send<ProvidersResult>(
        to.address, &to.id,
        [cid](Swarm& s) -> absl::StatusOr<ProvidersResult> { return s.HandleGetProviders(cid); },
        std::move(done));
  }
  void Store(const Contact& to, const Cid& cid, std::string block, StatusCallback done) override {
    Send<Acknowledged>(
        to.address, &to.id,
        [self = self_, cid, block = std::move(block)](Swarm& s) -> absl::StatusOr<Acknowledged> {
          absl::Status stored = s.HandleStore(self, cid, block);
          if (!stored.ok()) return stored;
          return Acknowledged{};
        },
        Status(std::move(done)));
  }
  void AddProvider(const Contact& to, const Cid& cid, StatusCallback done) override {
    Send<Acknowledged>(
        to.address, &to.id,
        [self = self_, cid](Swarm& s) -> absl::StatusOr<Acknowledged> {
          s.HandleAddProvider(self, cid);
          return Acknowledged{};
        },
        Status(std::move(done)));
  }
  void Have(const Contact& to, std::vector<Cid> cids, Callback<std::vector<bool>> done) override {
    Send<std::vector<bool>>(
        to.address, &to.id, [cids = std::move(cids)](Swarm& s) { return s.HandleHave(cids); },
        std::move(done));
  }
  void Prove(const Contact& to, const Cid& cid, std::string nonce,
             Callback<Digest256> done) override {
    Send<Digest256>(
        to.address, &to.id,
        [cid, nonce = std::move(nonce)](Swarm& s) { return s.HandleProve(cid, nonce); },
        std::move(done));
  }
  void PutRecord(const Contact& to, std::string record, Callback<std::string> done) override {
    Send<std::string>(
        to.address, &to.id,
        [self = self_, record = std::move(record)](Swarm& s) {
          return s.HandlePutRecord(self, record);
        },
        std::move(done));
  }
  void GetRecord(const Contact& to, const DhtKey& key, Callback<RecordAnswer> done) override {
    Send<RecordAnswer>(
        to.address, &to.id, [key](Swarm& s) { return s.HandleGetRecord(key); }, std::move(done));
  }

 private:
  static Callback<Acknowledged> Status(StatusCallback done) {
    return [done = std::move(done)](absl::StatusOr<Acknowledged> r) { done(r.status()); };
  }
  template <typename T>
  void Send(const std::string& to, const NodeId* expected,
            std::function<absl::StatusOr<T>(Swarm&)> handle, Callback<T> done) {
    net_.Exchange<T>(self_, to, expected, alive_, std::move(handle), std::move(done));
  }

  SimNet& net_;
  const Contact self_;
  // Shared with the calls in flight: they complete only while the node lives.
  const std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

std::unique_ptr<Transport> SimNet::TransportFor(const NodeId& self, const std::string& address) {
  return std::make_unique<SimTransport>(*this, self, address);
}

absl::Duration SimNet::Latency() {
  const double span = absl::ToDoubleMicroseconds(options_.max_latency - options_.min_latency);
  return options_.min_latency + absl::Microseconds(span * rng_.UniformDouble());
}

bool SimNet::Lost() {
  if (options_.loss <= 0 || !rng_.Bernoulli(options_.loss)) return false;
  ++stats_.lost;
  return true;
}

void SimNet::CountServed(const Cid& cid, const FindValueResult& result) {
  if (result.block.has_value() && !cid.Matches(*result.block)) ++stats_.forged_blocks_served;
}

template <typename T>
void SimNet::Exchange(const Contact& from, const std::string& to, const NodeId* expected,
                      std::shared_ptr<bool> caller_alive,
                      std::function<absl::StatusOr<T>(Swarm&)> handle,
                      std::function<void(absl::StatusOr<T>)> done) {
  ++stats_.requests;
  struct Call {
    std::function<void(absl::StatusOr<T>)> done;
    std::shared_ptr<bool> caller_alive;
    bool completed = false;
    TimerId timeout = 0;
  };
  auto call = std::make_shared<Call>(Call{std::move(done), std::move(caller_alive)});
  // Completes the call once, and only into a live caller.
  auto complete = [this, call](absl::StatusOr<T> result) {
    if (call->completed) return;
    call->completed = true;
    loop_.Cancel(call->timeout);
    if (*call->caller_alive) call->done(std::move(result));
  };
  call->timeout = loop_.RunAfter(options_.timeout, [this, complete] {
    ++stats_.timed_out;
    complete(absl::DeadlineExceededError("no answer before the deadline"));
  });
  if (IsCut(from.address, to)) {
    ++stats_.cut;
    return;
  }
  if (Lost()) return;
  const std::optional<NodeId> want =
      expected != nullptr ? std::optional<NodeId>(*expected) : std::nullopt;
  loop_.RunAfter(Latency(), [this, from, to, want, handle = std::move(handle), complete] {
    auto it = listeners_.find(to);
    absl::StatusOr<T> answer =
        absl::UnavailableError(absl::StrCat("connection to ", to, " refused"));
    if (it == listeners_.end() || it->second == nullptr) {
      ++stats_.refused;
    } else if (want.has_value() && it->second->self() != *want) {
      answer = absl::UnavailableError(absl::StrCat("the node at ", to, " is someone else"));
    } else if (absl::Status admitted = it->second->OnPeerContact(from); !admitted.ok()) {
      answer = admitted;
    } else {
      answer = handle(*it->second);
    }
    if (IsCut(to, from.address)) {
      ++stats_.cut;
      return;
    }
    if (Lost()) return;
    loop_.RunAfter(Latency(), [complete, answer = std::move(answer)]() mutable {
      complete(std::move(answer));
    });
  });
}

}  // namespace swarmkv::testing
