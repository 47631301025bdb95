#include "replication/replica_planner.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/random.h"
#include "gtest/gtest.h"

namespace swarmkv {
namespace {

class ReplicaPlannerTest : public ::testing::Test {
 protected:
  ReplicaPlannerTest() : rng_(7) {
    for (int i = 0; i < 10; ++i) {
      Digest256 d;
      rng_.Fill(reinterpret_cast<char*>(d.data()), d.size());
      nodes_.push_back(Contact{NodeId(d), absl::StrCat("10.0.", i, ".1:4001"), absl::UnixEpoch()});
    }
    rng_.Fill(reinterpret_cast<char*>(key_.data()), key_.size());
    std::sort(nodes_.begin(), nodes_.end(), [&](const Contact& a, const Contact& b) {
      return Closer(key_, KeyOf(a.id), KeyOf(b.id));
    });
  }
  Random rng_;
  std::vector<Contact> nodes_;  // closest to key_ first
  DhtKey key_;
};

TEST_F(ReplicaPlannerTest, ResponsibleNodePushesToTheOthersThatLackIt) {
  const ReplicaPlanner planner(nodes_[0].id, 3);  // this node is the closest
  BlockPlacement block{key_, false, {nodes_.begin() + 1, nodes_.end()}, {nodes_[2].id}};
  const auto actions = planner.Plan(block);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, ReplicaAction::kPush);
  EXPECT_EQ(actions[0].peer, nodes_[1].id);
}

TEST_F(ReplicaPlannerTest, HandsOffOnlyOnceEveryResponsibleNodeHoldsIt) {
  const ReplicaPlanner planner(nodes_[5].id, 3);  // far from the key
  BlockPlacement block{key_, false, nodes_, {nodes_[0].id, nodes_[1].id}};
  auto actions = planner.Plan(block);
  ASSERT_EQ(actions.size(), 1u);  // push to nodes_[2]; no drop yet
  EXPECT_EQ(actions[0].kind, ReplicaAction::kPush);
  EXPECT_EQ(actions[0].peer, nodes_[2].id);

  block.holders.insert(nodes_[2].id);
  actions = planner.Plan(block);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, ReplicaAction::kDrop);

  block.pinned = true;  // pinned here: kept whatever the placement
  EXPECT_TRUE(planner.Plan(block).empty());
}

TEST_F(ReplicaPlannerTest, SmallNetworksKeepEveryCopy) {
  const ReplicaPlanner planner(nodes_[9].id, 3);
  BlockPlacement block{key_, false, {nodes_[9]}, {}};  // knows no one else
  EXPECT_TRUE(planner.Plan(block).empty());
  EXPECT_EQ(planner.Responsible(key_, {}).size(), 1u);
}

}  // namespace
}  // namespace swarmkv
