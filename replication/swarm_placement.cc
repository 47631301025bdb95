// The Swarm's placement and repair: replicating blocks, announcing providers, maintenance. Each
// operation is a small state machine on the loop (see swarm.h); store work that blocks runs on
// the blocking executor and posts its result back.
#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "replication/internal/swarm_helpers.h"
#include "replication/possession.h"
#include "replication/saved_state.h"
#include "replication/settled_pages.h"
#include "replication/swarm.h"

namespace swarmkv {

using swarm_internal::OnLoop;
using swarm_internal::OnLoopStatus;
using swarm_internal::PeerUnreachable;
namespace {
// Blocks being placed at once by one Replicate call.
constexpr size_t kReplicationWindow = 8;
// How many blocks a maintenance round reads from the store at a time: at most one HAVE's worth
// per peer.
constexpr size_t kMaintenancePage = kMaxHaveBatch;
}  // namespace

// ----- Replicate -----

// Up to kReplicationWindow blocks are placed at once: for each, a lookup, a read of the block,
// then a STORE to each responsible node. Held by the callbacks of its own requests.
struct Swarm::ReplicationRun : std::enable_shared_from_this<ReplicationRun> {
  ReplicationRun(Swarm& swarm, std::vector<Cid> blocks, Done<absl::StatusOr<size_t>> done)
      : swarm(swarm),
        blocks(std::move(blocks)),
        done(std::move(done)),
        lookup(swarm.PlacementLookup()) {}

  void StartMore() {
    while (!finished && active < kReplicationWindow && next < blocks.size()) {
      ++active;
      Place(blocks[next++]);
    }
    if (active == 0) Finish(min_copies);
  }

  void Place(const Cid& cid) {
    auto self = shared_from_this();
    swarm.RunFindNodeLookup(cid.DhtKey(), lookup, [self, cid](std::vector<Contact> closest) {
      self->swarm.blocking_.Post([self, cid, closest = std::move(closest)] {
        absl::StatusOr<std::string> data = self->swarm.store_.Get(cid);
        self->swarm.loop_.Post([self, cid, closest, data = std::move(data)] {
          if (!data.ok()) return self->Finish(data.status());
          self->Store(cid, closest, *data);
        });
      });
    });
  }

  void Store(const Cid& cid, const std::vector<Contact>& closest, const std::string& data) {
    std::vector<Contact> targets;
    for (const NodeId& id : swarm.planner_.Responsible(cid.DhtKey(), closest)) {
      auto contact = std::find_if(closest.begin(), closest.end(),
                                  [&](const Contact& c) { return c.id == id; });
      if (contact != closest.end()) targets.push_back(*contact);  // else: this node
    }
    if (targets.empty()) return BlockDone(1);
    struct Copies {
      size_t pending;
      size_t copies = 1;  // the local one
    };
    auto copies = std::make_shared<Copies>(Copies{targets.size()});
    auto self = shared_from_this();
    for (const Contact& to : targets) {
      swarm.transport_.Store(
          to, cid, data, OnLoopStatus(swarm.loop_, [self, cid, to, copies](absl::Status status) {
            if (status.ok()) {
              ++copies->copies;
            } else {
              if (PeerUnreachable(status)) self->swarm.Forget(to.id);
              LogEvent(LogLevel::kWarn, "swarm.store_failed",
                       {{"peer", to.id.ToString()}, {"cid", cid.ToString()}, {"status", status}});
            }
            if (--copies->pending == 0) self->BlockDone(copies->copies);
          }));
    }
  }

  void BlockDone(size_t copies) {
    min_copies = std::min(min_copies, copies);
    --active;
    StartMore();
  }

  void Finish(absl::StatusOr<size_t> result) {
    if (finished) return;
    finished = true;
    done(std::move(result));
  }

