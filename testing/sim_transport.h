// SimNet: the network of the swarm simulator. Each simulated node gets a SimTransport, the real
// Transport interface delivered on the shared virtual-time loop: a request travels for a seeded
// latency, runs the target Swarm's real Handle* methods (after its OnPeerContact admission, as
// the peer service does), and its answer travels back. Faults, all from the seed:
// - loss: any request or answer is dropped with a probability;
// - partitions: a cut from A to B drops everything A sends to B (cut both ways for a full split);
// - dead nodes: nothing listens at their address, so requests fail UNAVAILABLE ("connection
//   refused"), as they do against a killed process.
// A request whose answer does not come fails DEADLINE_EXCEEDED after the timeout, so every call
// completes exactly once, as the Transport contract says, unless its caller died first: then it
// never completes, like a callback into a process that no longer exists.
//
// It also checks, on the wire, that no node serves a block whose bytes do not hash to its CID.
//
// Thread safety: single-threaded, on the loop's thread.
#ifndef SWARMKV_TESTING_SIM_TRANSPORT_H_
#define SWARMKV_TESTING_SIM_TRANSPORT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "base/random.h"
#include "base/virtual_event_loop.h"
#include "replication/swarm.h"
#include "replication/transport.h"

namespace swarmkv::testing {

struct SimLinkOptions {
  absl::Duration min_latency = absl::Milliseconds(1);
  absl::Duration max_latency = absl::Milliseconds(20);
  double loss = 0;  // probability that one message (request or answer) is lost
  // A request with no answer fails DEADLINE_EXCEEDED after this (the transport's deadline).
  absl::Duration timeout = absl::Seconds(2);
};

struct SimNetStats {
  int64_t requests = 0;
  int64_t lost = 0;                  // dropped by loss
  int64_t cut = 0;                   // dropped by a partition
  int64_t refused = 0;               // nothing listening at the address
  int64_t timed_out = 0;             // completed with DEADLINE_EXCEEDED
  int64_t forged_blocks_served = 0;  // FIND_VALUE answers whose bytes do not match the CID
};

class SimNet {
 public:
  // `loop` and `rng` must outlive the net.
  SimNet(VirtualEventLoop& loop, Random& rng, SimLinkOptions options)
      : loop_(loop), rng_(rng), options_(options) {}

  // The transport a node at `address` sends with. Destroying it is the node dying: the calls it
  // made never complete.
  std::unique_ptr<Transport> TransportFor(const NodeId& self, const std::string& address);
  // `swarm` answers at `address` from now on; nullptr: nothing does (the node is dead).
  void Listen(const std::string& address, Swarm* swarm) { listeners_[address] = swarm; }

  void Cut(const std::string& from, const std::string& to) { cuts_.insert({from, to}); }
  void Mend(const std::string& from, const std::string& to) { cuts_.erase({from, to}); }
  void MendAll() { cuts_.clear(); }
  void set_loss(double loss) { options_.loss = loss; }
  const SimLinkOptions& options() const { return options_; }
  const SimNetStats& stats() const { return stats_; }

 private:
  class SimTransport;
  // Sends a request from `from` to `to`; `handle` runs at the target and yields the answer,
  // which `done` receives (or an error) unless `caller_alive` has turned false.
  template <typename T>
  void Exchange(const Contact& from, const std::string& to, const NodeId* expected,
                std::shared_ptr<bool> caller_alive, std::function<absl::StatusOr<T>(Swarm&)> handle,
                std::function<void(absl::StatusOr<T>)> done);
  absl::Duration Latency();
  bool Lost();
  bool IsCut(const std::string& from, const std::string& to) const {
    return cuts_.contains({from, to});
  }
  void CountServed(const Cid& cid, const FindValueResult& result);

  VirtualEventLoop& loop_;
  Random& rng_;
  SimLinkOptions options_;
  SimNetStats stats_;
  absl::flat_hash_map<std::string, Swarm*> listeners_;
  absl::flat_hash_set<std::pair<std::string, std::string>> cuts_;
};

}  // namespace swarmkv::testing

#endif  // SWARMKV_TESTING_SIM_TRANSPORT_H_
