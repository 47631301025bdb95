// ReplicaPlanner: decides, for one block this node holds, what replication needs (DESIGN §5):
// push it to those of the R closest nodes that lack it, and hand it off — drop it — once this
// node is no longer among the R closest and every one of them has confirmed a copy, unless it is
// pinned here. A pure function of what the node knows; the caller carries the actions out.
#ifndef SWARMKV_REPLICATION_REPLICA_PLANNER_H_
#define SWARMKV_REPLICATION_REPLICA_PLANNER_H_

#include <cstddef>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "replication/key_space.h"
#include "replication/routing_table.h"

namespace swarmkv {

struct ReplicaAction {
  enum Kind { kPush, kDrop };
  Kind kind;
  NodeId peer;  // kPush: where to; kDrop: this node
};

struct BlockPlacement {
  DhtKey key;                           // the block's DHT key (Cid::DhtKey)
  bool pinned = false;                  // pinned here: never dropped
  std::vector<Contact> closest;         // the closest live nodes known to the key, any order
  absl::flat_hash_set<NodeId> holders;  // nodes that confirmed a copy (STORE ack or HAVE)
};

class ReplicaPlanner {
 public:
  // REQUIRES: replication_factor >= 1.
  ReplicaPlanner(NodeId self, size_t replication_factor)
      : self_(self), replication_factor_(replication_factor) {}

  // The R nodes responsible for `key` among `closest` and this node, closest first.
  std::vector<NodeId> Responsible(const DhtKey& key, const std::vector<Contact>& closest) const;
  // What to do about one held block.
  std::vector<ReplicaAction> Plan(const BlockPlacement& block) const;

 private:
  NodeId self_;
  size_t replication_factor_;
};

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_REPLICA_PLANNER_H_