  Swarm& swarm;
  const std::vector<Cid> blocks;
  const Done<absl::StatusOr<size_t>> done;
  const LookupOptions lookup;
  size_t next = 0;
  size_t active = 0;
  size_t min_copies = SIZE_MAX;
  bool finished = false;
};

void Swarm::ReplicateAsync(std::vector<Cid> blocks, Done<absl::StatusOr<size_t>> done) {
  if (blocks.empty()) {
    loop_.Post([done = std::move(done)] { done(size_t{1}); });
    return;
  }
  auto run = std::make_shared<ReplicationRun>(*this, std::move(blocks), std::move(done));
  loop_.Post([this, run] {
    // A node joining its swarm places the blocks once it knows a peer.
    if (!WaitForJoin([run] { run->StartMore(); })) run->StartMore();
  });
}

// ----- Announce -----

LookupOptions Swarm::PlacementLookup() const {
  LookupOptions lookup = options_.lookup;
  lookup.k = std::min(lookup.k, options_.replication_factor);
  return lookup;
}

void Swarm::AnnounceAsync(const Cid& cid, Done<size_t> done) {
  loop_.Post([this, cid, done = std::move(done)] {
    RunFindNodeLookup(
        cid.DhtKey(), PlacementLookup(), [this, cid, done](std::vector<Contact> closest) {
          if (closest.empty()) return done(0);
          struct Count {
            size_t pending;
            size_t accepted = 0;
          };
          auto count = std::make_shared<Count>(Count{closest.size()});
          for (const Contact& c : closest) {
            transport_.AddProvider(c, cid, OnLoopStatus(loop_, [count, done](absl::Status status) {
                                     if (status.ok()) ++count->accepted;
                                     if (--count->pending == 0) done(count->accepted);
                                   }));
          }
        });
  });
}

// ----- Maintain -----

struct Swarm::MaintenanceRound {
  MaintenanceReport report;
  Done<MaintenanceReport> done;
  std::optional<Cid> after;  // the last block listed
  std::vector<Cid> listed;   // listed, not yet in a page
  bool listed_all = false;
};

void Swarm::MaintainAsync(Done<MaintenanceReport> done) {
  auto round = std::make_shared<MaintenanceRound>();
  round->done = std::move(done);
  RefreshMembershipAsync([this, round](size_t revived) {
    round->report.dormant_revived = revived;
    RefreshNextBucket(round);
  });
}

void Swarm::RefreshMembershipAsync(Done<size_t> done) {
  // Contacts that had stopped answering first: after a partition heals, or a node comes back
  // that nobody else remembers, this is how the two sides find each other again. Then the
  // neighbourhood: a self-lookup finds nodes that joined near us.
  loop_.Post([this, done = std::move(done)] {
    ReviveDormant([this, done](size_t revived) {
      FindClosestAsync(KeyOf(self_), [done, revived](std::vector<Contact>) { done(revived); });
    });
  });
}

void Swarm::RefreshNextBucket(std::shared_ptr<MaintenanceRound> round) {
  // One bucket per round, in turn: a lookup of a key in its range keeps the far parts of the
  // table current (Kademlia's bucket refresh).
  uint64_t number = 0;
  int deepest = 0;
  {
    absl::MutexLock lock(&mu_);
    number = maintenance_rounds_++;
    for (const Contact& c : table_.Closest(KeyOf(self_), 1)) {
      deepest = CommonPrefixLength(KeyOf(self_), KeyOf(c.id));
    }
  }
  const int bucket_prefix =
      static_cast<int>(number % static_cast<uint64_t>(std::min(deepest + 2, 256)));
  RunFindNodeLookup(KeyWithCommonPrefix(KeyOf(self_), bucket_prefix, number), options_.lookup,
                    [this, round](std::vector<Contact>) { PingSettledPeers(round); });
}

void Swarm::PingSettledPeers(std::shared_ptr<MaintenanceRound> round) {
  // Settled pages are skipped without asking their holders anything, so first make sure those
  // holders still answer: one that does not leaves the table, which changes its version and
  // so unsettles every page.
  std::vector<Contact> peers;
  {
    absl::MutexLock lock(&mu_);
    for (const NodeId& id : settled_pages_.Peers()) {
      if (std::optional<Contact> contact = table_.Find(id); contact.has_value()) {
        peers.push_back(*contact);
      }
    }
  }
  if (peers.empty()) return MaintainPage(round);
  auto waiting = std::make_shared<size_t>(peers.size());
  for (const Contact& peer : peers) {
    transport_.Ping(peer, OnLoopStatus(loop_, [this, round, waiting, peer](absl::Status status) {
                      if (!status.ok() && PeerUnreachable(status)) Forget(peer.id);
                      if (--*waiting == 0) MaintainPage(round);
                    }));
  }
}

// One page of a maintenance round, as it moves between the loop and the blocking executor.
struct Swarm::MaintenancePage {
  std::optional<PageMark> mark;  // set before the page is planned
  uint64_t table_version = 0;    // when the page's placements were planned
  std::vector<Cid> blocks;
  std::vector<BlockPlacement> placements;
  absl::flat_hash_map<NodeId, std::vector<size_t>> asked_of;
  absl::flat_hash_map<NodeId, Contact> contacts;
  absl::flat_hash_set<NodeId> unreachable;
  size_t waiting = 0;
  // Decided on the executor: the STOREs to send, and the hand-offs to make once every node the
  // block is left to (the keepers) has proven it holds it.
  struct Push {
    Contact to;
    Cid cid;
    std::shared_ptr<const std::string> data;
  };
  std::vector<Push> pushes;
  struct Drop {
    Cid cid;
    std::vector<Contact> keepers;
    std::string nonce;
    Digest256 expected;
  };
  std::vector<Drop> drops;
  // Every block is where it belongs once the pushes land: every peer answered, nothing to hand
  // off, every copy that is missing planned as a push (and, once sent, every push accepted).
  bool settles = false;
};

void Swarm::SettlePage(const MaintenancePage& page) {
  std::vector<NodeId> peers;
  for (const auto& [id, indexes] : page.asked_of) peers.push_back(id);
  absl::MutexLock lock(&mu_);
  settled_pages_.Settle(*page.mark, page.table_version, clock_.Now(), std::move(peers));
}

void Swarm::ProveAndDrop(std::shared_ptr<MaintenanceRound> round,
                         std::shared_ptr<MaintenancePage> page, size_t index) {
  const MaintenancePage::Drop& drop = page->drops[index];
  struct Tally {
    size_t waiting = 0;
    size_t proven = 0;
  };
  auto tally = std::make_shared<Tally>();
  tally->waiting = drop.keepers.size();
  const Cid cid = drop.cid;
  const Digest256 expected = drop.expected;
  const size_t keepers = drop.keepers.size();
  for (const Contact& keeper : drop.keepers) {
    transport_.Prove(keeper, cid, drop.nonce,
                     OnLoop<Digest256>(loop_, [this, round, page, tally, cid, expected,
                                               keepers](absl::StatusOr<Digest256> proof) {
                       if (proof.ok() && *proof == expected) ++tally->proven;
                       if (--tally->waiting > 0) return;
                       auto next = [this, round, page] {
                         if (--page->waiting == 0) MaintainPage(round);
                       };
                       if (tally->proven < keepers) {
                         ++round->report.drops_unproven;
                         return next();
                       }
                       blocking_.Post([this, round, cid, next] {
                         if (store_.DropBlock(cid).ok()) ++round->report.dropped;
                         loop_.Post(next);
                       });
                     }));
  }
}

void Swarm::MaintainPage(std::shared_ptr<MaintenanceRound> round) {
  blocking_.Post([this, round] {
    // The store's blocks in key order, listed a batch ahead of the page being cut from them.
    if (round->listed.size() < kMaintenancePage && !round->listed_all) {
      auto more =
          store_.ListBlocks(round->after.has_value() ? &*round->after : nullptr, kMaintenancePage);
      if (!more.ok()) {
        LogEvent(LogLevel::kError, "swarm.maintenance_failed", {{"status", more.status()}});
        return MaintainProviders(round);
      }
      if (more->size() < kMaintenancePage) round->listed_all = true;
      if (!more->empty()) round->after = more->back();
      round->listed.insert(round->listed.end(), more->begin(), more->end());
    }
    const size_t size = NextPageSize(round->listed, kMaintenancePage, !round->listed_all);
    if (size == 0) return MaintainProviders(round);  // the walk is over
    std::vector<Cid> blocks(round->listed.begin(), round->listed.begin() + size);
    round->listed.erase(round->listed.begin(), round->listed.begin() + size);
    const PageMark mark = MarkOf(blocks);
    bool settled = false;
    uint64_t table_version = 0;
    {
      absl::MutexLock lock(&mu_);
      table_version = table_version_;
      settled = settled_pages_.Skip(mark, table_version, clock_.Now());
    }
    if (settled) {
      round->report.blocks_settled += blocks.size();
      // Through the loop: with an inline executor, a run of settled pages would otherwise nest.
      loop_.Post([this, round] { MaintainPage(round); });
      return;
    }
    loop_.Post([this, round, mark, table_version, listed = std::move(blocks)]() mutable {
      round->report.blocks_checked += listed.size();

      // Who should hold each block, by this node's table (it knows its own neighbourhood best,
      // and blocks it holds are near it), and one HAVE per peer for all its blocks.
      auto page = std::make_shared<MaintenancePage>();
      page->mark = mark;
      page->table_version = table_version;
      page->blocks = std::move(listed);
      page->placements.resize(page->blocks.size());
      for (size_t i = 0; i < page->blocks.size(); ++i) {
        BlockPlacement& placement = page->placements[i];
        placement.key = page->blocks[i].DhtKey();
        placement.closest = ClosestKnown(placement.key, options_.replication_factor + 1);
        for (const Contact& c : placement.closest) page->contacts.emplace(c.id, c);
        for (const NodeId& id : planner_.Responsible(placement.key, placement.closest)) {
          if (id != self_) page->asked_of[id].push_back(i);
        }
      }
      // A node that knows no peer has nothing to push or hand off.
      if (page->contacts.empty()) return MaintainPage(round);
      // With the holders known: decide on the executor (pins, drops and reads touch the
      // store), then send the STOREs, then the next page.
      auto act = [this, round, page] {
        for (const NodeId& id : page->unreachable) Forget(id);  // the plan is made without them
        page->settles = page->unreachable.empty();
        blocking_.Post([this, round, page] {
          for (size_t i = 0; i < page->blocks.size(); ++i) {
            const Cid& cid = page->blocks[i];
            BlockPlacement& placement = page->placements[i];
            if (!page->unreachable.empty()) {
              placement.closest = ClosestKnown(placement.key, options_.replication_factor + 1);
            }
            // Pinned or not matters only to a hand-off (the plan's last action): the store is
            // read only then, not for every block of every round.
            placement.pinned = false;
            std::vector<ReplicaAction> actions = planner_.Plan(placement);
            if (!actions.empty() && actions.back().kind == ReplicaAction::kDrop) {
              auto pinned = store_.IsBlockPinned(cid);
              if (!pinned.ok() || *pinned) actions.pop_back();  // when unsure, keep it
              if (!pinned.ok()) page->settles = false;
            }
            const std::vector<NodeId> responsible =
                actions.empty() ? std::vector<NodeId>{}
                                : planner_.Responsible(placement.key, placement.closest);
            if (!actions.empty() &&
                std::find(responsible.begin(), responsible.end(), self_) == responsible.end()) {
              // Once its copies are pushed, an unpinned block this node is not responsible for
              // is handed off by the next round's check, so that check must not be skipped.
              auto pinned = store_.IsBlockPinned(cid);
              if (!pinned.ok() || !*pinned) page->settles = false;
            }
            std::shared_ptr<const std::string> data;
            for (const ReplicaAction& action : actions) {
              if (data == nullptr) {
                auto block = store_.Get(cid);
                if (!block.ok()) {  // damaged here: nothing to push (the store logged it)
                  page->settles = false;
                  break;
                }
                data = std::make_shared<const std::string>(*std::move(block));
              }
              if (action.kind == ReplicaAction::kDrop) {
                page->settles = false;  // the page changes: its next walk sees other blocks
                // Issue 15 finding 5: a HAVE "yes" is no proof. Each keeper proves it first.
                MaintenancePage::Drop drop{
                    cid, {}, std::string(SecretBytes::Random(kNonceBytes).view()), {}};
                drop.expected = PossessionProof(drop.nonce, *data);
                for (const NodeId& id : planner_.Responsible(placement.key, placement.closest)) {
                  auto keeper = std::find_if(placement.closest.begin(), placement.closest.end(),
                                             [&](const Contact& c) { return c.id == id; });
                  if (id != self_ && keeper != placement.closest.end()) {
                    drop.keepers.push_back(*keeper);
                  }
                }
                if (!drop.keepers.empty()) page->drops.push_back(std::move(drop));
                continue;
              }
              auto contact = std::find_if(placement.closest.begin(), placement.closest.end(),
                                          [&](const Contact& c) { return c.id == action.peer; });
              if (contact == placement.closest.end()) {
                page->settles = false;
                continue;
              }
              page->pushes.push_back(MaintenancePage::Push{*contact, cid, data});
            }
          }
          loop_.Post([this, round, page] {
            page->waiting = page->pushes.size() + page->drops.size();
            if (page->waiting == 0) {
              if (page->settles) SettlePage(*page);
              return MaintainPage(round);
            }
            for (size_t d = 0; d < page->drops.size(); ++d) ProveAndDrop(round, page, d);
            for (const MaintenancePage::Push& push : page->pushes) {
              transport_.Store(push.to, push.cid, *push.data,
                               OnLoopStatus(loop_, [this, round, page](absl::Status status) {
                                 if (status.ok()) {
                                   ++round->report.pushed;
                                 } else {
                                   ++round->report.push_failures;
                                   page->settles = false;
                                 }
                                 if (--page->waiting > 0) return;
                                 // Every missing copy pushed and accepted: the page is as a
                                 // check would find it next round, so it is not checked again.
                                 if (page->settles) SettlePage(*page);
                                 MaintainPage(round);
                               }));
            }
          });
        });
      };
      page->waiting = page->asked_of.size();
      if (page->waiting == 0) return act();
      // In the order of ids, not of the hash map: the simulator replays a seed exactly only if
      // requests go out in the same order every run.
      std::vector<NodeId> peers;
      for (const auto& [id, indexes] : page->asked_of) peers.push_back(id);
      std::sort(peers.begin(), peers.end());
      for (const NodeId& id : peers) {
        const std::vector<size_t>& indexes = page->asked_of[id];
        std::vector<Cid> cids;
        for (size_t i : indexes) cids.push_back(page->blocks[i]);
        const Contact to = page->contacts.at(id);
        transport_.Have(to, std::move(cids),
                        OnLoop<std::vector<bool>>(
                            loop_, [page, act, to](absl::StatusOr<std::vector<bool>> have) {
                              const std::vector<size_t>& indexes = page->asked_of[to.id];
                              if (have.ok() && have->size() == indexes.size()) {
                                for (size_t j = 0; j < indexes.size(); ++j) {
                                  if ((*have)[j])
                                    page->placements[indexes[j]].holders.insert(to.id);
                                }
                              } else if (!have.ok() && PeerUnreachable(have.status())) {
                                page->unreachable.insert(to.id);
                              }
                              if (--page->waiting == 0) act();
                            }));
      }
    });
  });
}

void Swarm::MaintainProviders(std::shared_ptr<MaintenanceRound> round) {
  // Provider records: expire everyone's old ones (a store write each), then renew ours that the
  // republish sweep says are due.
  {
    absl::MutexLock lock(&mu_);
    settled_pages_.EndRound();
  }
  blocking_.Post([this, round] {
    const absl::Time now = clock_.Now();
    const uint64_t pinned_roots = store_.Stats().pinned_roots;
    uint64_t due = 0;
    std::optional<Cid> after;
    {
      absl::MutexLock lock(&mu_);
      for (const DhtKey& key : providers_.Expire(now)) PersistProvidersLocked(key);
      for (auto it = penalized_until_.begin(); it != penalized_until_.end();) {
        if (it->second <= now) {
          penalized_until_.erase(it++);
        } else {
          ++it;
        }
      }
      due = republish_.Due(now, pinned_roots);
      after = republish_.sweep().after;
    }
    auto roots = std::make_shared<std::vector<Cid>>();
    if (due > 0) {
      auto pins = store_.ListPins(after.has_value() ? &*after : nullptr, due);
      if (pins.ok()) {
        for (const PinnedRoot& pin : *pins) roots->push_back(pin.root);
        std::string saved;
        {
          absl::MutexLock lock(&mu_);
          republish_.Listed(due, *roots);
          saved = EncodeRepublishSweep(republish_.sweep());
        }
        // Soft state: a lost write costs renewing some roots twice.
        if (absl::Status put = store_.PutMeta(kRepublishSweepMeta, saved); !put.ok()) {
          LogEvent(LogLevel::kWarn, "swarm.republish_save_failed", {{"status", put}});
        }
      } else {
        LogEvent(LogLevel::kWarn, "swarm.republish_list_failed", {{"status", pins.status()}});
      }
    }
    // A few announcements at a time (each a lookup, then an ADD_PROVIDER to each of the closest);
    // the round ends when the last has been answered.
    struct Announcing {
      size_t next = 0;
      size_t in_flight = 0;
    };
    auto state = std::make_shared<Announcing>();
    auto launch = std::make_shared<std::function<void()>>();
    *launch = [this, round, roots, state, weak = std::weak_ptr<std::function<void()>>(launch)] {
      auto launch = weak.lock();
      while (state->in_flight < std::max<size_t>(1, options_.announces_in_flight) &&
             state->next < roots->size()) {
        ++state->in_flight;
        // Answered on the loop, as this runs.
        AnnounceAsync((*roots)[state->next++], [round, state, launch](size_t accepted) {
          if (accepted > 0) ++round->report.providers_announced;
          --state->in_flight;
          (*launch)();
        });
      }
      if (state->in_flight == 0 && state->next == roots->size()) round->done(round->report);
    };
    loop_.Post([launch] { (*launch)(); });
  });
}

}  // namespace swarmkv
