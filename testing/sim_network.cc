#include "testing/sim_network.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace swarmkv::testing {

SimNetwork::SimNetwork(SimOptions options)
    : options_(options), rng_(options.seed), loop_(absl::FromUnixSeconds(1'000'000)) {}

absl::Duration SimNetwork::Latency() {
  const double span = absl::ToDoubleMicroseconds(options_.max_latency - options_.min_latency);
  return options_.min_latency + absl::Microseconds(span * rng_.UniformDouble());
}

Contact SimNetwork::ContactOf(size_t node) const {
  // Host names rather than IPs: each node is its own "subnet" (subnet limits are tested apart).
  return Contact{ids_[node], absl::StrCat("sim-", node, ":4001"), loop_.now()};
}

DhtKey SimNetwork::RandomKey() {
  DhtKey key;
  rng_.Fill(reinterpret_cast<char*>(key.data()), key.size());
  return key;
}

size_t SimNetwork::AddNode() {
  const size_t node = ids_.size();
  ids_.push_back(NodeId(RandomKey()));
  tables_.push_back(std::make_unique<RoutingTable>(ids_.back(), options_.table));
  alive_.push_back(true);
  index_[ids_.back()] = node;
  // Bootstrap from a random live node, then find our own neighbourhood and refresh.
  std::vector<size_t> live;
  for (size_t i = 0; i < node; ++i) {
    if (alive_[i]) live.push_back(i);
  }
  if (live.empty()) return node;
  tables_[node]->Observe(ContactOf(live[rng_.Uniform(live.size())]), loop_.now());
  RunLookup(node, KeyOf(ids_[node]));
  for (int i = 0; i < options_.refresh_lookups; ++i) RunLookup(node, RandomKey());
  return node;
}

SimLookupResult SimNetwork::RunLookup(size_t origin, const DhtKey& target) {
  struct Run {
    Lookup lookup;
    absl::flat_hash_map<NodeId, int> depth;  // query depth at which a contact was learned
    SimLookupResult result;
    absl::Time start;
  };
  auto run = std::make_shared<Run>(
      Run{Lookup(target, tables_[origin]->Closest(target, options_.lookup.k), options_.lookup),
          {},
          {},
          loop_.now()});
  for (const Contact& c : tables_[origin]->Closest(target, options_.lookup.k)) run->depth[c.id] = 1;

  // `drive` asks the lookup for queries and schedules their messages; responses call it again.
  auto drive = std::make_shared<std::function<void()>>();
  *drive = [this, run, drive, origin, target]() {
    const std::vector<Contact> ask = run->lookup.Next(loop_.now());
    run->result.max_in_flight = std::max(run->result.max_in_flight, run->lookup.in_flight());
    for (const Contact& peer : ask) {
      ++run->result.messages;
      if (rng_.Bernoulli(options_.loss)) continue;  // request lost
      const size_t to = index_.at(peer.id);
      Schedule(Latency(), [this, run, drive, origin, target, to, peer]() {
        if (!alive_[to]) return;  // dead: never answers
        tables_[to]->Observe(ContactOf(origin), loop_.now());
        std::vector<Contact> closer = tables_[to]->Closest(target, options_.lookup.k);
        ++run->result.messages;
        if (rng_.Bernoulli(options_.loss)) return;  // response lost
        Schedule(Latency(), [this, run, drive, origin, to, peer, closer]() {
          if (!alive_[origin]) return;
          tables_[origin]->Observe(ContactOf(to), loop_.now());
          const int d = run->depth.contains(peer.id) ? run->depth[peer.id] : 1;
          for (const Contact& c : closer) {
            auto it = run->depth.find(c.id);
            if (it == run->depth.end() || it->second > d + 1) run->depth[c.id] = d + 1;
          }
          run->lookup.OnResponse(peer.id, closer);
          (*drive)();
        });
      });
    }
    if (run->lookup.in_flight() > 0 && ask.empty()) {
      // Wake at the next deadline so overdue queries fail and others can be sent.
      Schedule(run->lookup.NextDeadline() - loop_.now(), [drive]() { (*drive)(); });
    } else if (!ask.empty()) {
      Schedule(options_.lookup.timeout, [drive]() { (*drive)(); });
    }
  };
  (*drive)();
  loop_.RunUntilIdle();
  *drive = nullptr;  // break the self-reference
  SimLookupResult result = run->result;
  result.closest = run->lookup.Result();
  result.hops = result.closest.empty() ? 0 : run->depth[result.closest.front().id];
  result.duration = loop_.now() - run->start;
  return result;
}

void SimNetwork::PlaceBlocks(std::vector<SimBlock>& blocks, size_t r) const {
  for (SimBlock& block : blocks) {
    block.holders.clear();
    for (size_t node : TrueClosest(block.key, r)) block.holders.insert(node);
  }
}

int64_t SimNetwork::RepairRound(std::vector<SimBlock>& blocks, size_t r) {
  int64_t messages = 0;
  for (SimBlock& block : blocks) {
    std::vector<size_t> holders(block.holders.begin(), block.holders.end());
    std::sort(holders.begin(), holders.end());  // deterministic order
    for (size_t holder : holders) {
      if (!alive_[holder] || !block.holders.contains(holder)) continue;
      const SimLookupResult found = RunLookup(holder, block.key);
      messages += found.messages;
      BlockPlacement placement{block.key, false, found.closest, {}};
      for (size_t h : block.holders) {
        if (alive_[h]) placement.holders.insert(ids_[h]);  // HAVE: only the living answer
      }
      const ReplicaPlanner planner(ids_[holder], r);
      for (const ReplicaAction& action : planner.Plan(placement)) {
        if (action.kind == ReplicaAction::kPush) {
          const size_t to = index_.at(action.peer);
          messages += 2;
          if (alive_[to]) block.holders.insert(to);
        } else {
          block.holders.erase(holder);
        }
      }
    }
  }
  return messages;
}

ReplicaCensus SimNetwork::Census(const std::vector<SimBlock>& blocks, size_t r) const {
  ReplicaCensus census;
  for (const SimBlock& block : blocks) {
    size_t live = 0;
    for (size_t h : block.holders) live += alive_[h] ? 1 : 0;
    census.readable += live > 0 ? 1 : 0;
    census.at_r += live >= r ? 1 : 0;
  }
  if (!blocks.empty()) {
    census.readable /= blocks.size();
    census.at_r /= blocks.size();
  }
  return census;
}

std::vector<size_t> SimNetwork::TrueClosest(const DhtKey& target, size_t n) const {
  std::vector<size_t> live;
  for (size_t i = 0; i < ids_.size(); ++i) {
    if (alive_[i]) live.push_back(i);
  }
  const size_t keep = std::min(n, live.size());
  std::partial_sort(live.begin(), live.begin() + keep, live.end(), [&](size_t a, size_t b) {
    return Closer(target, KeyOf(ids_[a]), KeyOf(ids_[b]));
  });
  live.erase(live.begin() + keep, live.end());
  return live;
}

}  // namespace swarmkv::testing
