// One seeded run of the swarm simulator (testing/sim_swarm.h) with a randomized workload and
// injected faults, checked against the swarm's invariants. Used by `swarmkv-swarmsim` (many
// seeds, a replay line for each failure) and by the tests.
//
// A run: N nodes join (one seed node, the rest bootstrapping from earlier ones); a fault phase
// of puts in every mode (pinned or not), gets from random nodes and unpins, while nodes are
// killed and restarted, the network is split (both ways or one way) and messages are lost; then
// the faults heal (every node restarted, every cut mended, no loss) and maintenance runs. The
// invariants:
// - every acknowledged put is readable, every block hashing to its CID, from every live node;
// - every block of it has at least R live copies;
// - no acknowledged put had fewer copies than the write quorum;
// - no fetch outlived its deadline bound;
// - pinned content is still whole on the node that pinned it;
// - no node served bytes that do not hash to the CID asked for;
// - the swarm is whole: every node knows peers, and every node reaches every other.
//
// NOTE: it replaces libsodium's randomness for the whole process (deterministic_random_bytes.h).
#ifndef SWARMKV_TESTING_SIM_RUN_H_
#define SWARMKV_TESTING_SIM_RUN_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "testing/sim_transport.h"

namespace swarmkv::testing {

struct SimRunOptions {
  uint64_t seed = 1;
  size_t nodes = 20;
  // Workload steps in the fault phase (each a put, a get or an unpin), spread over it.
  size_t steps = 40;
  absl::Duration fault_phase = absl::Minutes(3);
  bool faults = true;
  // Maintenance intervals run after the faults heal, before the invariants are checked.
  int healing_rounds = 3;
};

struct SimRunReport {
  uint64_t seed = 0;
  std::vector<std::string> violations;  // empty when every invariant held
  size_t puts_acknowledged = 0;
  size_t puts_refused = 0;  // below the quorum (allowed while faults last)
  size_t gets_ok = 0;
  size_t gets_failed = 0;  // during the faults (allowed)
  size_t faults = 0;       // kills, restarts, splits, loss changes
  absl::Duration longest_fetch;
  absl::Duration simulated;
  SimNetStats net;
};

SimRunReport RunSimulation(const SimRunOptions& options);

}  // namespace swarmkv::testing

#endif  // SWARMKV_TESTING_SIM_RUN_H_
