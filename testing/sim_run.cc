#include "testing/sim_run.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "storage/content_pins.h"
#include "testing/deterministic_random_bytes.h"
#include "testing/sim_swarm.h"

namespace swarmkv::testing {
namespace {

// The longest a fetch may take: every hint and every lookup round timing out in turn, with
// margin. A fetch over it is stuck, whatever it answers.
absl::Duration FetchDeadline(const SimSwarm& sim) {
  const LookupOptions& lookup = sim.options().swarm.lookup;
  return lookup.timeout * static_cast<int64_t>(lookup.k / lookup.alpha + 8);
}

class Run {
 public:
  Run(const SimRunOptions& options, SimSwarmOptions sim_options)
      : options_(options), sim_(std::move(sim_options)) {
    report_.seed = options.seed;
  }

  SimRunReport Go() {
    const absl::Time start = sim_.now();
    Join();
    if (options_.faults) ScheduleFaults();
    Workload();
    HealAndRepair();
    CheckInvariants();
    report_.simulated = sim_.now() - start;
    report_.net = sim_.net().stats();
    return std::move(report_);
  }

 private:
  Random& rng() { return sim_.rng(); }
  void Violation(std::string what) { report_.violations.push_back(std::move(what)); }

  void Join() {
    sim_.AddNode();
    for (size_t i = 1; i < options_.nodes; ++i) {
      sim_.AddNode({rng().Uniform(i)});
      sim_.RunFor(absl::Milliseconds(200));
    }
    sim_.RunFor(sim_.options().maintenance_interval);
  }

  void ScheduleFaults() {
    const absl::Time t0 = sim_.now();
    const absl::Duration phase = options_.fault_phase;
    auto at = [&](double fraction) { return t0 + phase * fraction; };
    // Kills: up to a fifth of the nodes; most come back within a minute, some only at the heal.
    const size_t kills = 1 + rng().Uniform(std::max<size_t>(1, options_.nodes / 5));
    for (size_t k = 0; k < kills; ++k) {
      const size_t node = rng().Uniform(options_.nodes);
      const absl::Time down = at(rng().UniformDouble());
      sim_.loop().RunAt(down, [this, node] {
        if (!sim_.alive(node)) return;
        sim_.Kill(node);
        ++report_.faults;
      });
      if (rng().Bernoulli(0.75)) {
        const absl::Time up = down + absl::Seconds(5 + rng().Uniform(55));
        sim_.loop().RunAt(up, [this, node] {
          if (sim_.alive(node)) return;
          sim_.Restart(node);
          ++report_.faults;
        });
      } else if (gone_for_good_.size() + 1 < sim_.options().swarm.write_quorum) {
        // Never back: fewer than the write quorum such, so every acknowledged block keeps a
        // copy to repair from.
        gone_for_good_.insert(node);
      }
    }
    // One split: a random group against the rest, both ways or one way, for 20 to 60 s.
    std::vector<size_t> order(options_.nodes);
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng().Uniform(i)]);
    const size_t group = 1 + rng().Uniform(std::max<size_t>(1, options_.nodes / 2));
    std::vector<size_t> a(order.begin(), order.begin() + group);
    std::vector<size_t> b(order.begin() + group, order.end());
    const bool both_ways = rng().Bernoulli(0.7);
    const absl::Time split = at(rng().UniformDouble() * 0.6);
    sim_.loop().RunAt(split, [this, a, b, both_ways] {
      sim_.Split(a, b, both_ways);
      ++report_.faults;
    });
    sim_.loop().RunAt(split + absl::Seconds(20 + rng().Uniform(40)), [this] {
      sim_.Heal();
      ++report_.faults;
    });
    // Loss on every link through the phase.
    const double loss = 0.005 + 0.025 * rng().UniformDouble();
    sim_.loop().RunAt(t0, [this, loss] {
      sim_.net().set_loss(loss);
      ++report_.faults;
    });
  }

  std::optional<size_t> RandomLiveNode() {
    for (int tries = 0; tries < 100; ++tries) {
      const size_t node = rng().Uniform(sim_.size());
      if (sim_.alive(node)) return node;
    }
    return std::nullopt;
  }

