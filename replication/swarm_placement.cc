// The Swarm's placement and repair: replicating blocks, announcing providers, maintenance.
#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "replication/internal/swarm_helpers.h"
#include "replication/reply_inbox.h"
#include "replication/swarm.h"

namespace swarmkv {

using swarm_internal::PeerUnreachable;
namespace {
// Blocks being placed at once by one Replicate call.
constexpr size_t kReplicationWindow = 8;
// How many blocks a maintenance round reads from the store at a time: at most one HAVE's worth
// per peer.
constexpr size_t kMaintenancePage = kMaxHaveBatch;
}  // namespace

absl::StatusOr<size_t> Swarm::Replicate(const std::vector<Cid>& blocks) {
  if (blocks.empty()) return 1;
  // Placing a block needs its R closest nodes, not k: a lookup for 2R stops sooner and keeps a
  // margin for nodes that fail to answer.
  LookupOptions lookup_options = options_.lookup;
  lookup_options.k = std::min(options_.lookup.k, 2 * options_.replication_factor);

  // Up to kReplicationWindow blocks are placed at once, all driven from this thread: their
  // lookups' FIND_NODEs and their STOREs share one inbox, each reply tagged with its block.
  struct Job {
    std::optional<Lookup> lookup;
    bool storing = false;
    size_t stores_pending = 0;
    size_t copies = 1;  // the local one
  };
  auto tag = [](size_t block, bool store) { return block * 2 + (store ? 1 : 0); };
  std::vector<Job> jobs(blocks.size());
  using Inbox = ReplyInbox<std::vector<Contact>>;
  auto inbox = std::make_shared<Inbox>();
  std::vector<size_t> ready;  // jobs whose state moved: send what they need next
  size_t next = 0;
  size_t active = 0;
  size_t min_copies = SIZE_MAX;
  absl::Status error;

  auto start_more = [&] {
    while (active < kReplicationWindow && next < blocks.size()) {
      const DhtKey key = blocks[next].DhtKey();
      jobs[next].lookup.emplace(key, ClosestKnown(key, lookup_options.k), lookup_options);
      ready.push_back(next++);
      ++active;
    }
  };
  // Sends the queries a job's lookup asks for; once it is done, the STOREs; once they are all
  // answered, the job is finished.
  auto advance = [&](size_t i) {
    Job& job = jobs[i];
    if (!job.lookup.has_value()) return;  // finished already
    const Cid& cid = blocks[i];
    const DhtKey key = cid.DhtKey();
    if (!job.storing) {
      for (const Contact& c : job.lookup->Next(clock_.Now())) {
        transport_.FindNode(c, key, Inbox::Sink(inbox, c, tag(i, false)));
      }
      if (!job.lookup->Done()) return;
      job.storing = true;
      const std::vector<Contact> closest = job.lookup->Result();
      absl::StatusOr<std::string> data = store_.Get(cid);
      if (!data.ok()) {
        error.Update(data.status());
      } else {
        for (const NodeId& id : planner_.Responsible(key, closest)) {
          auto contact = std::find_if(closest.begin(), closest.end(),
                                      [&](const Contact& c) { return c.id == id; });
          if (contact == closest.end()) continue;  // this node
          ++job.stores_pending;
          transport_.Store(*contact, cid, *data, Inbox::StatusSink(inbox, *contact, tag(i, true)));
        }
      }
    }
    if (job.stores_pending > 0) return;
    min_copies = std::min(min_copies, job.copies);
    job.lookup.reset();
    --active;
    start_more();
  };

  start_more();
  while (active > 0 && error.ok()) {
    while (!ready.empty()) {
      const size_t i = ready.back();
      ready.pop_back();
      advance(i);
    }
    if (active == 0) break;
    auto replies = inbox->Take(options_.lookup.timeout * 2);
    if (replies.empty()) {
      return absl::DeadlineExceededError("replication got no answer in time");
    }
    for (auto& reply : replies) {
      const size_t i = reply.tag / 2;
      Job& job = jobs[i];
      const bool is_store = reply.tag % 2 == 1;
      if (is_store) {
        --job.stores_pending;
        if (reply.result.ok()) {
          ++job.copies;
        } else {
          if (PeerUnreachable(reply.result.status())) Forget(reply.from.id);
          LogEvent(LogLevel::kWarn, "swarm.store_failed",
                   {{"peer", reply.from.id.ToString()},
                    {"cid", blocks[i].ToString()},
                    {"status", reply.result.status()}});
        }
      } else if (job.lookup.has_value() && !job.storing) {
        OnFindNodeReply(*job.lookup, reply.from, std::move(reply.result));
      } else {
        if (!reply.result.ok() && PeerUnreachable(reply.result.status())) Forget(reply.from.id);
        continue;  // a late FIND_NODE answer for a block already placed
      }
      ready.push_back(i);
    }
  }
  SWARMKV_RETURN_IF_ERROR(error);
  return min_copies;
}

size_t Swarm::Announce(const Cid& cid) {
  const DhtKey key = cid.DhtKey();
  std::vector<Contact> closest = FindClosest(key);
  if (closest.size() > options_.replication_factor) {
    closest.erase(closest.begin() + options_.replication_factor, closest.end());
  }
  auto inbox = std::make_shared<ReplyInbox<Acknowledged>>();
  for (const Contact& c : closest) {
    transport_.AddProvider(c, cid, ReplyInbox<Acknowledged>::StatusSink(inbox, c));
  }
  size_t accepted = 0;
  for (auto& reply : inbox->TakeAll(closest.size(), options_.lookup.timeout * 2)) {
    if (reply.result.ok()) ++accepted;
  }
  return accepted;
}

MaintenanceReport Swarm::Maintain() {
  MaintenanceReport report;
  // The neighbourhood first: a self-lookup finds nodes that joined near us.
  FindClosest(KeyOf(self_));
  // Then one bucket per round, in turn: a lookup of a key in its range keeps the far parts of
  // the table current (Kademlia's bucket refresh).
  uint64_t round = 0;
  int deepest = 0;
  {
    absl::MutexLock lock(&mu_);
    round = maintenance_rounds_++;
    for (const Contact& c : table_.Closest(KeyOf(self_), 1)) {
      deepest = CommonPrefixLength(KeyOf(self_), KeyOf(c.id));
    }
  }
  const int bucket_prefix =
      static_cast<int>(round % static_cast<uint64_t>(std::min(deepest + 2, 256)));
  FindClosest(KeyWithCommonPrefix(KeyOf(self_), bucket_prefix, round));

  std::optional<Cid> after;
  for (;;) {
    auto page = store_.ListBlocks(after.has_value() ? &*after : nullptr, kMaintenancePage);
    if (!page.ok()) {
      LogEvent(LogLevel::kError, "swarm.maintenance_failed", {{"status", page.status()}});
      break;
    }
    if (page->empty()) break;
    after = page->back();
    report.blocks_checked += page->size();

    // Who should hold each block, by this node's table (it knows its own neighbourhood best,
    // and blocks it holds are near it), and one HAVE per peer for all its blocks.
    std::vector<BlockPlacement> placements(page->size());
    absl::flat_hash_map<NodeId, std::vector<size_t>> asked_of;
    absl::flat_hash_map<NodeId, Contact> contacts;
    for (size_t i = 0; i < page->size(); ++i) {
      BlockPlacement& placement = placements[i];
      placement.key = (*page)[i].DhtKey();
      placement.closest = ClosestKnown(placement.key, options_.replication_factor + 1);
      for (const Contact& c : placement.closest) contacts.emplace(c.id, c);
      for (const NodeId& id : planner_.Responsible(placement.key, placement.closest)) {
        if (id != self_) asked_of[id].push_back(i);
      }
    }
    auto inbox = std::make_shared<ReplyInbox<std::vector<bool>>>();
    for (const auto& [id, indexes] : asked_of) {
      std::vector<Cid> cids;
      for (size_t i : indexes) cids.push_back((*page)[i]);
      transport_.Have(contacts.at(id), std::move(cids),
                      ReplyInbox<std::vector<bool>>::Sink(inbox, contacts.at(id)));
    }
    absl::flat_hash_set<NodeId> unreachable;
    for (auto& reply : inbox->TakeAll(asked_of.size(), options_.lookup.timeout * 2)) {
      const std::vector<size_t>& indexes = asked_of[reply.from.id];
      if (!reply.result.ok() || reply.result->size() != indexes.size()) {
        if (!reply.result.ok() && PeerUnreachable(reply.result.status())) {
          unreachable.insert(reply.from.id);
        }
        continue;
      }
      for (size_t j = 0; j < indexes.size(); ++j) {
        if ((*reply.result)[j]) placements[indexes[j]].holders.insert(reply.from.id);
      }
    }
    // Dead peers leave the table, and the plan is made without them.
    for (const NodeId& id : unreachable) Forget(id);

    auto stores = std::make_shared<ReplyInbox<Acknowledged>>();
    size_t stores_sent = 0;
    for (size_t i = 0; i < page->size(); ++i) {
      const Cid& cid = (*page)[i];
      BlockPlacement& placement = placements[i];
      if (!unreachable.empty()) {
        placement.closest = ClosestKnown(placement.key, options_.replication_factor + 1);
      }
      auto pinned = store_.IsBlockPinned(cid);
      placement.pinned = !pinned.ok() || *pinned;  // when unsure, keep it
      std::optional<std::string> data;
      for (const ReplicaAction& action : planner_.Plan(placement)) {
        if (action.kind == ReplicaAction::kDrop) {
          if (store_.DropBlock(cid).ok()) ++report.dropped;
          continue;
        }
        if (!data.has_value()) {
          auto block = store_.Get(cid);
          if (!block.ok()) break;  // damaged here: nothing to push (the store logged it)
          data = *std::move(block);
        }
        auto contact = std::find_if(placement.closest.begin(), placement.closest.end(),
                                    [&](const Contact& c) { return c.id == action.peer; });
        if (contact == placement.closest.end()) continue;
        transport_.Store(*contact, cid, *data,
                         ReplyInbox<Acknowledged>::StatusSink(stores, *contact));
        ++stores_sent;
      }
    }
    for (auto& reply : stores->TakeAll(stores_sent, options_.lookup.timeout * 2)) {
      if (reply.result.ok()) {
        ++report.pushed;
      } else {
        ++report.push_failures;
      }
    }
  }

  // Provider records: renew ours when due, expire everyone's old ones.
  const absl::Time now = clock_.Now();
  bool republish = false;
  {
    absl::MutexLock lock(&mu_);
    std::vector<DhtKey> changed;
    for (auto& [key, list] : providers_) {
      const size_t before = list.size();
      list.erase(std::remove_if(list.begin(), list.end(),
                                [&](const Provider& p) { return p.expires <= now; }),
                 list.end());
      if (list.size() != before) changed.push_back(key);
    }
    for (const DhtKey& key : changed) PersistProvidersLocked(key);  // erases emptied keys
    for (auto it = penalized_until_.begin(); it != penalized_until_.end();) {
      if (it->second <= now) {
        penalized_until_.erase(it++);
      } else {
        ++it;
      }
    }
    if (now - last_republish_ >= options_.republish_interval) {
      republish = true;
      last_republish_ = now;
    }
  }
  if (republish) {
    auto pins = store_.ListPins();
    if (pins.ok()) {
      for (const PinnedRoot& pin : *pins) {
        if (Announce(pin.root) > 0) ++report.providers_announced;
      }
    }
  }
  return report;
}

}  // namespace swarmkv
