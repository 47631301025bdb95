// SwarmService: a node's whole presence in the swarm, running: the Swarm, its GrpcTransport and
// the TLS peer listener (PeerService) on its own port, separate from the local API. The daemon
// owns one; tests start several in one process.
//
// Thread safety: thread-safe. Shutdown (or the destructor) stops the listener, then waits for
// outgoing calls, so nothing touches the Swarm afterwards. `store`, `pool` and `clock` must
// outlive it.
#ifndef SWARMKV_REPLICATION_SWARM_SERVICE_H_
#define SWARMKV_REPLICATION_SWARM_SERVICE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "base/thread_pool.h"
#include "crypto/identity.h"
#include "grpcpp/grpcpp.h"
#include "replication/grpc_transport.h"
#include "replication/peer_service.h"
#include "replication/rate_limiter.h"
#include "replication/swarm.h"

namespace swarmkv {

struct SwarmServiceOptions {
  // "host:port" for the peer listener; port 0 picks a free one (see port()).
  std::string listen = "0.0.0.0:7420";
  SwarmOptions swarm;
  GrpcTransportOptions transport;
  PeerRateLimits limits;
};

class SwarmService {
 public:
  // UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<SwarmService>> Start(const Identity& identity,
                                                             BlockStore& store, ThreadPool& pool,
                                                             const Clock& clock,
                                                             SwarmServiceOptions options);
  ~SwarmService();

  Swarm& swarm() { return *swarm_; }
  // The bound port.
  int port() const { return port_; }
  void Shutdown();

 private:
  SwarmService() = default;

  int port_ = 0;
  std::unique_ptr<GrpcTransport> transport_;
  std::unique_ptr<Swarm> swarm_;
  std::unique_ptr<PeerService> service_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_SWARM_SERVICE_H_
