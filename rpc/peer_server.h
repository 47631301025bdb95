// PeerServer: the node's one listener for other nodes, on the peer port (DESIGN §3.3,
// docs/wire-protocol.md). Modules register their gRPC services with it before it starts; all of
// them share what makes a peer call trustworthy:
// - the identity-bound mutual TLS credentials (rpc/peer_tls.h): a caller without a valid
//   identity certificate never gets a call through;
// - Admit: the caller's proven NodeId, its address (the IP its connection came from plus the
//   port it says it listens on), and one per-peer request and byte budget across every service.
//
// Lifecycle: Create, Register each service, Start, ..., Shutdown (or destroy).
// Thread safety: Admit is thread-safe; Register, Start and Shutdown are called from one thread.
// `clock` must outlive the server, and each registered service must outlive its Shutdown.
#ifndef SWARMKV_RPC_PEER_SERVER_H_
#define SWARMKV_RPC_PEER_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "crypto/identity.h"
#include "crypto/tls_certificate.h"
#include "grpcpp/grpcpp.h"
#include "rpc/connection_cap.h"
#include "rpc/peer_tls.h"
#include "rpc/rate_limiter.h"

namespace swarmkv {

// The largest message on the peer port either way: a block (at most 1 MiB and 1 KiB, see
// storage/block_store.h) plus 64 KiB of framing.
inline constexpr size_t kMaxPeerMessageBytes = (size_t{1} << 20) + 1024 + 64 * 1024;
// Peer links ping every 10 s and drop a connection whose ping stays unanswered for 5 s (both
// ends; rpc/peer_channels.cc says why).
inline constexpr int kPeerKeepaliveTimeMs = 10'000;
inline constexpr int kPeerKeepaliveTimeoutMs = 5'000;

struct PeerServerOptions {
  // "host:port" to listen on; port 0 picks a free one (see port()).
  std::string listen = "0.0.0.0:7420";
  // One budget per peer, shared by every registered service.
  PeerRateLimits limits;
  // Established connections to the peer port from one remote address, at most (0: no cap). A
  // node keeps one connection to each peer it talks to, so 64 leaves room for 64 nodes behind
  // one address (a NAT, or a test cluster on loopback) and none for a host holding hundreds.
  size_t max_connections_per_ip = 64;
};

// Who is calling, as Admit established it.
struct PeerCaller {
  NodeId id;
  // "host:port" where the caller listens for peers; empty when it announced no port (it is then
  // served, but is no contact to remember).
  std::string address;
};

class PeerServer {
 public:
  // Makes this start's certificate from `identity` (peers trust the key inside, not the
  // certificate). Does not listen yet.
  static absl::StatusOr<std::unique_ptr<PeerServer>> Create(const Identity& identity,
                                                            const Clock& clock,
                                                            PeerServerOptions options);
  ~PeerServer() { Shutdown(absl::ZeroDuration()); }

  // The certificate this node presents, for diallers of the same node (transports).
  const TlsCertificate& certificate() const { return certificate_; }

  // REQUIRES: before Start. `service` must outlive Shutdown.
  void Register(grpc::Service* service) { services_.push_back(service); }
  // Binds and starts serving. UNAVAILABLE when the address cannot be bound.
  absl::Status Start();
  // The bound port (0 before Start).
  int port() const { return port_; }
  // Stops accepting calls and waits up to `grace` for calls in progress, then cancels them.
  // Idempotent.
  void Shutdown(absl::Duration grace);

  // Admission of one call, shared by every peer service: the caller's proven id
  // (PERMISSION_DENIED without a valid identity certificate, or over something other than
  // TCP/IP), charged `request_bytes` against its budget (RESOURCE_EXHAUSTED past it, with how
  // long to wait in the call's trailers, rpc/retry_after.h), and its address from the connection
  // and `listen_port` (INVALID_ARGUMENT over 65535; 0 means none).
  absl::StatusOr<PeerCaller> Admit(grpc::CallbackServerContext& call, uint32_t listen_port,
                                   size_t request_bytes);

 private:
  PeerServer(TlsCertificate certificate, const Clock& clock, PeerServerOptions options)
      : certificate_(std::move(certificate)),
        clock_(clock),
        options_(std::move(options)),
        limiter_(options_.limits) {}

  // Constant after construction.
  const TlsCertificate certificate_;
  const Clock& clock_;
  const PeerServerOptions options_;

  // Used by the thread that starts and stops the server.
  std::vector<grpc::Service*> services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::unique_ptr<ConnectionCapEnforcer> connection_cap_;

  CallerIds caller_ids_;
  absl::Mutex mu_;
  PeerRateLimiter limiter_ ABSL_GUARDED_BY(mu_);
};

}  // namespace swarmkv

#endif  // SWARMKV_RPC_PEER_SERVER_H_
