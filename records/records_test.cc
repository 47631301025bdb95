// Records across a loopback swarm of real stores on virtual time: set on one node, resolve on
// another, sequences only go up, tombstones, forged records refused, read repair.
#include "records/records.h"

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

constexpr int kNodes = 6;

class RecordsTest : public ::testing::Test {
 protected:
  struct Node {
    Identity identity;
    std::string address;
    std::unique_ptr<BlockStore> store;
    std::unique_ptr<Swarm> swarm;
    std::unique_ptr<Records> records;
  };

  void SetUp() override {
    for (int i = 0; i < kNodes; ++i) AddNode();
    for (int i = 1; i < kNodes; ++i) {
      ASSERT_EQ(swarm(i).Bootstrap({BootstrapEntry{std::nullopt, nodes_[0]->address}}), 1u);
    }
    for (int i = 0; i < kNodes; ++i) swarm(i).FindClosest(KeyOf(swarm(i).self()));
  }

  // A node with a store, a swarm and records, wired to the network but knowing no one.
  int AddNode() {
    const int i = static_cast<int>(nodes_.size());
    auto node = std::make_unique<Node>(
        Node{Identity::Generate(), absl::StrCat("10.0.", i, ".1:7420"), nullptr, nullptr, nullptr});
    BlockStoreOptions store_options;
    store_options.sync_writes = false;
    auto store = BlockStore::Open(dir_.Sub(absl::StrCat("node", i)), key_, store_options);
    EXPECT_TRUE(store.ok()) << store.status();
    node->store = *std::move(store);
    Transport& transport = network_.TransportFor(node->identity.node_id(), node->address);
    node->swarm = std::make_unique<Swarm>(node->identity.node_id(), *node->store, transport, loop_,
                                          inline_, options_);
    node->records =
        std::make_unique<Records>(*node->swarm, *node->store, node->identity, loop_.clock());
    network_.Add(node->address, node->swarm.get());
    nodes_.push_back(std::move(node));
    return i;
  }

  Swarm& swarm(int i) { return *nodes_[i]->swarm; }
  Records& records(int i) { return *nodes_[i]->records; }
  RecordName NameOf(int publisher, const std::string& key) {
    return RecordName{nodes_[publisher]->identity.node_id(), key};
  }
  // Nodes holding a record under (publisher, key) in their store, and its sequence there.
  std::vector<uint64_t> HeldSequences(int publisher, const std::string& key) {
    std::vector<uint64_t> out;
    const DhtKey dht = RecordDhtKey(nodes_[publisher]->identity.node_id(), key);
    for (auto& node : nodes_) {
      absl::StatusOr<std::string> held = node->store->GetRecord(DigestView(dht));
      if (held.ok()) out.push_back(DecodeRecord(*held)->sequence);
    }
    return out;
  }

  SwarmOptions options_;
  ::swarmkv::testing::TempDir dir_;
  SecretBytes key_ = SecretBytes::Random(32);
  VirtualEventLoop loop_;
  InlineExecutor inline_;
  ::swarmkv::testing::LoopbackNetwork network_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::set<int> down_;
};

