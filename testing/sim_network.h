// SimNetwork: thousands of in-process Kademlia nodes running the real protocol core
// (RoutingTable, Lookup, ReplicaPlanner) on a discrete-event network: virtual time, random
// latency, message loss and node failures, all from one seed, so every run is reproducible.
//
// Nodes join one at a time like real ones: bootstrap from a random live node, look up their
// own id, then refresh with a few random lookups; every request and response teaches both ends
// about each other (RoutingTable::Observe). Dead nodes never answer; the lookup's timeouts, on
// the virtual clock, deal with them.
//
// Thread safety: single-threaded.
#ifndef SWARMKV_TESTING_SIM_NETWORK_H_
#define SWARMKV_TESTING_SIM_NETWORK_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "base/random.h"
#include "base/virtual_event_loop.h"
#include "replication/lookup.h"
#include "replication/replica_planner.h"
#include "replication/routing_table.h"

namespace swarmkv::testing {

struct SimOptions {
  uint64_t seed = 1;
  absl::Duration min_latency = absl::Milliseconds(5);
  absl::Duration max_latency = absl::Milliseconds(50);
  double loss = 0;          // probability that one message is lost
  int refresh_lookups = 3;  // random lookups each node runs after joining
  LookupOptions lookup;
  RoutingTableOptions table;
};

// A block and the nodes holding a copy.
struct SimBlock {
  DhtKey key;
  absl::flat_hash_set<size_t> holders;
};

struct ReplicaCensus {
  double readable = 0;  // share of blocks with at least one live copy
  double at_r = 0;      // share of blocks with at least R live copies
};

struct SimLookupResult {
  std::vector<Contact> closest;  // the lookup's result, closest first
  int hops = 0;                  // query depth at which the closest result was reached
  int messages = 0;              // requests and responses sent
  size_t max_in_flight = 0;
  absl::Duration duration;
};

class SimNetwork {
 public:
  explicit SimNetwork(SimOptions options);

  // Adds a node, which joins the network (runs to completion). Returns its index.
  size_t AddNode();
  void Kill(size_t node) { alive_[node] = false; }
  void Revive(size_t node) { alive_[node] = true; }
  bool alive(size_t node) const { return alive_[node]; }
  size_t size() const { return ids_.size(); }
  const NodeId& id(size_t node) const { return ids_[node]; }
  RoutingTable& table(size_t node) { return *tables_[node]; }
  Random& rng() { return rng_; }
  absl::Time now() const { return loop_.now(); }

  // One lookup from `origin` for `target`, run to completion on virtual time.
  SimLookupResult RunLookup(size_t origin, const DhtKey& target);
  // The `n` live nodes truly closest to `target` (brute force), closest first.
  std::vector<size_t> TrueClosest(const DhtKey& target, size_t n) const;
  size_t IndexOf(const NodeId& id) const { return index_.at(id); }
  // A uniformly random key.
  DhtKey RandomKey();

  // Puts each block on its R truly closest live nodes.
  void PlaceBlocks(std::vector<SimBlock>& blocks, size_t r) const;
  // One maintenance round: every live holder of every block looks its key up and carries out
  // its ReplicaPlanner's plan (pushes land on live nodes; HAVE answers come from live holders).
  // Returns the lookups' messages.
  int64_t RepairRound(std::vector<SimBlock>& blocks, size_t r);
  ReplicaCensus Census(const std::vector<SimBlock>& blocks, size_t r) const;

 private:
  void Schedule(absl::Duration delay, std::function<void()> run) {
    loop_.RunAfter(delay, std::move(run));
  }
  absl::Duration Latency();
  Contact ContactOf(size_t node) const;

  SimOptions options_;
  Random rng_;
  // Every message and timeout of every node, on one virtual clock.
  VirtualEventLoop loop_;
  std::vector<NodeId> ids_;
  std::vector<std::unique_ptr<RoutingTable>> tables_;
  std::vector<bool> alive_;
  absl::flat_hash_map<NodeId, size_t> index_;
};

}  // namespace swarmkv::testing

#endif  // SWARMKV_TESTING_SIM_NETWORK_H_
