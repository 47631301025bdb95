// Protocol properties proven in the seeded simulator (STYLE rule 22), on a few hundred nodes:
// lookups end, never have more than alpha queries in flight, find the true k closest without
// loss, and one repair round brings every surviving block back to R copies.
#include "testing/sim_network.h"

#include <memory>

#include "gtest/gtest.h"

namespace swarmkv::testing {
namespace {

class SimPropertyTest : public ::testing::TestWithParam<uint64_t> {
 protected:
  std::unique_ptr<SimNetwork> Build(int nodes, double loss = 0) {
    SimOptions options;
    options.seed = GetParam();
    options.loss = loss;
    auto net = std::make_unique<SimNetwork>(options);
    for (int i = 0; i < nodes; ++i) net->AddNode();
    return net;
  }
};

TEST_P(SimPropertyTest, LookupsFindTheTrueClosestWithoutLoss) {
  auto owned = Build(300);
  SimNetwork& net = *owned;
  for (int trial = 0; trial < 40; ++trial) {
    const size_t origin = net.rng().Uniform(net.size());
    const DhtKey target = net.RandomKey();
    const SimLookupResult r = net.RunLookup(origin, target);
    EXPECT_LE(r.max_in_flight, 3u) << "seed " << GetParam();
    const std::vector<size_t> truth = net.TrueClosest(target, 20);
    size_t found = 0;
    for (size_t node : truth) {
      if (node == origin) {
        ++found;  // a node does not query itself
        continue;
      }
      for (const Contact& c : r.closest) found += c.id == net.id(node) ? 1 : 0;
    }
    EXPECT_EQ(found, truth.size()) << "seed " << GetParam() << " trial " << trial;
  }
}

TEST_P(SimPropertyTest, LookupsEndUnderLossAndChurn) {
  auto owned = Build(300, /*loss=*/0.1);
  SimNetwork& net = *owned;
  for (size_t i = 0; i < net.size(); i += 5) net.Kill(i);  // 20 % dead, tables unaware
  for (int trial = 0; trial < 40; ++trial) {
    size_t origin = net.rng().Uniform(net.size());
    if (!net.alive(origin)) origin = (origin + 1) % net.size();
    const SimLookupResult r = net.RunLookup(origin, net.RandomKey());
    EXPECT_LE(r.max_in_flight, 3u);
    EXPECT_FALSE(r.closest.empty()) << "seed " << GetParam();
    EXPECT_LT(r.duration, absl::Minutes(5));  // ended, on virtual time
  }
}

TEST_P(SimPropertyTest, OneRepairRoundRestoresRCopies) {
  auto owned = Build(200);
  SimNetwork& net = *owned;
  std::vector<SimBlock> blocks(100);
  for (SimBlock& b : blocks) b.key = net.RandomKey();
  net.PlaceBlocks(blocks, 3);
  for (size_t i = 0; i < net.size(); i += 10) net.Kill(i);  // 10 % fail
  const ReplicaCensus before = net.Census(blocks, 3);
  net.RepairRound(blocks, 3);
  const ReplicaCensus after = net.Census(blocks, 3);
  EXPECT_EQ(after.readable, before.readable);
  // Every block that survived is back at R copies.
  EXPECT_EQ(after.at_r, before.readable) << "seed " << GetParam();
  EXPECT_GE(after.at_r, before.at_r);
}

INSTANTIATE_TEST_SUITE_P(Seeds, SimPropertyTest, ::testing::Values(1, 7, 42, 2026));

TEST(SimNetworkTest, SameSeedSameRun) {
  auto run = [] {
    SimOptions options;
    options.seed = 99;
    SimNetwork net(options);
    for (int i = 0; i < 50; ++i) net.AddNode();
    return net.RunLookup(3, net.RandomKey()).messages;
  };
  EXPECT_EQ(run(), run());
}

}  // namespace
}  // namespace swarmkv::testing
