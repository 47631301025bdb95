// swarmkv-pubsubsim: the pubsub mesh (real PubsubNodes, Plumtree) on 1,000 and 10,000 simulated
// nodes, measured the way ../shared/anchors/gossipsub measures GossipSub: 100 messages of 64
// bytes on `query`, one every 250 ms from random nodes; delivery ratio, payload copies received
// per delivery (duplicates included), control frames per delivery, hops and latency.
//
// Then broadcast queries (HAS answered by 3 nodes and by 10 %, STATS by all) with results
// routed back along the query's path and straight to the origin: messages per query, result
// hops, time to the last answer.
//
// usage: swarmkv-pubsubsim [--nodes N ...] [--messages M] [--seed S] [--broadcast 0|1]
//                          [--queries 0|1]
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "testing/sim_pubsub.h"

namespace {

using swarmkv::GossipMessage;
using swarmkv::testing::SimPubsub;
using swarmkv::testing::SimPubsubOptions;

struct Result {
  double delivery = 0;
  double copies_per_delivery = 0;
  double control_per_delivery = 0;
  double ihave_ids_per_delivery = 0;
  uint32_t hops_p50 = 0, hops_p99 = 0;
  absl::Duration latency_p50, latency_p99;
};

template <typename T>
T Percentile(std::vector<T> v, double p) {
  if (v.empty()) return T();
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

Result Measure(size_t nodes, size_t messages, uint64_t seed, double loss, double killed,
               const swarmkv::PlumtreeOptions& mesh) {
  SimPubsubOptions options;
  options.seed = seed;
  options.nodes = nodes;
  options.pubsub.mesh = mesh;
  SimPubsub sim(options);
  std::vector<uint32_t> hops;
  std::vector<absl::Duration> latency;
  std::vector<absl::Time> published(messages);
  size_t deliveries = 0;
  for (size_t i = 0; i < nodes; ++i) {
    (void)sim.node(i).Subscribe("query", [&, i](const GossipMessage& m) {
      size_t index = 0;
      if (!absl::SimpleAtoi(m.payload.substr(0, m.payload.find(' ')), &index)) return;
      if (m.origin() == sim.id(i)) return;  // the origin's own copy is no delivery
      ++deliveries;
      hops.push_back(m.hops);
      latency.push_back(sim.loop().now() - published[index]);
    });
  }
  sim.loop().RunFor(absl::Seconds(5));  // meshes form
  size_t live = nodes;
  if (killed > 0) {
    for (size_t i = 0; i < nodes; ++i) {
      if (sim.rng().Bernoulli(killed)) {
        sim.Kill(i);
        --live;
      }
    }
  }
  sim.set_loss(loss);
  uint64_t copies_before = 0, control_before = 0, ihave_before = 0;
  for (size_t i = 0; i < nodes; ++i) {
    if (!sim.alive(i)) continue;
    copies_before += sim.node(i).stats().mesh.gossip_received;
    ihave_before += sim.node(i).stats().mesh.ihave_ids_sent;
  }
  control_before = sim.counts().control_frames;
  for (size_t m = 0; m < messages; ++m) {
    size_t from = sim.rng().Uniform(nodes);
    while (!sim.alive(from)) from = sim.rng().Uniform(nodes);
    published[m] = sim.loop().now();
    std::string payload = absl::StrCat(m, " ");
    payload.resize(64, '.');
    (void)sim.node(from).Publish("query", payload);
    sim.loop().RunFor(absl::Milliseconds(250));
  }
  sim.loop().RunFor(absl::Seconds(10));
  uint64_t copies = 0, ihave = 0;
  for (size_t i = 0; i < nodes; ++i) {
    if (!sim.alive(i)) continue;
    copies += sim.node(i).stats().mesh.gossip_received;
    ihave += sim.node(i).stats().mesh.ihave_ids_sent;
  }
  Result r;
  const double expected = static_cast<double>(messages) * static_cast<double>(live - 1);
  r.delivery = static_cast<double>(deliveries) / expected;
  const double d = std::max<double>(1, static_cast<double>(deliveries));
  r.copies_per_delivery = static_cast<double>(copies - copies_before) / d;
  r.control_per_delivery = static_cast<double>(sim.counts().control_frames - control_before) / d;
  r.ihave_ids_per_delivery = static_cast<double>(ihave - ihave_before) / d;
  r.hops_p50 = Percentile(hops, 0.5);
  r.hops_p99 = Percentile(hops, 0.99);
  r.latency_p50 = Percentile(latency, 0.5);
  r.latency_p99 = Percentile(latency, 0.99);
  return r;
}

// One broadcast query's cost, measured from the moment it is asked until its deadline.
struct QueryCost {
  size_t answers = 0;
  double messages = 0;  // frames of every kind sent during the query
  double gossip = 0, control = 0, direct = 0;
  uint64_t result_hops = 0;  // links crossed by all results together
  absl::Duration last_answer;
};

QueryCost MeasureQuery(SimPubsub& sim, size_t asker, const swarmkv::QueryRequest& request) {
  QueryCost cost;
  const swarmkv::testing::SimPubsubCounts before = sim.counts();
  const absl::Time asked = sim.loop().now();
  bool done = false;
  (void)sim.queries(asker).Ask(
      request,
      [&](const swarmkv::QueryAnswer& answer) {
        ++cost.answers;
        cost.result_hops += answer.hops;
        cost.last_answer = sim.loop().now() - asked;
      },
      [&](absl::Status) { done = true; });
  sim.loop().RunFor(request.deadline + absl::Seconds(1));
  const swarmkv::testing::SimPubsubCounts& after = sim.counts();
  cost.messages = static_cast<double>(after.frames - before.frames);
  cost.gossip = static_cast<double>(after.gossip_frames - before.gossip_frames);
  cost.control = static_cast<double>(after.control_frames - before.control_frames);
  cost.direct = static_cast<double>(after.direct_frames - before.direct_frames);
  if (!done) std::fprintf(stderr, "a query did not end at its deadline\n");
  return cost;
}

// HAS answered by 3 nodes and by 10 % of them, and STATS answered by all, after the `query`
// mesh has carried a few queries (its first messages flood every new link, then prune).
void MeasureQueries(size_t nodes, uint64_t seed, swarmkv::QueryEngineOptions::Route route) {
  SimPubsubOptions options;
  options.seed = seed;
  options.nodes = nodes;
  options.queries = true;
  options.query.route = route;
  options.query.per_origin = swarmkv::RateLimit{1000, 1000};
  SimPubsub sim(options);
  const swarmkv::Cid three = swarmkv::Cid::Compute(swarmkv::Codec::kRaw, "three");
  const swarmkv::Cid tenth = swarmkv::Cid::Compute(swarmkv::Codec::kRaw, "tenth");
  for (size_t i = 0; i < 3; ++i) sim.subject(sim.rng().Uniform(nodes)).blocks.insert(three);
  size_t tenth_holders = 0;
  for (size_t i = 0; i < nodes; ++i) {
    if (i % 10 == 5) {
      sim.subject(i).blocks.insert(tenth);
      ++tenth_holders;
    }
  }
  sim.loop().RunFor(absl::Seconds(5));
  const swarmkv::Cid nobody = swarmkv::Cid::Compute(swarmkv::Codec::kRaw, "nobody");
  for (int warm = 0; warm < 10; ++warm) {
    MeasureQuery(sim, sim.rng().Uniform(nodes), {"HAS", nobody.ToString(), absl::Seconds(2), 0});
  }
  struct Case {
    const char* name;
    swarmkv::QueryRequest request;
    size_t expected;
  };
  const Case cases[] = {
      {"HAS, 3 holders", {"HAS", three.ToString(), absl::Seconds(2), 0}, 3},
      {"HAS, 10 % hold", {"HAS", tenth.ToString(), absl::Seconds(2), 0}, tenth_holders},
      {"STATS, all answer", {"STATS", "", absl::Seconds(5), 0}, nodes},
  };
  const char* route_name =
      route == swarmkv::QueryEngineOptions::Route::kReversePath ? "reverse path" : "direct";
  for (const Case& c : cases) {
    const QueryCost cost = MeasureQuery(sim, sim.rng().Uniform(nodes), c.request);
    const double n = static_cast<double>(nodes);
    std::printf(
        "| %zu | %s | %s | %zu / %zu | %.0f | %.2f | %.2f / %.2f / %.2f | %llu | %.2f | %s |\n",
        nodes, route_name, c.name, cost.answers, c.expected, cost.messages, cost.messages / n,
        cost.gossip / n, cost.control / n, cost.direct / n,
        static_cast<unsigned long long>(cost.result_hops),
        (cost.messages - static_cast<double>(cost.result_hops)) / n,
        absl::FormatDuration(absl::Trunc(cost.last_answer, absl::Milliseconds(1))).c_str());
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<size_t> sizes;
  uint64_t messages = 100, seed = 1, graft_ms = 0, ihave_ms = 0, fanout = 0;
  bool quick = false;
  uint64_t queries = 1, broadcast = 1;
  for (int i = 1; i < argc; ++i) {
    uint64_t v = 0;
    if (i + 1 < argc && absl::SimpleAtoi(argv[i + 1], &v)) {
      if (std::strcmp(argv[i], "--nodes") == 0)
        sizes.push_back(v);
      else if (std::strcmp(argv[i], "--messages") == 0)
        messages = v;
      else if (std::strcmp(argv[i], "--seed") == 0)
        seed = v;
      else if (std::strcmp(argv[i], "--graft-ms") == 0)
        graft_ms = v;
      else if (std::strcmp(argv[i], "--ihave-ms") == 0)
        ihave_ms = v;
      else if (std::strcmp(argv[i], "--lazy-fanout") == 0)
        fanout = v;
      else if (std::strcmp(argv[i], "--quick") == 0)
        quick = v != 0;
      else if (std::strcmp(argv[i], "--queries") == 0)
        queries = v;
      else if (std::strcmp(argv[i], "--broadcast") == 0)
        broadcast = v;
      else {
        std::fprintf(stderr, "unknown flag %s\n", argv[i]);
        return 2;
      }
      ++i;
      continue;
    }
    std::fprintf(stderr, "usage: %s [--nodes N ...] [--messages M] [--seed S]\n", argv[0]);
    return 2;
  }
  if (sizes.empty()) sizes = {1000, 10000};
  swarmkv::PlumtreeOptions mesh;
  if (graft_ms != 0) mesh.graft_timeout = absl::Milliseconds(graft_ms);
  if (ihave_ms != 0) mesh.ihave_interval = absl::Milliseconds(ihave_ms);
  if (fanout != 0) mesh.lazy_fanout = fanout;
  if (broadcast != 0) {
    std::printf(
        "swarmkv pubsub (Plumtree) on virtual time: %llu messages of 64 B on `query`, one "
        "every 250 ms, seed %llu, latency 5-50 ms, 20 candidate peers per node\n\n",
        static_cast<unsigned long long>(messages), static_cast<unsigned long long>(seed));
    std::printf(
        "| nodes | faults | delivery | copies/delivery | control frames/delivery | IHAVE "
        "ids/delivery | hops p50 / p99 | latency p50 / p99 |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    struct Scenario {
      const char* name;
      double loss;
      double killed;
    };
    const Scenario scenarios[] = {{"none", 0, 0}, {"1 % loss", 0.01, 0}, {"10 % killed", 0, 0.10}};
    for (size_t n : sizes) {
      for (const Scenario& s : scenarios) {
        if (quick && s.loss + s.killed > 0) continue;
        const Result r = Measure(n, messages, seed, s.loss, s.killed, mesh);
        std::printf(
            "| %zu | %s | %.4f | %.2f | %.2f | %.2f | %u / %u | %s / %s |\n", n, s.name, r.delivery,
            r.copies_per_delivery, r.control_per_delivery, r.ihave_ids_per_delivery, r.hops_p50,
            r.hops_p99,
            absl::FormatDuration(absl::Trunc(r.latency_p50, absl::Milliseconds(1))).c_str(),
            absl::FormatDuration(absl::Trunc(r.latency_p99, absl::Milliseconds(1))).c_str());
        std::fflush(stdout);
      }
    }
  }
  if (queries == 0) return 0;
  std::printf(
      "\nBroadcast queries (deadline 2 s, STATS 5 s), after 10 warm-up queries; messages are "
      "frames of every kind sent while the query ran\n\n"
      "| nodes | results | query | answers | messages | per node | payload / control / result "
      "per node | result hops | per node, results aside | last answer |\n"
      "|---|---|---|---|---|---|---|---|---|---|\n");
  for (size_t n : sizes) {
    for (auto route : {swarmkv::QueryEngineOptions::Route::kReversePath,
                       swarmkv::QueryEngineOptions::Route::kDirect}) {
      MeasureQueries(n, seed, route);
    }
  }
  return 0;
}
