// Lookups proven on a seeded in-process network of a few hundred nodes, on virtual time
// (STYLE rule 22): they end, never have more than alpha queries in flight, and find the true k
// closest nodes; with message loss they still end.
#include "replication/lookup.h"

#include <algorithm>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "base/random.h"
#include "gtest/gtest.h"

namespace swarmkv {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1000);

// Every node's routing table, filled as a joined Kademlia network's would be: each node knows
// its closest neighbours and a random sample of the rest.
class TestNetwork {
 public:
  TestNetwork(int nodes, uint64_t seed) : rng_(seed) {
    for (int i = 0; i < nodes; ++i) {
      Digest256 d;
      rng_.Fill(reinterpret_cast<char*>(d.data()), d.size());
      ids_.push_back(NodeId(d));
      // Distinct /24s: this test is about lookups, not subnet limits.
      contacts_.push_back(
          Contact{ids_.back(), absl::StrCat("10.", i / 256, ".", i % 256, ".1:4001"), kStart});
    }
    for (const NodeId& id : ids_) {
      auto table = std::make_unique<RoutingTable>(id);
      for (const Contact& c : Nearest(KeyOf(id), 30)) table->Observe(c, kStart);
      for (int i = 0; i < 60; ++i) table->Observe(contacts_[rng_.Uniform(ids_.size())], kStart);
      tables_[id] = std::move(table);
    }
  }

  // The true n closest nodes to `target`, by brute force.
  std::vector<Contact> Nearest(const DhtKey& target, size_t n) const {
    std::vector<Contact> all = contacts_;
    std::sort(all.begin(), all.end(), [&](const Contact& a, const Contact& b) {
      return Closer(target, KeyOf(a.id), KeyOf(b.id));
    });
    all.erase(all.begin() + std::min(n, all.size()), all.end());
    return all;
  }

  const RoutingTable& table(const NodeId& id) const { return *tables_.at(id); }
  const NodeId& id(size_t i) const { return ids_[i]; }
  size_t size() const { return ids_.size(); }
  Random& rng() { return rng_; }

 private:
  Random rng_;
  std::vector<NodeId> ids_;
  std::vector<Contact> contacts_;
  std::map<NodeId, std::unique_ptr<RoutingTable>> tables_;
};

struct Outcome {
  bool done = false;
  size_t max_in_flight = 0;
  size_t rounds = 0;
  std::vector<Contact> result;
};

// Drives one lookup from `origin`: each round, every query sent is answered (or lost with
// probability `loss`, then timing out on the virtual clock).
Outcome RunLookup(TestNetwork& net, const NodeId& origin, const DhtKey& target, double loss) {
  LookupOptions options;
  Lookup lookup(target, net.table(origin).Closest(target, options.k), options);
  absl::Time now = kStart;
  Outcome out;
  std::vector<Contact> lost;
  while (!lookup.Done() && out.rounds < 1000) {
    ++out.rounds;
    const std::vector<Contact> ask = lookup.Next(now);
    out.max_in_flight = std::max(out.max_in_flight, lookup.in_flight());
    if (ask.empty() && lookup.in_flight() == 0) break;  // nothing left to ask
    for (const Contact& peer : ask) {
      if (net.rng().Bernoulli(loss)) continue;  // lost: the timeout will fail it
      lookup.OnResponse(peer.id, net.table(peer.id).Closest(target, options.k));
    }
    now += absl::Milliseconds(50);
    if (lookup.in_flight() > 0 && ask.empty()) now = lookup.NextDeadline();
  }
  out.done = lookup.Done() || lookup.in_flight() == 0;
  out.result = lookup.Result();
  return out;
}

class LookupPropertyTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(LookupPropertyTest, FindsTheTrueClosestWithoutLoss) {
  TestNetwork net(300, GetParam());
  for (int trial = 0; trial < 30; ++trial) {
    const NodeId origin = net.id(net.rng().Uniform(net.size()));
    Digest256 target;
    net.rng().Fill(reinterpret_cast<char*>(target.data()), target.size());
    const Outcome out = RunLookup(net, origin, target, 0.0);
    ASSERT_TRUE(out.done) << "seed " << GetParam();
    EXPECT_LE(out.max_in_flight, 3u) << "seed " << GetParam();
    const std::vector<Contact> truth = net.Nearest(target, 20);
    ASSERT_EQ(out.result.size(), truth.size()) << "seed " << GetParam();
    for (size_t i = 0; i < truth.size(); ++i) {
      // The origin never asks itself; it may be among the true closest.
      if (truth[i].id == origin) continue;
      EXPECT_TRUE(std::any_of(out.result.begin(), out.result.end(),
                              [&](const Contact& c) { return c.id == truth[i].id; }))
          << "seed " << GetParam() << " missed a true closest node at rank " << i;
    }
  }
}

