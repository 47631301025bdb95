#include "replication/swarm_service.h"

#include <utility>

#include "storage/block_store.h"

namespace swarmkv {

static_assert(kMaxPeerMessageBytes >= kMaxBlockBytes + 64 * 1024,
              "a STORE or FIND_VALUE answer carries a whole block and its framing");

SwarmService::SwarmService(const NodeId& self, PeerServer& server, BlockStore& store,
                           EventLoop& loop, Executor& blocking, ThreadPool& pool,
                           SwarmServiceOptions options) {
  const TlsCertificate& own = server.certificate();
  transport_ = std::make_unique<GrpcTransport>(
      TlsCertificate{own.certificate_pem, own.private_key_pem.Clone()}, options.transport);
  // Peers that say "slow down" are asked again after the wait they name.
  paced_transport_ = std::make_unique<PacedTransport>(*transport_, loop);
  swarm_ = std::make_unique<Swarm>(self, store, *paced_transport_, loop, blocking,
                                   std::move(options.swarm));
  service_ = std::make_unique<PeerService>(*swarm_, server, pool);
  server.Register(service_.get());
}

void SwarmService::OnListening(int port) {
  transport_->set_listen_port(static_cast<uint32_t>(port));
}

void SwarmService::Shutdown() { transport_->Shutdown(); }

}  // namespace swarmkv
