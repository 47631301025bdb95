// PeerChannels: the node's outgoing gRPC channels to other nodes, one per (address, expected
// id), kept and reused by every module that talks to peers (the DHT's transport, pubsub's). Each
// accepts only a listener whose certificate proves the expected NodeId (rpc/peer_tls.h).
//
// Thread safety: thread-safe. `own` must outlive it.
#ifndef SWARMKV_RPC_PEER_CHANNELS_H_
#define SWARMKV_RPC_PEER_CHANNELS_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "crypto/identity.h"
#include "crypto/tls_certificate.h"
#include "grpcpp/grpcpp.h"

namespace swarmkv {

// Channel arguments of every peer link: message limits of the peer port, the TLS server name,
// quick reconnects (a dead peer fails fast instead of backing off for seconds) and keepalive.
grpc::ChannelArguments PeerChannelArguments();

class PeerChannels {
 public:
  explicit PeerChannels(const TlsCertificate& own) : own_(own) {}

  // The pooled channel to `id` at `address`. Shared: a call in flight keeps its channel even
  // after the pool drops it.
  std::shared_ptr<grpc::Channel> For(const std::string& address, const NodeId& id);

 private:
  const TlsCertificate& own_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<grpc::Channel>> channels_ ABSL_GUARDED_BY(mu_);
};

}  // namespace swarmkv

#endif  // SWARMKV_RPC_PEER_CHANNELS_H_
