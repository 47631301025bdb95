#include "replication/swarm.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/executor.h"
#include "base/virtual_event_loop.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/loopback_transport.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::IsOk;
using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;

// N nodes with real stores, wired by the loopback transport, on virtual time.
class SwarmTest : public ::testing::Test {
 protected:
  struct Node {
    Identity identity;
    std::string address;
    std::unique_ptr<BlockStore> store;
    std::unique_ptr<Swarm> swarm;
  };

  void Start(int n, SwarmOptions options = {}) {
    for (int i = 0; i < n; ++i) AddNode(options);
    // Everyone bootstraps from node 0, by bare address as a first-time user would.
    for (int i = 1; i < n; ++i) {
      ASSERT_EQ(swarm(i).Bootstrap({BootstrapEntry{std::nullopt, nodes_[0]->address}}), 1u);
    }
    // A second pass lets early joiners learn about later ones.
    for (int i = 0; i < n; ++i) swarm(i).FindClosest(KeyOf(swarm(i).self()));
  }

  // One more node, on the network but not joined; returns its index.
  int AddNode(SwarmOptions options = {}) {
    const size_t i = nodes_.size();
    auto node = std::make_unique<Node>(
        Node{Identity::Generate(), absl::StrCat("10.0.", i, ".1:7420"), nullptr, nullptr});
    BlockStoreOptions store_options;
    store_options.sync_writes = false;
    auto store = BlockStore::Open(dir_.Sub(absl::StrCat("node", i)), key_, store_options);
    EXPECT_TRUE(store.ok()) << store.status();
    node->store = *std::move(store);
    Transport& transport = network_.TransportFor(node->identity.node_id(), node->address);
    node->swarm = std::make_unique<Swarm>(node->identity.node_id(), *node->store, transport, loop_,
                                          inline_, options);
    network_.Add(node->address, node->swarm.get());
    nodes_.push_back(std::move(node));
    return static_cast<int>(i);
  }

  Swarm& swarm(int i) { return *nodes_[i]->swarm; }
  BlockStore& store(int i) { return *nodes_[i]->store; }

  // Nodes (live ones) holding `cid`.
  std::vector<int> Holders(const Cid& cid) {
    std::vector<int> out;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (down_.count(i) == 0 && *store(i).Has(cid)) out.push_back(i);
    }
    return out;
  }
  void SetDown(int i) {
    down_.insert(i);
    network_.SetDown(nodes_[i]->address, true);
  }

  ::swarmkv::testing::TempDir dir_;
  SecretBytes key_ = SecretBytes::Random(32);
  // Every node's operations run on one virtual-time loop, their store work inline: the blocking
  // forms (Replicate, Fetch, ...) run the loop until their answer is there.
  VirtualEventLoop loop_;
  InlineExecutor inline_;
  const Clock& clock_ = loop_.clock();
  ::swarmkv::testing::LoopbackNetwork network_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::set<size_t> down_;
};