TEST_F(RecordsTest, SetOnOneNodeResolvesOnAnotherAndSequencesOnlyGoUp) {
  SWARMKV_ASSERT_OK_AND_ASSIGN(Published first, records(0).Set("app/color", "blue"));
  EXPECT_EQ(first.record.sequence, 1u);
  EXPECT_GE(first.copies, 3u);  // this node and the R closest
  SWARMKV_ASSERT_OK_AND_ASSIGN(Record seen, records(5).Resolve(NameOf(0, "app/color")));
  EXPECT_EQ(seen.value, "blue");

  for (int i = 2; i <= 10; ++i) {
    SWARMKV_ASSERT_OK_AND_ASSIGN(Published p, records(0).Set("app/color", absl::StrCat("v", i)));
    EXPECT_EQ(p.record.sequence, static_cast<uint64_t>(i));
    SWARMKV_ASSERT_OK_AND_ASSIGN(Record r, records(5).Resolve(NameOf(0, "app/color")));
    EXPECT_EQ(r.sequence, static_cast<uint64_t>(i));
  }
  // An explicit sequence that is not higher is refused, and nothing changes.
  EXPECT_THAT(records(0).Set("app/color", "old", 4).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already has sequence")));
  EXPECT_THAT(records(0).Set("app/color", "same", 10).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  SWARMKV_ASSERT_OK_AND_ASSIGN(Record r, records(3).Resolve(NameOf(0, "app/color")));
  EXPECT_EQ(r.value, "v10");
  // A bare key is the resolving node's own namespace: node 5 has no such record.
  EXPECT_THAT(records(5).Resolve(RecordName{std::nullopt, "app/color"}).status(),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(RecordsTest, DeleteLeavesATombstoneThatResolvesToNotFound) {
  ASSERT_THAT(records(1).Set("gone", "soon").status(), IsOk());
  SWARMKV_ASSERT_OK_AND_ASSIGN(Published deleted, records(1).Delete("gone"));
  EXPECT_TRUE(deleted.record.tombstone);
  EXPECT_EQ(deleted.record.sequence, 2u);
  EXPECT_THAT(records(4).Resolve(NameOf(1, "gone")).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("deleted")));
  EXPECT_THAT(records(1).Delete("gone").status(), StatusIs(absl::StatusCode::kNotFound));
  // Set again after a delete: the sequence keeps going up.
  SWARMKV_ASSERT_OK_AND_ASSIGN(Published again, records(1).Set("gone", "back"));
  EXPECT_EQ(again.record.sequence, 3u);
}

TEST_F(RecordsTest, ForgedRecordsAreRefusedAndTheirSenderPenalized) {
  const Identity thief = Identity::Generate();
  absl::StatusOr<Record> forged =
      SignRecord(thief, "app/color", "stolen", 99, loop_.clock().Now() + absl::Hours(1));
  ASSERT_THAT(forged.status(), IsOk());
  forged->publisher = nodes_[0]->identity.public_key();  // into node 0's namespace
  const Contact sender{thief.node_id(), "10.9.9.9:7420", absl::InfinitePast()};
  EXPECT_THAT(swarm(2).HandlePutRecord(sender, EncodeRecord(*forged)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("signature")));
  EXPECT_THAT(swarm(2).OnPeerContact(sender), StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(RecordsTest, AStoringNodeKeepsTheNewerRecordAndAnswersWithIt) {
  SWARMKV_ASSERT_OK_AND_ASSIGN(Published two, records(0).Set("k", "two", 2));
  SWARMKV_ASSERT_OK_AND_ASSIGN(Record one, SignRecord(nodes_[0]->identity, "k", "one", 1,
                                                      loop_.clock().Now() + absl::Hours(1)));
  const Contact sender{nodes_[0]->identity.node_id(), nodes_[0]->address, absl::InfinitePast()};
  for (int i = 1; i < kNodes; ++i) {
    absl::StatusOr<std::string> held = nodes_[i]->store->GetRecord(DigestView(one.dht_key()));
    if (!held.ok()) continue;
    // An older record is refused: the node answers with what it holds, and keeps it.
    SWARMKV_ASSERT_OK_AND_ASSIGN(std::string newer,
                                 swarm(i).HandlePutRecord(sender, EncodeRecord(one)));
    EXPECT_EQ(newer, EncodeRecord(two.record));
    EXPECT_EQ(*nodes_[i]->store->GetRecord(DigestView(one.dht_key())), EncodeRecord(two.record));
  }
}

TEST_F(RecordsTest, AStorerClaimingANewerRecordItCannotShowBlocksNothing) {
  const DhtKey key = RecordDhtKey(nodes_[0]->identity.node_id(), "claimed");
  std::vector<Contact> closest = swarm(0).FindClosest(key);
  ASSERT_FALSE(closest.empty());
  int liar = -1;
  for (int i = 1; i < kNodes; ++i) {
    if (swarm(i).self() == closest[0].id) liar = i;
  }
  ASSERT_GE(liar, 1);
  network_.SetLiar(nodes_[liar]->address, true);
  SWARMKV_ASSERT_OK_AND_ASSIGN(Published p, records(0).Set("claimed", "mine"));
  EXPECT_EQ(p.record.sequence, 1u);
  // Its claim was checked, found to be no record, and it is ignored from now on.
  EXPECT_THAT(swarm(0).OnPeerContact(closest[0]), StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(RecordsTest, AResolveRepairsNodesThatHeldAnOlderRecord) {
  ASSERT_THAT(records(0).Set("k", "one").status(), IsOk());
  const std::vector<uint64_t> after_first = HeldSequences(0, "k");
  ASSERT_GE(after_first.size(), 3u);
  // Node 0 writes sequence 2 only to its own store (as if its peers were unreachable then).
  SWARMKV_ASSERT_OK_AND_ASSIGN(Record two, SignRecord(nodes_[0]->identity, "k", "two", 2,
                                                      loop_.clock().Now() + absl::Hours(1)));
  ASSERT_THAT(nodes_[0]->store->PutRecord(DigestView(two.dht_key()), EncodeRecord(two)), IsOk());
  // A resolve anywhere finds the newest and writes it back to the others it asked.
  SWARMKV_ASSERT_OK_AND_ASSIGN(Record seen, records(0).Resolve(NameOf(0, "k")));
  EXPECT_EQ(seen.sequence, 2u);
  for (uint64_t sequence : HeldSequences(0, "k")) EXPECT_EQ(sequence, 2u);
}

TEST_F(RecordsTest, MaintenanceRepairsCopiesAfterHoldersDie) {
  ASSERT_THAT(records(1).Set("kept", "alive").status(), IsOk());
  std::vector<int> holders;
  const DhtKey key = RecordDhtKey(nodes_[1]->identity.node_id(), "kept");
  for (int i = 0; i < kNodes; ++i) {
    if (i != 1 && nodes_[i]->store->GetRecord(DigestView(key)).ok()) holders.push_back(i);
  }
  ASSERT_GE(holders.size(), 2u);
  for (int i : {holders[0], holders[1]}) {
    network_.SetDown(nodes_[i]->address, true);
    down_.insert(i);
  }
  // The live nodes notice (block maintenance finds the dead ones), then place records again.
  size_t pushed = 0;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < kNodes; ++i) {
      if (down_.count(i) != 0) continue;
      swarm(i).Maintain();
      pushed += swarm(i).MaintainRecords().pushed;
    }
  }
  EXPECT_GT(pushed, 0u);
  size_t live_holders = 0;
  for (int i = 0; i < kNodes; ++i) {
    if (down_.count(i) == 0 && nodes_[i]->store->GetRecord(DigestView(key)).ok()) ++live_holders;
  }
  EXPECT_GE(live_holders, 3u);  // R copies again among the four live nodes
}

TEST_F(RecordsTest, MaintenanceDeletesExpiredRecordsAndThePublisherRepublishes) {
  SWARMKV_ASSERT_OK_AND_ASSIGN(Record stale, SignRecord(nodes_[2]->identity, "stale", "x", 1,
                                                        loop_.clock().Now() + absl::Minutes(1)));
  ASSERT_THAT(nodes_[3]->store->PutRecord(DigestView(stale.dht_key()), EncodeRecord(stale)),
              IsOk());
  SWARMKV_ASSERT_OK_AND_ASSIGN(Published kept, records(2).Set("kept", "y"));
  loop_.RunFor(absl::Hours(25));  // "stale" is past its expiry, "kept" past half its lifetime
  EXPECT_EQ(swarm(3).MaintainRecords().expired, 1u);
  EXPECT_THAT(nodes_[3]->store->GetRecord(DigestView(stale.dht_key())).status(),
              StatusIs(absl::StatusCode::kNotFound));
  SWARMKV_ASSERT_OK_AND_ASSIGN(size_t republished, records(2).RepublishDue());
  EXPECT_EQ(republished, 1u);
  SWARMKV_ASSERT_OK_AND_ASSIGN(Record renewed, records(4).Resolve(NameOf(2, "kept")));
  EXPECT_EQ(renewed.sequence, kept.record.sequence);
  EXPECT_GT(renewed.expires_at, kept.record.expires_at);
  SWARMKV_ASSERT_OK_AND_ASSIGN(size_t again, records(2).RepublishDue());
  EXPECT_EQ(again, 0u);  // not due again until half of the new lifetime is gone
}

TEST_F(RecordsTest, AnEncryptedValueIsCiphertextOnEveryStoringNode) {
  const std::string secret(32, 'k');
  SWARMKV_ASSERT_OK_AND_ASSIGN(Published p, records(0).Set("secret", "plaintext!", 0, secret));
  EXPECT_TRUE(p.record.encrypted);
  const DhtKey key = RecordDhtKey(nodes_[0]->identity.node_id(), "secret");
  size_t holders = 0;
  for (auto& node : nodes_) {
    absl::StatusOr<std::string> held = node->store->GetRecord(DigestView(key));
    if (!held.ok()) continue;
    ++holders;
    EXPECT_EQ(held->find("plaintext!"), std::string::npos);
  }
  EXPECT_GE(holders, 3u);
  SWARMKV_ASSERT_OK_AND_ASSIGN(Record r, records(4).Resolve(NameOf(0, "secret")));
  EXPECT_TRUE(r.encrypted);
  SWARMKV_ASSERT_OK_AND_ASSIGN(std::string value, OpenRecordValue(secret, r.Name(), r.value));
  EXPECT_EQ(value, "plaintext!");
}

// A node that knows only one far node still finds the record: the one it asks names closer
// nodes, and a lookup follows.
TEST_F(RecordsTest, AReaderThatKnowsFewNodesLooksUpTheClosest) {
  ASSERT_THAT(records(0).Set("far", "found").status(), IsOk());
  const int late = AddNode();
  const DhtKey key = RecordDhtKey(nodes_[0]->identity.node_id(), "far");
  // Its one contact: the node farthest from the record's key among those without a copy.
  int farthest = -1;
  for (int i = 1; i < kNodes; ++i) {
    if (nodes_[i]->store->GetRecord(DigestView(key)).ok()) continue;
    if (farthest < 0 || Closer(key, KeyOf(swarm(farthest).self()), KeyOf(swarm(i).self()))) {
      farthest = i;
    }
  }
  ASSERT_GE(farthest, 1);
  ASSERT_THAT(swarm(late).OnPeerContact(
                  Contact{swarm(farthest).self(), nodes_[farthest]->address, absl::InfinitePast()}),
              IsOk());
  ASSERT_EQ(swarm(late).Peers().size(), 1u);
  SWARMKV_ASSERT_OK_AND_ASSIGN(Record r, records(late).Resolve(NameOf(0, "far")));
  EXPECT_EQ(r.value, "found");
}

// With no slack in responsibility (R = 3 of 6 nodes), a copy left on a node that is not among
// the closest is handed off once they all hold it; the publisher keeps its own.
class RecordsHandOffTest : public RecordsTest {
 protected:
  void SetUp() override {
    options_.store_slack = 0;
    RecordsTest::SetUp();
  }
};

TEST_F(RecordsHandOffTest, ACopyNotOursGoesOnceTheClosestHoldItAndThePublisherKeepsItsOwn) {
  SWARMKV_ASSERT_OK_AND_ASSIGN(Published p, records(0).Set("moved", "on"));
  const DhtKey key = p.record.dht_key();
  const std::string encoded = EncodeRecord(p.record);
  int stray = -1;
  for (int i = 1; i < kNodes && stray < 0; ++i) {
    if (!swarm(i).IsResponsibleFor(key)) stray = i;
  }
  ASSERT_GE(stray, 1);
  ASSERT_THAT(nodes_[stray]->store->PutRecord(DigestView(key), encoded), IsOk());
  EXPECT_EQ(swarm(stray).MaintainRecords().handed_off, 1u);
  EXPECT_THAT(nodes_[stray]->store->GetRecord(DigestView(key)).status(),
              StatusIs(absl::StatusCode::kNotFound));
  size_t held = 0;
  for (int i = 0; i < kNodes; ++i) held += nodes_[i]->store->GetRecord(DigestView(key)).ok();
  EXPECT_GE(held, 3u);
  // The publisher keeps its own record wherever it belongs (it republishes it).
  EXPECT_EQ(swarm(0).MaintainRecords().handed_off, 0u);
  EXPECT_THAT(nodes_[0]->store->GetRecord(DigestView(key)).status(), IsOk());
}

TEST_F(RecordsTest, ListsOwnKeysAndNamesHeldByPrefix) {
  ASSERT_THAT(records(0).Set("app/a", "1").status(), IsOk());
  ASSERT_THAT(records(0).Set("app/b", "2").status(), IsOk());
  ASSERT_THAT(records(0).Set("other", "3").status(), IsOk());
  SWARMKV_ASSERT_OK_AND_ASSIGN(std::vector<Record> own, records(0).ListOwn("app/", 10));
  ASSERT_EQ(own.size(), 2u);
  EXPECT_EQ(own[0].key, "app/a");
  EXPECT_EQ(own[1].key, "app/b");
  SWARMKV_ASSERT_OK_AND_ASSIGN(std::vector<std::string> names, records(0).NamesHeld("app/", 10));
  EXPECT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], nodes_[0]->identity.node_id().ToString() + "/app/a");
}

}  // namespace
}  // namespace swarmkv