  // Reads one block on `node`, from its store or the swarm. Yields whether it got the right
  // bytes; a fetch that took too long or bytes that do not match are violations.
  bool Read(size_t node, const Cid& cid, std::string* why) {
    absl::StatusOr<std::string> local = sim_.store(node).Get(cid);
    if (local.ok()) {
      if (cid.Matches(*local)) return true;
      Violation(
          absl::StrCat("node ", node, "'s store returned bytes not matching ", cid.ToString()));
      return false;
    }
    const absl::Time start = sim_.now();
    std::optional<FetchOutcome> fetched =
        sim_.RunOn<FetchOutcome>(node, [this, node, cid](std::function<void(FetchOutcome)> done) {
          sim_.swarm(node).FetchAsync(cid, {}, std::move(done));
        });
    const absl::Duration took = sim_.now() - start;
    if (!fetched.has_value()) {
      *why = "the node died during the fetch";
      return false;
    }
    report_.longest_fetch = std::max(report_.longest_fetch, took);
    if (took > FetchDeadline(sim_)) {
      Violation(absl::StrCat("a fetch of ", cid.ToString(), " on node ", node, " took ",
                             absl::FormatDuration(took), ", over its bound of ",
                             absl::FormatDuration(FetchDeadline(sim_))));
    }
    if (!fetched->block.ok()) {
      *why = fetched->block.status().ToString();
      return false;
    }
    if (!cid.Matches(*fetched->block)) {
      Violation(absl::StrCat("node ", node, " fetched bytes not matching ", cid.ToString()));
      return false;
    }
    return true;
  }

  void Put() {
    std::optional<size_t> node = RandomLiveNode();
    if (!node.has_value()) return;
    static constexpr ContentMode kModes[] = {ContentMode::kRandom, ContentMode::kConvergent,
                                             ContentMode::kPlain};
    const std::string content = rng().Bytes(200 + rng().Uniform(4000));
    const ContentMode mode = kModes[rng().Uniform(3)];
    const bool pin = rng().Bernoulli(0.3);
    absl::StatusOr<SimPut> put = sim_.Put(*node, content, mode, pin);
    if (!put.ok()) {
      if (!absl::IsUnavailable(put.status()) && !absl::IsDeadlineExceeded(put.status())) {
        Violation(absl::StrCat("a put on node ", *node, " failed: ", put.status().ToString()));
      }
      ++report_.puts_refused;
      return;
    }
    if (!put->acknowledged) {
      ++report_.puts_refused;
      return;
    }
    if (put->copies < sim_.options().swarm.write_quorum) {
      Violation(absl::StrCat("node ", *node, " acknowledged a put with ", put->copies,
                             " copies, below the write quorum of ",
                             sim_.options().swarm.write_quorum));
    }
    ++report_.puts_acknowledged;
    acknowledged_.push_back(*std::move(put));
  }

  void Get() {
    std::optional<size_t> node = RandomLiveNode();
    if (!node.has_value() || acknowledged_.empty()) return;
    const SimPut& put = acknowledged_[rng().Uniform(acknowledged_.size())];
    for (const Cid& cid : put.blocks) {
      std::string why;
      if (!sim_.alive(*node)) return;
      if (Read(*node, cid, &why)) {
        ++report_.gets_ok;
      } else {
        ++report_.gets_failed;  // allowed while faults last
      }
    }
  }

  void Unpin() {
    for (SimPut& put : acknowledged_) {
      if (!put.pinned || !sim_.alive(put.node)) continue;
      absl::Status unpinned = UnpinContent(sim_.store(put.node), put.root);
      if (!unpinned.ok()) {
        Violation(absl::StrCat("unpin on node ", put.node, ": ", unpinned.ToString()));
      }
      put.pinned = false;
      return;
    }
  }