TEST_P(LookupPropertyTest, EndsUnderLossWithinAlpha) {
  TestNetwork net(300, GetParam());
  for (int trial = 0; trial < 30; ++trial) {
    Digest256 target;
    net.rng().Fill(reinterpret_cast<char*>(target.data()), target.size());
    const Outcome out = RunLookup(net, net.id(net.rng().Uniform(net.size())), target, 0.3);
    ASSERT_TRUE(out.done) << "seed " << GetParam();
    EXPECT_LE(out.max_in_flight, 3u);
    EXPECT_FALSE(out.result.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, LookupPropertyTest, ::testing::Values(1, 2, 3, 42, 2026));

TEST(LookupTest, TimeoutsFailQueriesAndLateAnswersStillCount) {
  Random rng(9);
  std::vector<Contact> seeds;
  for (int i = 0; i < 5; ++i) {
    Digest256 d;
    rng.Fill(reinterpret_cast<char*>(d.data()), d.size());
    seeds.push_back(Contact{NodeId(d), absl::StrCat("10.0.0.", i, ":1"), kStart});
  }
  LookupOptions options;
  options.k = 5;
  options.alpha = 2;
  options.timeout = absl::Seconds(1);
  Lookup lookup(Digest256{}, seeds, options);
  const std::vector<Contact> first = lookup.Next(kStart);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_TRUE(lookup.Next(kStart).empty());  // alpha reached
  EXPECT_EQ(lookup.NextDeadline(), kStart + absl::Seconds(1));
  const std::vector<Contact> after = lookup.Next(kStart + absl::Seconds(1));
  EXPECT_EQ(after.size(), 2u);         // both timed out; two more asked
  lookup.OnResponse(first[0].id, {});  // late, but an answer
  lookup.OnResponse(first[0].id, {});  // twice: ignored
  lookup.OnFailure(after[0].id);
  // The one seed never asked: its answer is ignored.
  auto asked = [&](const Contact& c) {
    for (const auto* batch : {&first, &after}) {
      for (const Contact& a : *batch) {
        if (a.id == c.id) return true;
      }
    }
    return false;
  };
  const auto unasked =
      std::find_if(seeds.begin(), seeds.end(), [&](const Contact& c) { return !asked(c); });
  ASSERT_NE(unasked, seeds.end());
  lookup.OnResponse(unasked->id, {});
  EXPECT_EQ(lookup.in_flight(), 1u);
  EXPECT_EQ(lookup.queries_sent(), 4u);
  EXPECT_FALSE(lookup.Done());
}

TEST(LookupTest, AFloodOfContactsFromOnePeerIsCapped) {
  Random rng(10);
  auto contact = [&](int i) {
    Digest256 d;
    rng.Fill(reinterpret_cast<char*>(d.data()), d.size());
    return Contact{NodeId(d), absl::StrCat("10.1.0.", i, ":1"), kStart};
  };
  LookupOptions options;
  options.k = 3;
  Lookup lookup(Digest256{}, {contact(0)}, options);
  const std::vector<Contact> ask = lookup.Next(kStart);
  std::vector<Contact> flood;
  for (int i = 1; i < 1000; ++i) flood.push_back(contact(i));
  lookup.OnResponse(ask[0].id, flood);
  size_t asked = 0;
  for (int round = 0; round < 100 && !lookup.Done(); ++round) {
    for (const Contact& c : lookup.Next(kStart)) {
      ++asked;
      lookup.OnResponse(c.id, {});
    }
  }
  EXPECT_TRUE(lookup.Done());
  EXPECT_LE(asked, 3u);  // only the k closest of the (capped) flood are ever asked
}

}  // namespace
}  // namespace swarmkv
