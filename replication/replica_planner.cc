#include "replication/replica_planner.h"

#include <algorithm>

namespace swarmkv {

std::vector<NodeId> ReplicaPlanner::Responsible(const DhtKey& key,
                                                const std::vector<Contact>& closest) const {
  std::vector<NodeId> ids = {self_};
  for (const Contact& c : closest) {
    if (std::find(ids.begin(), ids.end(), c.id) == ids.end()) ids.push_back(c.id);
  }
  std::sort(ids.begin(), ids.end(),
            [&](const NodeId& a, const NodeId& b) { return Closer(key, KeyOf(a), KeyOf(b)); });
  if (ids.size() > replication_factor_) ids.erase(ids.begin() + replication_factor_, ids.end());
  return ids;
}

std::vector<ReplicaAction> ReplicaPlanner::Plan(const BlockPlacement& block) const {
  std::vector<ReplicaAction> actions;
  const std::vector<NodeId> responsible = Responsible(block.key, block.closest);
  bool self_responsible = false;
  bool all_hold = true;
  for (const NodeId& id : responsible) {
    if (id == self_) {
      self_responsible = true;
      continue;
    }
    if (!block.holders.contains(id)) {
      actions.push_back({ReplicaAction::kPush, id});
      all_hold = false;
    }
  }
  // Hand off: drop only once every responsible node has confirmed its copy, so a block is
  // never left with fewer than R copies by this node's doing.
  if (!self_responsible && all_hold && !block.pinned) {
    actions.push_back({ReplicaAction::kDrop, self_});
  }
  return actions;
}

}  // namespace swarmkv
