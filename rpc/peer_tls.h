// Mutual TLS for peer links, bound to node identities (DESIGN §3.3; docs/wire-protocol.md).
// Each node presents a self-signed certificate made from its Ed25519 identity key
// (crypto/tls_certificate.h). No CA: a dialler accepts the listener only when its certificate
// proves the NodeId it meant to reach, and a listener requires a client certificate and takes
// the caller's NodeId from it. A certificate that is not a valid self-signed Ed25519 one, or
// proves another id, fails the handshake: the call ends UNAVAILABLE and nothing is exchanged.
//
// TLS version: gRPC 1.51 negotiates TLS 1.3 (its maximum) between two swarmkv nodes; its C++ API
// cannot set a minimum, and TLS 1.3's downgrade protection makes a forced 1.2 handshake fail.
#ifndef SWARMKV_RPC_PEER_TLS_H_
#define SWARMKV_RPC_PEER_TLS_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "crypto/identity.h"
#include "crypto/tls_certificate.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_context.h"

namespace swarmkv {

// Where a dial records the id the listener's certificate proved (for bare bootstrap entries).
class ProvenId {
 public:
  void Set(const NodeId& id) {
    absl::MutexLock lock(&mu_);
    id_ = id;
  }
  std::optional<NodeId> Get() const {
    absl::MutexLock lock(&mu_);
    return id_;
  }

 private:
  mutable absl::Mutex mu_;
  std::optional<NodeId> id_ ABSL_GUARDED_BY(mu_);
};

// Credentials for dialling a peer. With `expected`, only that id is accepted; without it, any
// valid identity certificate is, and its id lands in `proven` (which may be null otherwise).
std::shared_ptr<grpc::ChannelCredentials> PeerChannelCredentials(const TlsCertificate& own,
                                                                 std::optional<NodeId> expected,
                                                                 std::shared_ptr<ProvenId> proven);

// Credentials for the peer listener: client certificates required and checked.
std::shared_ptr<grpc::ServerCredentials> PeerServerCredentials(const TlsCertificate& own);

// The caller's NodeId from a call's client certificate, cached per certificate (parsing one
// costs a signature check). PERMISSION_DENIED without a valid identity certificate.
// Thread safety: thread-safe.
class CallerIds {
 public:
  absl::StatusOr<NodeId> Of(const grpc::CallbackServerContext& call);

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, NodeId> by_certificate_ ABSL_GUARDED_BY(mu_);
};

}  // namespace swarmkv

#endif  // SWARMKV_RPC_PEER_TLS_H_
