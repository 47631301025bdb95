// swarmkv-swarmsim: runs the real swarm (Swarm, BlockStore, Housekeeper) in the simulator under
// a randomized workload and injected faults, seed after seed, and checks the invariants of
// testing/sim_run.h. A failing seed is printed with the one command that replays it exactly.
//
// usage: swarmkv-swarmsim [--seeds N] [--first S] [--nodes N] [--steps N] [--minutes M]
//        swarmkv-swarmsim --seed S [...]      (one seed, with its report)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "testing/sim_run.h"

namespace {

bool ParseFlag(int argc, char** argv, int* i, const char* name, uint64_t* value) {
  if (std::strcmp(argv[*i], name) != 0) return false;
  if (*i + 1 >= argc || !absl::SimpleAtoi(argv[*i + 1], value)) {
    std::fprintf(stderr, "%s needs a whole number\n", name);
    std::exit(2);
  }
  ++*i;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seeds = 100, first = 1, seed = 0, nodes = 20, steps = 40, minutes = 3;
  for (int i = 1; i < argc; ++i) {
    if (ParseFlag(argc, argv, &i, "--seeds", &seeds) ||
        ParseFlag(argc, argv, &i, "--first", &first) ||
        ParseFlag(argc, argv, &i, "--seed", &seed) ||
        ParseFlag(argc, argv, &i, "--nodes", &nodes) ||
        ParseFlag(argc, argv, &i, "--steps", &steps) ||
        ParseFlag(argc, argv, &i, "--minutes", &minutes)) {
      continue;
    }
    std::fprintf(stderr,
                 "usage: %s [--seeds N] [--first S] [--seed S] [--nodes N] [--steps N] "
                 "[--minutes M]\n",
                 argv[0]);
    return 2;
  }
  if (seed != 0) {
    first = seed;
    seeds = 1;
  }
  if (nodes < 2) {
    std::fprintf(stderr, "--nodes must be at least 2\n");
    return 2;
  }
  std::printf(
      "swarm simulation: %llu seeds from %llu, %llu nodes, %llu workload steps over %llu "
      "simulated minutes of faults\n",
      static_cast<unsigned long long>(seeds), static_cast<unsigned long long>(first),
      static_cast<unsigned long long>(nodes), static_cast<unsigned long long>(steps),
      static_cast<unsigned long long>(minutes));
  const auto wall_start = std::chrono::steady_clock::now();
  size_t passed = 0, failed = 0, faults = 0, acked = 0, refused = 0, gets = 0;
  absl::Duration simulated, longest_fetch;
  for (uint64_t s = first; s < first + seeds; ++s) {
    swarmkv::testing::SimRunOptions options;
    options.seed = s;
    options.nodes = nodes;
    options.steps = steps;
    options.fault_phase = absl::Minutes(minutes);
    const swarmkv::testing::SimRunReport report = swarmkv::testing::RunSimulation(options);
    simulated += report.simulated;
    faults += report.faults;
    acked += report.puts_acknowledged;
    refused += report.puts_refused;
    gets += report.gets_ok;
    longest_fetch = std::max(longest_fetch, report.longest_fetch);
    if (report.violations.empty()) {
      ++passed;
    } else {
      ++failed;
      std::printf("seed %llu FAILED (%zu violations):\n", static_cast<unsigned long long>(s),
                  report.violations.size());
      for (const std::string& v : report.violations) std::printf("  %s\n", v.c_str());
      std::printf("  replay: %s --seed %llu --nodes %llu --steps %llu --minutes %llu\n", argv[0],
                  static_cast<unsigned long long>(s), static_cast<unsigned long long>(nodes),
                  static_cast<unsigned long long>(steps), static_cast<unsigned long long>(minutes));
    }
    if (seeds == 1) {
      std::printf(
          "seed %llu: %zu puts acknowledged, %zu refused, %zu blocks read, %zu faults, "
          "%lld requests (%lld lost, %lld cut, %lld refused, %lld timed out), longest "
          "fetch %s, %s simulated\n",
          static_cast<unsigned long long>(s), report.puts_acknowledged, report.puts_refused,
          report.gets_ok, report.faults, static_cast<long long>(report.net.requests),
          static_cast<long long>(report.net.lost), static_cast<long long>(report.net.cut),
          static_cast<long long>(report.net.refused), static_cast<long long>(report.net.timed_out),
          absl::FormatDuration(report.longest_fetch).c_str(),
          absl::FormatDuration(report.simulated).c_str());
    }
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  const double hours = absl::ToDoubleHours(simulated);
  std::printf(
      "%zu faults injected (%.1f per seed), %zu puts acknowledged, %zu refused under "
      "faults, %zu blocks read, longest fetch %s\n",
      faults, static_cast<double>(faults) / static_cast<double>(seeds), acked, refused, gets,
      absl::FormatDuration(longest_fetch).c_str());
  std::printf("%.2f simulated hours in %.1f s: %.2f simulated hours per second\n", hours, wall,
              wall > 0 ? hours / wall : 0.0);
  std::printf("%zu passed, %zu failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