  void Workload() {
    const absl::Time t0 = sim_.now();
    for (size_t step = 0; step < options_.steps; ++step) {
      const absl::Time when = t0 + options_.fault_phase * (static_cast<double>(step) /
                                                           static_cast<double>(options_.steps));
      if (when > sim_.now()) sim_.loop().RunUntil(when);
      const double pick = rng().UniformDouble();
      if (pick < 0.45 || acknowledged_.empty()) {
        Put();
      } else if (pick < 0.92) {
        Get();
      } else {
        Unpin();
      }
    }
    sim_.loop().RunUntil(t0 + options_.fault_phase);
  }

  void HealAndRepair() {
    sim_.Heal();
    sim_.net().set_loss(0);
    for (size_t i = 0; i < sim_.size(); ++i) {
      if (!gone_for_good_.contains(i)) sim_.Restart(i);
    }
    sim_.RunFor(sim_.options().maintenance_interval * options_.healing_rounds);
  }

  void CheckInvariants() {
    const size_t n = sim_.size();
    // The swarm is whole: every node knows peers, and every node reaches every other.
    std::vector<std::vector<size_t>> links(n);
    size_t first_live = n;
    for (size_t i = 0; i < n; ++i) {
      if (!sim_.alive(i)) continue;
      if (first_live == n) first_live = i;
      const std::vector<Contact> peers = sim_.swarm(i).Peers();
      if (peers.empty()) Violation(absl::StrCat("node ", i, " knows no peer after the heal"));
      for (const Contact& c : peers) {
        for (size_t j = 0; j < n; ++j) {
          if (sim_.alive(j) && sim_.id(j) == c.id) {
            links[i].push_back(j);
            links[j].push_back(i);
          }
        }
      }
    }
    if (first_live == n) return Violation("no node is alive after the heal");
    std::vector<bool> reached(n, false);
    std::deque<size_t> queue = {first_live};
    reached[first_live] = true;
    while (!queue.empty()) {
      const size_t i = queue.front();
      queue.pop_front();
      for (size_t j : links[i]) {
        if (!reached[j]) {
          reached[j] = true;
          queue.push_back(j);
        }
      }
    }
    size_t live = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!sim_.alive(i)) continue;
      ++live;
      if (!reached[i]) {
        Violation(
            absl::StrCat("node ", i, " is cut off from node ", first_live, " after the heal"));
      }
    }

    const size_t r = std::min(sim_.options().swarm.replication_factor, live);
    for (const SimPut& put : acknowledged_) {
      for (const Cid& cid : put.blocks) {
        size_t copies = 0;
        for (size_t i = 0; i < n; ++i) copies += sim_.alive(i) && *sim_.store(i).Has(cid) ? 1 : 0;
        if (copies < r) {
          Violation(absl::StrCat("block ", cid.ToString(), " of a put on node ", put.node, " has ",
                                 copies, " copies after the heal, fewer than R = ", r));
        }
        if (put.pinned && sim_.alive(put.node) && !*sim_.store(put.node).Has(cid)) {
          Violation(absl::StrCat("pinned block ", cid.ToString(), " is gone from node ", put.node));
        }
        for (size_t i = 0; i < n; ++i) {
          std::string why;
          if (!sim_.alive(i)) continue;
          if (!Read(i, cid, &why)) {
            Violation(absl::StrCat("block ", cid.ToString(), " of an acknowledged put is not ",
                                   "readable from node ", i, " after the heal: ", why));
          }
        }
      }
    }
    if (sim_.net().stats().forged_blocks_served > 0) {
      Violation(absl::StrCat(sim_.net().stats().forged_blocks_served,
                             " FIND_VALUE answers carried bytes not matching the CID"));
    }
  }

  const SimRunOptions options_;
  SimSwarm sim_;
  SimRunReport report_;
  std::vector<SimPut> acknowledged_;
  absl::flat_hash_set<size_t> gone_for_good_;
};

}  // namespace

SimRunReport RunSimulation(const SimRunOptions& options) {
  UseDeterministicRandomBytes(options.seed);
  // Thousands of nodes' routine events would drown what matters: the violations.
  SetLogLevel(LogLevel::kError);
  SimSwarmOptions sim;
  sim.seed = options.seed;
  return Run(options, sim).Go();
}

}  // namespace swarmkv::testing
