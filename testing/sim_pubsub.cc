#include "testing/sim_pubsub.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace swarmkv::testing {

class SimPubsub::Sender final : public FrameSender {
 public:
  Sender(SimPubsub& sim, size_t self) : sim_(sim), self_(self) {}
  void Send(const Contact& to, Frame frame, std::function<void(absl::Status)> done) override {
    sim_.Deliver(self_, to, std::move(frame), std::move(done));
  }

 private:
  SimPubsub& sim_;
  const size_t self_;
};

SimPubsub::SimPubsub(SimPubsubOptions options)
    : options_(std::move(options)),
      rng_(options_.seed),
      loop_(absl::FromUnixSeconds(1'700'000'000)) {
  for (size_t i = 0; i < options_.nodes; ++i) {
    auto node =
        std::make_unique<Node>(Node{Identity::FromSeed(SecretBytes(rng_.Bytes(kIdentitySeedBytes))),
                                    nullptr,
                                    nullptr,
                                    {},
                                    nullptr,
                                    {},
                                    nullptr});
    nodes_.push_back(std::move(node));
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& node = *nodes_[i];
    // A random sample of the others stands in for the routing table.
    const size_t want = std::min(options_.candidates, nodes_.size() - 1);
    std::vector<bool> taken(nodes_.size(), false);
    taken[i] = true;
    while (node.candidates.size() < want) {
      const size_t j = rng_.Uniform(nodes_.size());
      if (taken[j]) continue;
      taken[j] = true;
      node.candidates.push_back(
          Contact{nodes_[j]->identity.node_id(), AddressOf(j), absl::InfinitePast()});
    }
    node.scope = std::make_unique<ScopedEventLoop>(loop_);
    node.sender = std::make_unique<Sender>(*this, i);
    PubsubOptions pubsub = options_.pubsub;
    pubsub.seed = rng_.Next();
    node.pubsub = std::make_unique<PubsubNode>(
        node.identity, *node.scope, *node.sender, [&node] { return node.candidates; }, pubsub);
    if (options_.queries) {
      QueryEngineOptions query = options_.query;
      query.origin_address = AddressOf(i);
      node.queries = std::make_unique<QueryEngine>(*node.pubsub, BuiltinQueryKinds(), node.subject,
                                                   evaluator_, query);
      node.queries->Start();
    }
    node.pubsub->Start();
  }
}

absl::StatusOr<std::vector<PinEntry>> SimQuerySubject::Pins(absl::string_view prefix,
                                                            size_t limit) const {
  std::vector<PinEntry> out;
  for (const PinEntry& pin : pins) {
    if (out.size() < limit && absl::StartsWith(pin.name, prefix)) out.push_back(pin);
  }
  return out;
}

SimPubsub::~SimPubsub() {
  for (size_t i = 0; i < nodes_.size(); ++i) Kill(i);
}

void SimPubsub::Kill(size_t i) {
  Node& node = *nodes_[i];
  if (node.pubsub == nullptr) return;
  node.scope->Close();
  node.queries.reset();
  node.pubsub.reset();
}

absl::Duration SimPubsub::Latency() {
  const double span = absl::ToDoubleMicroseconds(options_.max_latency - options_.min_latency);
  return options_.min_latency + absl::Microseconds(span * rng_.UniformDouble());
}

void SimPubsub::Deliver(size_t from, const Contact& to, Frame frame,
                        std::function<void(absl::Status)> done) {
  ++counts_.frames;
  switch (frame.kind) {
    case Frame::Kind::kGossip:
      ++counts_.gossip_frames;
      break;
    case Frame::Kind::kIHave:
    case Frame::Kind::kGraft:
    case Frame::Kind::kPrune:
      ++counts_.control_frames;
      break;
    case Frame::Kind::kDirect:
      ++counts_.direct_frames;
      break;
    default:
      ++counts_.mesh_frames;
  }
  // "sim-<index>:1"
  size_t index = 0;
  const std::string digits = to.address.substr(4, to.address.find(':') - 4);
  if (!absl::SimpleAtoi(digits, &index) || index >= nodes_.size()) {
    loop_.RunAfter(Latency(), [done] { done(absl::UnavailableError("no such node")); });
    return;
  }
  if (options_.loss > 0 && rng_.Bernoulli(options_.loss)) {
    ++counts_.lost;
    loop_.RunAfter(Latency(), [done] { done(absl::OkStatus()); });  // sent, never arrives
    return;
  }
  const Contact sender{nodes_[from]->identity.node_id(), AddressOf(from), absl::InfinitePast()};
  loop_.RunAfter(Latency(), [this, index, sender, frame = std::move(frame), done]() mutable {
    if (!alive(index)) {
      done(absl::UnavailableError("connection refused"));
      return;
    }
    nodes_[index]->pubsub->OnFrame(sender, std::move(frame));
    done(absl::OkStatus());
  });
}

void SimPubsub::Inject(size_t from, size_t to, Frame frame) {
  if (!alive(to)) return;
  nodes_[to]->pubsub->OnFrame(
      Contact{nodes_[from]->identity.node_id(), AddressOf(from), absl::InfinitePast()},
      std::move(frame));
}

}  // namespace swarmkv::testing
