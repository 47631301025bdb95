// SimPubsub: many real PubsubNodes (pubsub/pubsub.h) on one virtual-time loop, their frames
// carried by an in-process network with seeded latency and loss, and nodes that can be killed.
// Each node's candidate peers are a fixed random sample of the others, standing in for its
// routing table. With `queries`, every node also runs a QueryEngine over an in-memory
// SimQuerySubject the test fills. For the pubsub tests and `swarmkv-pubsubsim`.
//
// Thread safety: single-threaded; call it from the thread that runs the loop.
#ifndef SWARMKV_TESTING_SIM_PUBSUB_H_
#define SWARMKV_TESTING_SIM_PUBSUB_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "base/executor.h"
#include "base/random.h"
#include "base/scoped_event_loop.h"
#include "base/virtual_event_loop.h"
#include "crypto/identity.h"
#include "pubsub/pubsub.h"
#include "pubsub/query_engine.h"

namespace swarmkv::testing {

struct SimPubsubOptions {
  uint64_t seed = 1;
  size_t nodes = 100;
  size_t candidates = 20;  // peers each node may build meshes from
  absl::Duration min_latency = absl::Milliseconds(5);
  absl::Duration max_latency = absl::Milliseconds(50);
  double loss = 0;  // probability that one frame is silently lost
  PubsubOptions pubsub;
  bool queries = false;
  QueryEngineOptions query;
};

// What a simulated node's queries read: facts the test sets.
class SimQuerySubject final : public QuerySubject {
 public:
  absl::StatusOr<bool> HasBlock(const Cid& cid) const override { return blocks.contains(cid); }
  absl::StatusOr<bool> IsPinned(const Cid& cid) const override { return pinned.contains(cid); }
  absl::StatusOr<std::vector<PinEntry>> Pins(absl::string_view prefix, size_t limit) const override;
  NodeFigures Figures() const override { return figures; }
  absl::StatusOr<std::vector<std::string>> RecordNames(absl::string_view, size_t) const override {
    return std::vector<std::string>{};  // the simulator keeps no records
  }

  absl::flat_hash_set<Cid> blocks;
  absl::flat_hash_set<Cid> pinned;
  std::vector<PinEntry> pins;
  NodeFigures figures;
};

struct SimPubsubCounts {
  uint64_t frames = 0;          // frames sent, of every kind
  uint64_t gossip_frames = 0;   // payload copies sent
  uint64_t control_frames = 0;  // IHAVE, GRAFT, PRUNE (the repair traffic)
  uint64_t mesh_frames = 0;     // JOIN, JOIN_REPLY, LEAVE
  uint64_t direct_frames = 0;   // DIRECT (query results)
  uint64_t lost = 0;
};

class SimPubsub {
 public:
  explicit SimPubsub(SimPubsubOptions options);
  ~SimPubsub();

  size_t size() const { return nodes_.size(); }
  PubsubNode& node(size_t i) { return *nodes_[i]->pubsub; }
  // With `queries` only.
  QueryEngine& queries(size_t i) { return *nodes_[i]->queries; }
  SimQuerySubject& subject(size_t i) { return nodes_[i]->subject; }
  const NodeId& id(size_t i) const { return nodes_[i]->identity.node_id(); }
  bool alive(size_t i) const { return nodes_[i]->pubsub != nullptr; }
  // The node stops at once: its tasks never run, frames to it fail.
  void Kill(size_t i);
  // Lets a test send what a node would not (a forged message): `frame` arrives at `to` as if
  // from node `from`.
  void Inject(size_t from, size_t to, Frame frame);

  void set_loss(double loss) { options_.loss = loss; }
  VirtualEventLoop& loop() { return loop_; }
  Random& rng() { return rng_; }
  const SimPubsubCounts& counts() const { return counts_; }

 private:
  class Sender;
  struct Node {
    Identity identity;
    std::unique_ptr<ScopedEventLoop> scope;
    std::unique_ptr<Sender> sender;
    std::vector<Contact> candidates;
    std::unique_ptr<PubsubNode> pubsub;
    SimQuerySubject subject;
    std::unique_ptr<QueryEngine> queries;
  };
  void Deliver(size_t from, const Contact& to, Frame frame, std::function<void(absl::Status)> done);
  absl::Duration Latency();
  static std::string AddressOf(size_t i) { return "sim-" + std::to_string(i) + ":1"; }

  SimPubsubOptions options_;
  Random rng_;
  VirtualEventLoop loop_;
  SimPubsubCounts counts_;
  InlineExecutor evaluator_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

}  // namespace swarmkv::testing

#endif  // SWARMKV_TESTING_SIM_PUBSUB_H_
