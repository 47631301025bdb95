// swarmkv-sim: the DHT's figures from the seeded simulator (issue #4 §4).
//
//   swarmkv-sim [--nodes 1000,10000] [--lookups 500] [--blocks 2000] [--seed 1] [--loss 0]
//
// For each network size: lookup hop count (p50/p90/p99), success rate (the true closest node
// found), messages per lookup; then the share of blocks still readable and still at R = 3
// copies after 10 % and 30 % of nodes fail, before and after one repair round.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "testing/sim_network.h"

namespace swarmkv::testing {
namespace {

std::string Arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (name == argv[i]) return argv[i + 1];
  }
  return fallback;
}

double Percentile(std::vector<int> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

void RunSize(size_t nodes, int lookups, int block_count, uint64_t seed, double loss) {
  SimOptions options;
  options.seed = seed;
  options.loss = loss;
  SimNetwork net(options);
  for (size_t i = 0; i < nodes; ++i) net.AddNode();

  std::vector<int> hops, messages;
  int found_closest = 0;
  for (int i = 0; i < lookups; ++i) {
    const size_t origin = net.rng().Uniform(net.size());
    const DhtKey target = net.RandomKey();
    const SimLookupResult r = net.RunLookup(origin, target);
    hops.push_back(r.hops);
    messages.push_back(r.messages);
    const size_t truth = net.TrueClosest(target, 1).front();
    if (truth == origin || (!r.closest.empty() && r.closest.front().id == net.id(truth))) {
      ++found_closest;
    }
  }
  double mean_messages = 0;
  for (int m : messages) mean_messages += m;
  mean_messages /= messages.size();
  std::printf("| %zu | %d | %.0f / %.0f / %.0f | %.1f %% | %.1f |\n", nodes, lookups,
              Percentile(hops, 0.5), Percentile(hops, 0.9), Percentile(hops, 0.99),
              100.0 * found_closest / lookups, mean_messages);
  std::fflush(stdout);

  for (double fail : {0.10, 0.30}) {
    for (size_t i = 0; i < net.size(); ++i) net.Revive(i);
    std::vector<SimBlock> blocks(block_count);
    for (SimBlock& b : blocks) b.key = net.RandomKey();
    net.PlaceBlocks(blocks, 3);
    std::vector<size_t> order(net.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[net.rng().Uniform(i)]);
    for (size_t i = 0; i < static_cast<size_t>(fail * net.size()); ++i) net.Kill(order[i]);
    const ReplicaCensus before = net.Census(blocks, 3);
    const int64_t repair_messages = net.RepairRound(blocks, 3);
    const ReplicaCensus after = net.Census(blocks, 3);
    std::printf(
        "|   %zu nodes, %.0f %% fail | readable %.2f %% -> %.2f %% | at R %.2f %% -> %.2f %% | "
        "%.0f msgs/block |\n",
        nodes, fail * 100, 100 * before.readable, 100 * after.readable, 100 * before.at_r,
        100 * after.at_r, static_cast<double>(repair_messages) / block_count);
    std::fflush(stdout);
  }
}

}  // namespace
}  // namespace swarmkv::testing

int main(int argc, char** argv) {
  using namespace swarmkv::testing;
  std::vector<size_t> sizes;
  for (absl::string_view s : absl::StrSplit(Arg(argc, argv, "--nodes", "1000,10000"), ',')) {
    size_t n = 0;
    if (!absl::SimpleAtoi(s, &n) || n < 2) {
      std::fprintf(stderr, "swarmkv-sim: --nodes takes sizes >= 2, e.g. 1000,10000\n");
      return 2;
    }
    sizes.push_back(n);
  }
  const int lookups = std::atoi(Arg(argc, argv, "--lookups", "500").c_str());
  const int blocks = std::atoi(Arg(argc, argv, "--blocks", "2000").c_str());
  const uint64_t seed = std::strtoull(Arg(argc, argv, "--seed", "1").c_str(), nullptr, 10);
  const double loss = std::atof(Arg(argc, argv, "--loss", "0").c_str());
  std::printf("swarmkv-sim: seed %llu, loss %.2f, k = 20, alpha = 3, R = 3, latency 5-50 ms\n\n",
              static_cast<unsigned long long>(seed), loss);
  std::printf("| nodes | lookups | hops p50 / p90 / p99 | closest found | messages / lookup |\n");
  std::printf("|---|---|---|---|---|\n");
  for (size_t n : sizes) RunSize(n, lookups, blocks, seed, loss);
  return 0;
}