TEST(BootstrapEntryTest, ParsesBothFormsAndRefusesTheRest) {
  SWARMKV_ASSERT_OK_AND_ASSIGN(BootstrapEntry bare, ParseBootstrapEntry("127.0.0.1:7420"));
  EXPECT_FALSE(bare.id.has_value());
  EXPECT_EQ(bare.address, "127.0.0.1:7420");
  const NodeId id = Identity::Generate().node_id();
  SWARMKV_ASSERT_OK_AND_ASSIGN(BootstrapEntry full,
                               ParseBootstrapEntry(absl::StrCat(id.ToString(), "@node1:7420")));
  EXPECT_EQ(full.id, id);
  EXPECT_EQ(full.address, "node1:7420");
  for (const char* bad : {"", "node1", "node1:", ":7420", "node1:0", "node1:70000", "node1:x",
                          "bnotanid@node1:7420", "@node1:7420"}) {
    EXPECT_THAT(ParseBootstrapEntry(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(KeyWithCommonPrefixTest, SharesExactlyThePrefix) {
  const DhtKey key = KeyOf(Identity::Generate().node_id());
  for (int prefix : {0, 1, 7, 8, 9, 100, 255}) {
    for (uint64_t salt : {1u, 2u}) {
      EXPECT_EQ(CommonPrefixLength(key, KeyWithCommonPrefix(key, prefix, salt)), prefix) << prefix;
    }
  }
  EXPECT_EQ(KeyWithCommonPrefix(key, 256, 3), key);
  EXPECT_NE(KeyWithCommonPrefix(key, 20, 1), KeyWithCommonPrefix(key, 20, 2));
}

TEST_F(SwarmTest, BootstrapFillsEveryRoutingTable) {
  Start(8);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(swarm(i).Peers().size(), 7u) << i;
}

TEST_F(SwarmTest, ReplicateRunsTheCallersWorkWhileItPlaces) {
  Start(4);
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid cid, store(0).Put(Codec::kRaw, "placed while syncing"));
  int ran = 0;
  SWARMKV_ASSERT_OK_AND_ASSIGN(size_t copies, swarm(0).Replicate({cid}, [&ran] { ++ran; }));
  EXPECT_EQ(ran, 1);
  EXPECT_GE(copies, 3u);
}

TEST_F(SwarmTest, ReplicatePlacesBlocksOnTheResponsibleNodesAndAnyNodeFetchesThem) {
  Start(8);
  for (int b = 0; b < 20; ++b) {
    SWARMKV_ASSERT_OK_AND_ASSIGN(Cid cid, store(0).Put(Codec::kRaw, absl::StrCat("block ", b)));
    SWARMKV_ASSERT_OK_AND_ASSIGN(size_t copies, swarm(0).Replicate({cid}));
    EXPECT_GE(copies, 3u);
    // The R closest nodes in the whole swarm hold it (brute force over all ids).
    std::vector<int> by_distance(8);
    for (int i = 0; i < 8; ++i) by_distance[i] = i;
    std::sort(by_distance.begin(), by_distance.end(), [&](int a, int c) {
      return Closer(cid.DhtKey(), KeyOf(swarm(a).self()), KeyOf(swarm(c).self()));
    });
    for (int r = 0; r < 3; ++r) EXPECT_TRUE(*store(by_distance[r]).Has(cid)) << b << "/" << r;

    // A node that does not hold it fetches and verifies it.
    int reader = -1;
    for (int i = 7; i >= 0; --i) {
      if (!*store(i).Has(cid)) reader = i;
    }
    if (reader < 0) continue;
    std::vector<Contact> hints;
    SWARMKV_ASSERT_OK_AND_ASSIGN(std::string data, swarm(reader).Fetch(cid, &hints));
    EXPECT_EQ(data, absl::StrCat("block ", b));
    EXPECT_EQ(hints.size(), 1u);
  }
}

TEST_F(SwarmTest, FetchManyGetsEveryBlockEvenPastALiar) {
  Start(8);
  std::vector<Cid> cids;
  for (int b = 0; b < 12; ++b) {
    SWARMKV_ASSERT_OK_AND_ASSIGN(Cid cid, store(0).Put(Codec::kRaw, absl::StrCat("many ", b)));
    ASSERT_THAT(swarm(0).Replicate({cid}), IsOk());
    cids.push_back(cid);
  }
  // The liar is the node closest to the first block's key: the one node 7 asks for it first.
  int liar = 0;
  for (int i = 1; i < 7; ++i) {
    if (Closer(cids[0].DhtKey(), KeyOf(swarm(i).self()), KeyOf(swarm(liar).self()))) liar = i;
  }
  network_.SetLiar(nodes_[liar]->address, true);
  std::vector<Contact> hints;
  std::vector<absl::StatusOr<std::string>> blocks = swarm(7).FetchMany(cids, &hints);
  ASSERT_EQ(blocks.size(), cids.size());
  for (size_t i = 0; i < cids.size(); ++i) {
    if (*store(7).Has(cids[i])) continue;  // node 7 holds it: asked of others all the same
    ASSERT_TRUE(blocks[i].ok()) << i << " " << blocks[i].status();
    EXPECT_EQ(*blocks[i], absl::StrCat("many ", i));
  }
  for (const Contact& c : swarm(7).Peers()) EXPECT_NE(c.id, swarm(liar).self());
}

TEST_F(SwarmTest, FetchSaysNotFoundAfterAskingAndUnavailableWhenNobodyAnswers) {
  Start(5);
  const Cid missing = Cid::Compute(Codec::kRaw, "never stored");
  EXPECT_THAT(swarm(1).Fetch(missing), StatusIs(absl::StatusCode::kNotFound));
  for (int i : {0, 2, 3, 4}) SetDown(i);
  EXPECT_THAT(swarm(1).Fetch(missing), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(SwarmTest, AFetchOrReplicateMadeWhileJoiningWaitsForTheFirstPeer) {
  Start(4);
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid stored, store(0).Put(Codec::kRaw, "in the swarm"));
  ASSERT_THAT(swarm(0).Replicate({stored}), IsOk());
  // A node started with a bootstrap list, asked for content and given content to place before
  // its first bootstrap has run (the daemon serves its API while joining).
  const int late = AddNode();
  swarm(late).Restore(/*has_bootstrap_list=*/true);
  std::optional<FetchOutcome> fetched;
  swarm(late).FetchAsync(stored, {}, [&](FetchOutcome outcome) { fetched = std::move(outcome); });
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid placed, store(late).Put(Codec::kRaw, "placed on joining"));
  std::optional<absl::StatusOr<size_t>> copies;
  swarm(late).ReplicateAsync({placed}, [&](absl::StatusOr<size_t> n) { copies = std::move(n); });
  loop_.RunFor(absl::Seconds(1));
  EXPECT_FALSE(fetched.has_value()) << "answered before the node knew a peer";
  EXPECT_FALSE(copies.has_value());
  ASSERT_EQ(swarm(late).Bootstrap({BootstrapEntry{std::nullopt, nodes_[0]->address}}), 1u);
  loop_.RunFor(absl::Seconds(1));
  ASSERT_TRUE(fetched.has_value());
  ASSERT_TRUE(fetched->block.ok()) << fetched->block.status();
  EXPECT_EQ(*fetched->block, "in the swarm");
  ASSERT_TRUE(copies.has_value());
  ASSERT_TRUE(copies->ok()) << copies->status();
  EXPECT_GE(**copies, 2u);

  // A join that fails ends the wait: UNAVAILABLE, as for any node that knows no peer.
  const int cut_off = AddNode();
  swarm(cut_off).Restore(/*has_bootstrap_list=*/true);
  fetched.reset();
  swarm(cut_off).FetchAsync(stored, {},
                            [&](FetchOutcome outcome) { fetched = std::move(outcome); });
  EXPECT_EQ(swarm(cut_off).Bootstrap({BootstrapEntry{std::nullopt, "10.9.9.9:7420"}}), 0u);
  loop_.RunFor(absl::Milliseconds(10));
  ASSERT_TRUE(fetched.has_value());
  EXPECT_THAT(fetched->block, StatusIs(absl::StatusCode::kUnavailable));

  // However long a join takes, a call waits at most SwarmOptions::join_wait.
  fetched.reset();
  const absl::Time asked = loop_.now();
  swarm(cut_off).Restore(/*has_bootstrap_list=*/true);
  swarm(cut_off).FetchAsync(stored, {},
                            [&](FetchOutcome outcome) { fetched = std::move(outcome); });
  loop_.RunFor(SwarmOptions().join_wait - absl::Milliseconds(1));
  EXPECT_FALSE(fetched.has_value());
  loop_.RunFor(absl::Milliseconds(2));
  ASSERT_TRUE(fetched.has_value());
  EXPECT_THAT(fetched->block, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_LE(loop_.now() - asked, SwarmOptions().join_wait + absl::Milliseconds(1));
}

TEST_F(SwarmTest, PeerServingForgedBytesIsPenalizedAndTheBlockComesFromAnother) {
  Start(6);
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid cid, store(0).Put(Codec::kRaw, "honest bytes"));
  ASSERT_THAT(swarm(0).Replicate({cid}), IsOk());
  std::vector<int> holders = Holders(cid);
  ASSERT_GE(holders.size(), 3u);
  int liar = holders[0] == 0 ? holders[1] : holders[0];
  network_.SetLiar(nodes_[liar]->address, true);
  int reader = -1;
  for (int i = 0; i < 6; ++i) {
    if (std::find(holders.begin(), holders.end(), i) == holders.end()) reader = i;
  }
  ASSERT_GE(reader, 0);
  // The liar is asked first (a hint), caught, dropped; the lookup finds an honest copy.
  std::vector<Contact> hints = {Contact{swarm(liar).self(), nodes_[liar]->address, clock_.Now()}};
  SWARMKV_ASSERT_OK_AND_ASSIGN(std::string data, swarm(reader).Fetch(cid, &hints));
  EXPECT_EQ(data, "honest bytes");
  for (const Contact& c : swarm(reader).Peers()) EXPECT_NE(c.id, swarm(liar).self());
  // And its requests are refused while the penalty lasts.
  EXPECT_THAT(swarm(reader).OnPeerContact(hints.front()),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(SwarmTest, StoreOfBytesNotMatchingTheCidIsRefusedAndPenalized) {
  Start(2);
  const Cid cid = Cid::Compute(Codec::kRaw, "the real bytes");
  const Contact caller{swarm(1).self(), nodes_[1]->address, clock_.Now()};
  EXPECT_THAT(swarm(0).HandleStore(caller, cid, "other bytes"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(*store(0).Has(cid));
  EXPECT_THAT(swarm(0).OnPeerContact(caller), StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(SwarmTest, MaintenanceRepairsToRCopiesAfterHoldersDieAndHandsOffUnpinnedBlocks) {
  Start(10);
  std::vector<Cid> cids;
  for (int b = 0; b < 30; ++b) {
    SWARMKV_ASSERT_OK_AND_ASSIGN(Cid cid, store(0).Put(Codec::kRaw, absl::StrCat("repair ", b)));
    ASSERT_THAT(swarm(0).Replicate({cid}), IsOk());
    cids.push_back(cid);
  }
  // Two nodes die (never node 0, which still holds every block).
  SetDown(3);
  SetDown(7);
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 10; ++i) {
      if (down_.count(i) == 0) swarm(i).Maintain();
    }
  }
  for (const Cid& cid : cids) {
    const std::vector<int> holders = Holders(cid);
    EXPECT_GE(holders.size(), 3u) << cid.ToString();
  }
  // Node 0 is responsible for few of these blocks; its unpinned copies of the others were
  // handed off once the responsible nodes confirmed theirs.
  EXPECT_LT(store(0).Stats().blocks, cids.size());
}

TEST_F(SwarmTest, SettledPagesAreNotCheckedAgainUntilAHolderDiesOrTimePasses) {
  SwarmOptions options;
  options.placement_recheck = absl::Hours(2);
  Start(6, options);
  std::vector<Cid> cids;
  for (int b = 0; b < 600; ++b) {
    SWARMKV_ASSERT_OK_AND_ASSIGN(Cid cid, store(0).Put(Codec::kRaw, absl::StrCat("settle ", b)));
    ASSERT_THAT(store(0).Pin(cid, {cid}, "", clock_.Now()), IsOk());
    cids.push_back(cid);
  }
  SWARMKV_ASSERT_OK_AND_ASSIGN(size_t copies, swarm(0).Replicate(cids));
  EXPECT_GE(copies, 2u);
  // The first round checks every block with the peers; they are all where they belong.
  MaintenanceReport first = swarm(0).Maintain();
  EXPECT_EQ(first.blocks_checked, 600u);
  EXPECT_EQ(first.pushed, 0u);
  // The next rounds ask nobody about them.
  for (int round = 0; round < 3; ++round) {
    loop_.RunFor(absl::Minutes(1));
    MaintenanceReport rest = swarm(0).Maintain();
    EXPECT_EQ(rest.blocks_checked, 0u) << round;
    EXPECT_EQ(rest.blocks_settled, 600u) << round;
  }
  // A holder dies: the round's ping finds it, and the pages are checked and repaired.
  int dead = -1;
  for (int i = 1; i < 6 && dead < 0; ++i) {
    if (store(i).Has(cids[0]).value_or(false)) dead = i;
  }
  ASSERT_GT(dead, 0);
  SetDown(dead);
  loop_.RunFor(absl::Minutes(1));
  MaintenanceReport after_death = swarm(0).Maintain();
  EXPECT_EQ(after_death.blocks_checked, 600u);
  EXPECT_GT(after_death.pushed, 0u);
  for (const Cid& cid : cids) EXPECT_GE(Holders(cid).size(), 3u) << cid.ToString();
  // A page whose every push landed is settled by the repair itself: the next round skips all.
  loop_.RunFor(absl::Minutes(1));
  MaintenanceReport after_repair = swarm(0).Maintain();
  EXPECT_EQ(after_repair.pushed, 0u);
  EXPECT_EQ(after_repair.blocks_checked, 0u);
  EXPECT_EQ(after_repair.blocks_settled, 600u);
  // Checked again once the recheck time has passed.
  loop_.RunFor(absl::Hours(2));
  EXPECT_EQ(swarm(0).Maintain().blocks_checked, 600u);
}

TEST_F(SwarmTest, FullyPlacedMeansRCopiesOrEveryKnownNodeInASmallerSwarm) {
  Start(2);
  // Two nodes, R = 3: both copies are all there can be.
  EXPECT_TRUE(swarm(0).FullyPlaced(2));
  EXPECT_FALSE(swarm(0).FullyPlaced(1));
  for (int i = 0; i < 3; ++i) {
    const int added = AddNode();
    ASSERT_EQ(swarm(added).Bootstrap({BootstrapEntry{std::nullopt, nodes_[0]->address}}), 1u);
  }
  swarm(0).FindClosest(KeyOf(swarm(0).self()));
  EXPECT_FALSE(swarm(0).FullyPlaced(2));
  EXPECT_TRUE(swarm(0).FullyPlaced(3));
}

TEST_F(SwarmTest, PinnedBlocksAreNeverHandedOff) {
  Start(6);
  std::vector<Cid> cids;
  for (int b = 0; b < 10; ++b) {
    SWARMKV_ASSERT_OK_AND_ASSIGN(Cid cid, store(0).Put(Codec::kRaw, absl::StrCat("pinned ", b)));
    ASSERT_THAT(store(0).Pin(cid, {cid}, "", clock_.Now()), IsOk());
    ASSERT_THAT(swarm(0).Replicate({cid}), IsOk());
    cids.push_back(cid);
  }
  swarm(0).Maintain();
  swarm(0).Maintain();
  for (const Cid& cid : cids) EXPECT_TRUE(*store(0).Has(cid));
}

TEST_F(SwarmTest, ProvidersLeadToContentKeptOffTheResponsibleNodes) {
  Start(8);
  SWARMKV_ASSERT_OK_AND_ASSIGN(Cid cid, store(0).Put(Codec::kRaw, "only on node 0"));
  EXPECT_GE(swarm(0).Announce(cid), 1u);
  // Nobody else holds it; the responsible nodes answer with node 0 as a provider.
  int reader = 5;
  SWARMKV_ASSERT_OK_AND_ASSIGN(std::string data, swarm(reader).Fetch(cid));
  EXPECT_EQ(data, "only on node 0");
  // Records expire.
  loop_.RunFor(absl::Hours(25));
  for (int i = 1; i < 8; ++i) swarm(i).Maintain();
  EXPECT_TRUE(swarm(1).HandleGetProviders(cid).providers.empty());
}

TEST_F(SwarmTest, ProviderRecordsSurviveARestartUntilTheyExpire) {
  Start(4);
  const Cid cid = Cid::Compute(Codec::kRaw, "provided");
  const Contact provider{swarm(1).self(), nodes_[1]->address, clock_.Now()};
  swarm(0).HandleAddProvider(provider, cid);
  {
    Swarm restarted(swarm(0).self(), store(0), network_.TransportFor(swarm(0).self(), "x:1"), loop_,
                    inline_, SwarmOptions{});
    SWARMKV_ASSERT_OK_AND_ASSIGN(size_t loaded, restarted.LoadProviderRecords());
    EXPECT_EQ(loaded, 1u);
    ASSERT_EQ(restarted.HandleGetProviders(cid).providers.size(), 1u);
    EXPECT_EQ(restarted.HandleGetProviders(cid).providers[0].id, swarm(1).self());
  }
  loop_.RunFor(absl::Hours(25));
  Swarm later(swarm(0).self(), store(0), network_.TransportFor(swarm(0).self(), "x:2"), loop_,
              inline_, SwarmOptions{});
  SWARMKV_ASSERT_OK_AND_ASSIGN(size_t loaded, later.LoadProviderRecords());
  EXPECT_EQ(loaded, 0u);
  // Maintenance deletes expired records from the store too.
  swarm(0).Maintain();
  SWARMKV_ASSERT_OK_AND_ASSIGN(auto records, store(0).ListProviderRecords(100));
  EXPECT_TRUE(records.empty());
}

TEST_F(SwarmTest, PinnedContentIsReannouncedAcrossTheIntervalAndARestartCarriesOn) {
  SwarmOptions options;
  options.republish_interval = absl::Hours(1);
  Start(4, options);
  for (int i = 0; i < 30; ++i) {
    SWARMKV_ASSERT_OK_AND_ASSIGN(Cid cid, store(0).Put(Codec::kRaw, absl::StrCat("pinned ", i)));
    ASSERT_THAT(store(0).Pin(cid, {cid}, "", clock_.Now()), IsOk());
  }
  // Maintenance every 6 minutes until `until`: the provider records renewed, in all and at most
  // in one round.
  struct Renewed {
    uint64_t total = 0;
    uint64_t largest = 0;
  };
  auto rounds = [&](Swarm& swarm, absl::Time until) {
    Renewed renewed;
    for (; clock_.Now() <= until; loop_.RunFor(absl::Minutes(6))) {
      const uint64_t announced = swarm.Maintain().providers_announced;
      renewed.total += announced;
      renewed.largest = std::max(renewed.largest, announced);
    }
    return renewed;
  };
  const absl::Time start = clock_.Now();
  // The first sweep starts with the first round and renews each root once, a few a round.
  Renewed first = rounds(swarm(0), start + absl::Hours(1));
  EXPECT_EQ(first.total, 30u);
  EXPECT_LE(first.largest, 4u);
  // Halfway through the second sweep the node restarts: the new run carries on where the sweep
  // stood (nothing renewed twice, nothing all at once).
  Renewed before = rounds(swarm(0), start + absl::Minutes(90));
  ASSERT_THAT(swarm(0).SaveRoutingTable(), IsOk());
  Swarm restarted(swarm(0).self(), store(0), network_.TransportFor(swarm(0).self(), "x:1"), loop_,
                  inline_, options);
  restarted.Restore(/*has_bootstrap_list=*/false);
  Renewed after = rounds(restarted, start + absl::Hours(2));
  EXPECT_GT(before.total, 0u);
  EXPECT_GT(after.total, 0u);
  EXPECT_EQ(before.total + after.total, 30u);
  EXPECT_LE(after.largest, 4u);
}

TEST_F(SwarmTest, RoutingTableSurvivesARestart) {
  Start(5);
  ASSERT_THAT(swarm(2).SaveRoutingTable(), IsOk());
  Swarm restarted(swarm(2).self(), store(2), network_.TransportFor(swarm(2).self(), "x:1"), loop_,
                  inline_, SwarmOptions{});
  SWARMKV_ASSERT_OK_AND_ASSIGN(size_t restored, restarted.LoadRoutingTable());
  EXPECT_EQ(restored, 4u);
  EXPECT_EQ(restarted.Peers().size(), 4u);
  // A damaged snapshot is a clear error, never a crash.
  ASSERT_THAT(store(2).PutMeta("routing_table", std::string("\x05\x01\x02", 3)), IsOk());
  EXPECT_THAT(restarted.LoadRoutingTable(), StatusIs(absl::StatusCode::kDataLoss));
}

// Issue 15 finding 7: peers handed over contacts with gRPC targets of other schemes, which were
// dialled. Only host:port addresses are learned.
TEST_F(SwarmTest, ContactsWithoutAHostPortAddressAreNeverLearned) {
  Start(2);
  const size_t before = swarm(0).Peers().size();
  for (const char* bad : {"unix:/tmp/x.sock:1", "unix-abstract:x:1", "ipv4:10.0.0.1:80", "",
                          "dns:///example.org:80", "host:0"}) {
    swarm(0)
        .OnPeerContact(Contact{Identity::Generate().node_id(), bad, clock_.Now()})
        .IgnoreError();
  }
  EXPECT_EQ(swarm(0).Peers().size(), before);
  ASSERT_THAT(swarm(0).OnPeerContact(
                  Contact{Identity::Generate().node_id(), "good-host:4001", clock_.Now()}),
              IsOk());
  EXPECT_EQ(swarm(0).Peers().size(), before + 1);
}

// Issue 15 finding 2: STORE took any block that matched its CID, from anyone, responsible or
// not and regardless of the quota: 8 identities stored 1 GiB in 5 s.
TEST_F(SwarmTest, StoreTakesOnlyBlocksThisNodeIsResponsibleForWithinBudgets) {
  SwarmOptions options;
  options.store_bytes_per_peer = RateLimit{1024, 64 * 1024};
  Start(12, options);
  const Contact stranger{Identity::Generate().node_id(), "10.9.9.9:7420", clock_.Now()};
  // A block far from node 0: at least R + slack = 6 of the others are closer to it.
  auto closer_than_0 = [&](const Cid& cid) {
    int closer = 0;
    for (int i = 1; i < 12; ++i) {
      if (Closer(cid.DhtKey(), KeyOf(swarm(i).self()), KeyOf(swarm(0).self()))) ++closer;
    }
    return closer;
  };
  std::string far, near;
  for (int n = 0; far.empty() || near.empty(); ++n) {
    const std::string data = absl::StrCat("candidate ", n);
    const int closer = closer_than_0(Cid::Compute(Codec::kRaw, data));
    if (closer >= 8 && far.empty()) far = data;
    if (closer == 0 && near.empty()) near = data;
  }
  EXPECT_THAT(swarm(0).HandleStore(stranger, Cid::Compute(Codec::kRaw, far), far),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not responsible")));
  EXPECT_FALSE(*store(0).Has(Cid::Compute(Codec::kRaw, far)));
  EXPECT_THAT(swarm(0).HandleStore(stranger, Cid::Compute(Codec::kRaw, near), near), IsOk());
  // One peer's budget: 64 KiB at once, then 1 KiB a second.
  absl::Status last;
  int stored = 0;
  for (int n = 0; n < 100000 && last.ok(); ++n) {
    const std::string block = absl::StrCat(n, std::string(8 * 1024, 'b'));
    const Cid cid = Cid::Compute(Codec::kRaw, block);
    if (closer_than_0(cid) > 2) continue;
    last = swarm(0).HandleStore(stranger, cid, block);
    if (last.ok()) ++stored;
  }
  EXPECT_THAT(last, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("budget")));
  EXPECT_LE(stored, 8);
}

// Issue 15 finding 5: nodes closer to a block's key answered HAVE "yes" without holding it; the
// holder handed its copy off to them and dropped it, and the block was lost.
TEST_F(SwarmTest, AHandOffWaitsForProofOfPossessionNotForHaveAnswers) {
  Start(8);
  // A block node 0 is not responsible for (R = 3 others are closer), stored on node 0 alone.
  std::string data;
  Cid cid = Cid::Compute(Codec::kRaw, "x");
  std::vector<int> closer;
  for (int n = 0; closer.size() < 4; ++n) {
    data = absl::StrCat("handed off ", n);
    cid = Cid::Compute(Codec::kRaw, data);
    closer.clear();
    for (int i = 1; i < 8; ++i) {
      if (Closer(cid.DhtKey(), KeyOf(swarm(i).self()), KeyOf(swarm(0).self()))) closer.push_back(i);
    }
  }
  ASSERT_THAT(store(0).PutVerified(cid, data), IsOk());
  // Every other node lies: "I have it".
  for (int i = 1; i < 8; ++i) network_.SetLiar(nodes_[i]->address, true);
  const MaintenanceReport lied = swarm(0).Maintain();
  EXPECT_TRUE(*store(0).Has(cid)) << "dropped on HAVE answers alone";
  EXPECT_GE(lied.drops_unproven, 1u);
  EXPECT_EQ(lied.dropped, 0u);
  // Honest again: the block is pushed to the responsible nodes, who then prove it, and only
  // then does node 0 let its copy go.
  for (int i = 1; i < 8; ++i) network_.SetLiar(nodes_[i]->address, false);
  swarm(0).Maintain();
  const MaintenanceReport honest = swarm(0).Maintain();
  EXPECT_EQ(honest.dropped, 1u);
  EXPECT_FALSE(*store(0).Has(cid));
  EXPECT_EQ(Holders(cid).size(), 3u);
}

TEST_F(SwarmTest, WriteQuorumIsOneOnlyForALoneNodeWithoutBootstrap) {
  Start(1);
  EXPECT_EQ(swarm(0).EffectiveWriteQuorum(), 1u);
  swarm(0).set_expects_peers(true);
  EXPECT_EQ(swarm(0).EffectiveWriteQuorum(), 2u);
}

TEST_F(SwarmTest, HaveBatchesAreBounded) {
  Start(1);
  std::vector<Cid> many(1025, Cid::Compute(Codec::kRaw, "x"));
  EXPECT_THAT(swarm(0).HandleHave(many), StatusIs(absl::StatusCode::kResourceExhausted));
}

}  // namespace
}  // namespace swarmkv
