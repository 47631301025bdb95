#include "replication/routing_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/random.h"
#include "gtest/gtest.h"

namespace swarmkv {
namespace {

NodeId RandomId(Random& rng) {
  Digest256 d;
  rng.Fill(reinterpret_cast<char*>(d.data()), d.size());
  return NodeId(d);
}

// An id in bucket 255 of a table owned by all-zero `self`: first bit set.
NodeId FarId(Random& rng) {
  Digest256 d;
  rng.Fill(reinterpret_cast<char*>(d.data()), d.size());
  d[0] |= 0x80;
  return NodeId(d);
}

Contact At(const NodeId& id, int host) {
  return Contact{
      id, absl::StrCat("10.", host / 65536, ".", (host / 256) % 256, ".", host % 256, ":4001"),
      absl::UnixEpoch()};
}

const NodeId kSelf{Digest256{}};
const absl::Time kNow = absl::FromUnixSeconds(1000);

TEST(RoutingTableTest, AddsRefreshesAndRejectsSelf) {
  RoutingTable table(kSelf);
  Random rng(1);
  const Contact c = At(RandomId(rng), 1);
  EXPECT_EQ(table.Observe(c, kNow).kind, Admission::kAdded);
  EXPECT_EQ(table.Observe(c, kNow + absl::Seconds(1)).kind, Admission::kRefreshed);
  EXPECT_EQ(table.Find(c.id)->last_seen, kNow + absl::Seconds(1));
  EXPECT_EQ(table.Observe(At(kSelf, 2), kNow).kind, Admission::kRejected);
  EXPECT_EQ(table.size(), 1u);
}

TEST(RoutingTableTest, FullBucketAsksToPingTheOldestAndKeepsItWhenAlive) {
  RoutingTable table(kSelf, RoutingTableOptions{4, 100, 100});
  Random rng(2);
  std::vector<Contact> in;
  for (int i = 0; i < 4; ++i) {
    in.push_back(At(FarId(rng), 256 * i));
    ASSERT_EQ(table.Observe(in.back(), kNow + absl::Seconds(i)).kind, Admission::kAdded);
  }
  const Contact newcomer = At(FarId(rng), 9000);
  Admission a = table.Observe(newcomer, kNow + absl::Seconds(10));
  ASSERT_EQ(a.kind, Admission::kPingOldest);
  EXPECT_EQ(a.oldest->id, in[0].id);  // least recently seen first

  table.OnPingResult(in[0].id, /*alive=*/true, newcomer, kNow + absl::Seconds(11));
  EXPECT_TRUE(table.Find(in[0].id).has_value());
  EXPECT_FALSE(table.Find(newcomer.id).has_value());
  // Now in[1] is the oldest; it is dead, so the newcomer takes its place.
  a = table.Observe(newcomer, kNow + absl::Seconds(12));
  ASSERT_EQ(a.kind, Admission::kPingOldest);
  EXPECT_EQ(a.oldest->id, in[1].id);
  table.OnPingResult(in[1].id, /*alive=*/false, newcomer, kNow + absl::Seconds(13));
  EXPECT_FALSE(table.Find(in[1].id).has_value());
  EXPECT_TRUE(table.Find(newcomer.id).has_value());
  EXPECT_EQ(table.size(), 4u);
}

TEST(RoutingTableTest, SubnetLimitsAgainstEclipse) {
  RoutingTable table(kSelf);  // 2 per /24 per bucket, 3 per /24 in the table
  Random rng(3);
  auto same_subnet = [&](int host) {
    return Contact{FarId(rng), absl::StrCat("203.0.113.", host, ":4001"), kNow};
  };
  EXPECT_EQ(table.Observe(same_subnet(1), kNow).kind, Admission::kAdded);
  EXPECT_EQ(table.Observe(same_subnet(2), kNow).kind, Admission::kAdded);
  EXPECT_EQ(table.Observe(same_subnet(3), kNow).kind, Admission::kRejected);  // bucket limit
  Contact other_bucket{RandomId(rng), "203.0.113.9:4001", kNow};
  other_bucket.id = [&] {
    Digest256 d{};
    d[0] = 0x40;  // bucket 254
    d[31] = 1;
    return NodeId(d);
  }();
  EXPECT_EQ(table.Observe(other_bucket, kNow).kind, Admission::kAdded);
  Contact third{NodeId([] {
                  Digest256 d{};
                  d[0] = 0x20;  // bucket 253
                  return d;
                }()),
                "203.0.113.10:4001", kNow};
  EXPECT_EQ(table.Observe(third, kNow).kind, Admission::kRejected);  // table limit
  EXPECT_EQ(SubnetOf("203.0.113.10:4001"), "203.0.113");
  for (const char* private_address : {"127.0.0.1:1", "10.1.2.3:1", "172.20.0.5:1", "192.168.1.9:1",
                                      "localhost:1", "[::1]:1", "[fd00::1]:1"}) {
    EXPECT_TRUE(IsPrivateAddress(private_address)) << private_address;
  }
  for (const char* public_address : {"203.0.113.10:1", "172.32.0.1:1", "8.8.8.8:53", "node1:1"}) {
    EXPECT_FALSE(IsPrivateAddress(public_address)) << public_address;
  }
  EXPECT_EQ(SubnetOf("node-3:4001"), "node-3");
}

TEST(RoutingTableTest, PrivateNetworksAreExemptUnlessAsked) {
  Random rng(4);
  RoutingTable cluster(kSelf);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(
        cluster.Observe(Contact{FarId(rng), absl::StrCat("127.0.0.1:", 7000 + i), kNow}, kNow).kind,
        Admission::kAdded);
  }
  RoutingTableOptions strict;
  strict.limit_private_networks = true;
  RoutingTable limited(kSelf, strict);
  int added = 0;
  for (int i = 0; i < 10; ++i) {
    added += limited.Observe(Contact{FarId(rng), absl::StrCat("127.0.0.1:", 7000 + i), kNow}, kNow)
                 .kind == Admission::kAdded;
  }
  EXPECT_EQ(added, 2);
}

TEST(RoutingTableTest, ClosestMatchesBruteForce) {
  Random seed_rng(4);
  RoutingTable table(RandomId(seed_rng));
  Random rng(5);
  std::vector<Contact> all;
  for (int i = 0; i < 2000; ++i) {
    Contact c = At(RandomId(rng), i);
    if (table.Observe(c, kNow).kind == Admission::kAdded) all.push_back(c);
  }
  for (int trial = 0; trial < 20; ++trial) {
    const DhtKey target = KeyOf(RandomId(rng));
    std::vector<Contact> expected = all;
    std::sort(expected.begin(), expected.end(), [&](const Contact& a, const Contact& b) {
      return Closer(target, KeyOf(a.id), KeyOf(b.id));
    });
    expected.erase(expected.begin() + 20, expected.end());
    const std::vector<Contact> got = table.Closest(target, 20);
    ASSERT_EQ(got.size(), 20u);
    for (size_t i = 0; i < 20; ++i) EXPECT_EQ(got[i].id, expected[i].id);
  }
  EXPECT_EQ(table.All().size(), table.size());
}

}  // namespace
}  // namespace swarmkv
