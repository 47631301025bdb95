// SwarmService: a node's whole presence in the swarm, running: the Swarm, its GrpcTransport
// (paced: replication/paced_transport.h) and
// its PeerService, which it registers with the node's PeerServer (rpc/peer_server.h), the one
// listener on the peer port that every module's peer service shares. The daemon owns one; tests
// start several in one process.
//
// Lifecycle: construct (before the server starts), start the server, OnListening(port), ...,
// shut the server down (no more incoming calls), then Shutdown (no more outgoing ones).
//
// Thread safety: thread-safe. After Shutdown nothing touches the Swarm from the network.
// `server`, `store`, `loop`, `blocking` and `pool` must outlive it.
#ifndef SWARMKV_REPLICATION_SWARM_SERVICE_H_
#define SWARMKV_REPLICATION_SWARM_SERVICE_H_

#include <memory>

#include "base/event_loop.h"
#include "base/executor.h"
#include "base/thread_pool.h"
#include "replication/grpc_transport.h"
#include "replication/paced_transport.h"
#include "replication/peer_service.h"
#include "replication/swarm.h"
#include "rpc/peer_server.h"

namespace swarmkv {

struct SwarmServiceOptions {
  SwarmOptions swarm;
  GrpcTransportOptions transport;
};

class SwarmService {
 public:
  // REQUIRES: `server` has not started yet.
  // The Swarm runs on `loop` with `blocking` for its store work; `pool` runs the peer
  // service's store work.
  SwarmService(const NodeId& self, PeerServer& server, BlockStore& store, EventLoop& loop,
               Executor& blocking, ThreadPool& pool, SwarmServiceOptions options);
  ~SwarmService() { Shutdown(); }

  Swarm& swarm() { return *swarm_; }
  // The server is listening on `port`: every request this node sends announces it.
  void OnListening(int port);
  // Refuses new outgoing calls and waits for those in flight. Idempotent.
  void Shutdown();

 private:
  std::unique_ptr<GrpcTransport> transport_;
  std::unique_ptr<PacedTransport> paced_transport_;
  std::unique_ptr<Swarm> swarm_;
  std::unique_ptr<PeerService> service_;
};

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_SWARM_SERVICE_H_
