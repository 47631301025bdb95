// LoopbackNetwork: Swarm nodes in one process, wired to each other by a Transport that calls
// the target's Handle* methods directly and completes every request before it returns. For
// unit tests of the Swarm driver; the real wire is GrpcTransport, tested with real sockets.
//
// Faults a test can inject: a node that is down (every request to it is UNAVAILABLE) and a node
// that lies (its FIND_VALUE answers carry corrupted bytes; its HAVE answers claim every block).
//
// Thread safety: configure (Add, SetDown, SetLiar) before driving nodes from several threads.
#ifndef SWARMKV_TESTING_LOOPBACK_TRANSPORT_H_
#define SWARMKV_TESTING_LOOPBACK_TRANSPORT_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "replication/swarm.h"
#include "replication/transport.h"

namespace swarmkv::testing {

class LoopbackNetwork {
 public:
  LoopbackNetwork();
  ~LoopbackNetwork();

  // The transport node `self` (at `address`) uses. Owned by the network.
  Transport& TransportFor(const NodeId& self, const std::string& address);
  // Makes `swarm` reachable at `address`. `swarm` must outlive the network's use.
  void Add(const std::string& address, Swarm* swarm);
  void SetDown(const std::string& address, bool down);
  void SetLiar(const std::string& address, bool liar);
  // Requests delivered so far.
  int64_t requests() const { return requests_.load(); }

 private:
  class NodeTransport;
  struct Endpoint {
    Swarm* swarm = nullptr;
    bool down = false;
    bool liar = false;
  };
  // The endpoint at `to`, after checking it is up and is who the caller meant; records the
  // caller as a contact of the target.
  absl::StatusOr<Endpoint*> Reach(const Contact& caller, const std::string& to,
                                  const NodeId* expected);

  absl::flat_hash_map<std::string, Endpoint> endpoints_;
  std::vector<std::unique_ptr<NodeTransport>> transports_;
  std::atomic<int64_t> requests_{0};
};

}  // namespace swarmkv::testing

#endif  // SWARMKV_TESTING_LOOPBACK_TRANSPORT_H_
