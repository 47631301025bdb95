// SimSwarm: the simulator that runs the real node. Many real Swarms, each over a real BlockStore
// on its own in-memory RocksDB environment (the node's "disk", kept across its restarts), each
// driven by the daemon's real Housekeeper (bootstrap, maintenance, saving the table), all on one
// virtual-time loop with their store work inline, talking through SimNet (latency, loss,
// partitions, dead nodes; testing/sim_transport.h). Everything comes from the seed, so a run is
// replayed exactly by running the same seed again.
//
// Thread safety: single-threaded. Call it from the thread that runs the loop, never from a task.
#ifndef SWARMKV_TESTING_SIM_SWARM_H_
#define SWARMKV_TESTING_SIM_SWARM_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/executor.h"
#include "base/random.h"
#include "base/scoped_event_loop.h"
#include "base/virtual_event_loop.h"
#include "crypto/identity.h"
#include "node/housekeeper.h"
#include "replication/swarm.h"
#include "storage/block_store.h"
#include "storage/content_writer.h"
#include "testing/sim_disk.h"
#include "testing/sim_transport.h"

namespace swarmkv::testing {

struct SimSwarmOptions {
  uint64_t seed = 1;
  SimLinkOptions link;
  // The lookup timeout is set to the link's timeout.
  SwarmOptions swarm;
  absl::Duration maintenance_interval = absl::Seconds(30);
};

// What a put did: the content, its blocks, and whether the node acknowledged it (as the API
// does: the copies reached the write quorum).
struct SimPut {
  Cid root;
  std::vector<Cid> blocks;
  size_t node = 0;
  size_t copies = 0;
  bool acknowledged = false;
  bool pinned = false;
};

class SimSwarm {
 public:
  explicit SimSwarm(SimSwarmOptions options);
  ~SimSwarm();

  // Adds a node and starts it. It bootstraps from the nodes listed, by bare address as a user
  // would; with none it is a seed, like a daemon started without --bootstrap. Returns its index.
  size_t AddNode(const std::vector<size_t>& bootstrap_from = {});
  // Kills a node at once, like SIGKILL: none of its code runs again, its calls in flight never
  // complete, and its disk keeps what it had synced, no more (SimDisk::Crash).
  void Kill(size_t node);
  // Starts a killed node again, on the same address, disk and bootstrap list.
  void Restart(size_t node);
  bool alive(size_t node) const { return nodes_[node]->swarm != nullptr; }
  size_t size() const { return nodes_.size(); }
  Swarm& swarm(size_t node) { return *nodes_[node]->swarm; }
  BlockStore& store(size_t node) { return *nodes_[node]->store; }
  const std::string& address(size_t node) const { return nodes_[node]->address; }
  const NodeId& id(size_t node) const { return nodes_[node]->identity.node_id(); }

  // Messages between the two sides are dropped: both ways, or only from `a` to `b`.
  void Split(const std::vector<size_t>& a, const std::vector<size_t>& b, bool both_ways = true);
  void Heal() { net_.MendAll(); }

  // Writes `content` on `node` in `mode` (pinned or not) and replicates it, as the API's Put
  // does. Errors are the store's (UNAVAILABLE when the node died meanwhile); a put below the
  // quorum is returned unacknowledged.
  absl::StatusOr<SimPut> Put(size_t node, const std::string& content, ContentMode mode, bool pin);

  // Starts an operation of `node`'s Swarm with `start` and runs the loop until it yields (the
  // value) or the node dies first (nullopt: its answer will never come).
  template <typename T>
  std::optional<T> RunOn(size_t node, std::function<void(std::function<void(T)>)> start) {
    auto answer = std::make_shared<std::optional<T>>();
    start([answer](T value) { *answer = std::move(value); });
    while (!answer->has_value() && alive(node) && loop_.RunOne()) {
    }
    return std::move(*answer);
  }

  void RunFor(absl::Duration d) { loop_.RunFor(d); }
  absl::Time now() const { return loop_.now(); }
  VirtualEventLoop& loop() { return loop_; }
  SimNet& net() { return net_; }
  Random& rng() { return rng_; }
  const SimSwarmOptions& options() const { return options_; }

 private:
  struct Node {
    Identity identity;
    std::string address;
    SecretBytes storage_key;
    std::unique_ptr<SimDisk> disk;
    std::vector<BootstrapEntry> bootstrap;
    // The running incarnation; all null while the node is dead.
    std::unique_ptr<ScopedEventLoop> scope;
    std::unique_ptr<BlockStore> store;
    std::unique_ptr<Transport> transport;
    std::unique_ptr<Swarm> swarm;
    std::unique_ptr<Housekeeper> housekeeper;
  };
  void Start(Node& node);

  SimSwarmOptions options_;
  Random rng_;
  VirtualEventLoop loop_;
  InlineExecutor inline_;
  SimNet net_;
  SecretBytes convergence_secret_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

}  // namespace swarmkv::testing

#endif  // SWARMKV_TESTING_SIM_SWARM_H_
