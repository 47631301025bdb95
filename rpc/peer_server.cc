#include "rpc/peer_server.h"

#include <chrono>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "rpc/retry_after.h"

namespace swarmkv {
namespace {

// gRPC's peer string "ipv4:10.0.0.7:53412" / "ipv6:[::1]:53412" -> "10.0.0.7" / "[::1]".
absl::StatusOr<std::string> HostOfPeer(const std::string& peer) {
  const size_t scheme = peer.find(':');
  const size_t port = peer.rfind(':');
  if (scheme == std::string::npos || port == scheme || !absl::StartsWith(peer, "ipv")) {
    return absl::PermissionDeniedError("peer calls must come over TCP/IP");
  }
  return peer.substr(scheme + 1, port - scheme - 1);
}

}  // namespace

absl::StatusOr<std::unique_ptr<PeerServer>> PeerServer::Create(const Identity& identity,
                                                               const Clock& clock,
                                                               PeerServerOptions options) {
  SWARMKV_ASSIGN_OR_RETURN(TlsCertificate certificate,
                           MakeSelfSignedCertificate(identity, clock.Now()));
  return std::unique_ptr<PeerServer>(
      new PeerServer(std::move(certificate), clock, std::move(options)));
}

absl::Status PeerServer::Start() {
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.listen, PeerServerCredentials(certificate_), &port_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(kMaxPeerMessageBytes));
  builder.SetMaxSendMessageSize(static_cast<int>(kMaxPeerMessageBytes));
  // gRPC sets SO_REUSEPORT by default: a second node on the same port would then share (and
  // split) this one's connections instead of failing to start.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // Connection hygiene (issue 15 finding 3): a connection that has not finished its TLS
  // handshake in 10 s is closed (gRPC's default is 120 s), and one idle for 5 minutes too, so
  // idle sockets cannot pile up to the open-files limit (rpc/grpc_log.h for what happens if
  // they do anyway).
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, 10'000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, 300'000);
  // Keepalive (rpc/peer_channels.h says why): the server pings too, so a connection from a
  // peer that vanished is closed, and it accepts the peers' pings, every 10 s even without
  // calls, instead of answering them with GOAWAY "too_many_pings".
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, kPeerKeepaliveTimeMs);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kPeerKeepaliveTimeoutMs);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             kPeerKeepaliveTimeMs / 2);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  for (grpc::Service* service : services_) builder.RegisterService(service);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    server_.reset();
    port_ = 0;
    return absl::UnavailableError(absl::StrCat("cannot listen for peers on ", options_.listen,
                                               " (address in use, or not allowed)"));
  }
  connection_cap_ = std::make_unique<ConnectionCapEnforcer>(
      static_cast<uint16_t>(port_), options_.max_connections_per_ip, absl::Seconds(1));
  return absl::OkStatus();
}

void PeerServer::Shutdown(absl::Duration grace) {
  if (server_ == nullptr) return;
  connection_cap_.reset();
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(grace));
  server_->Wait();
  server_.reset();
}

absl::StatusOr<PeerCaller> PeerServer::Admit(grpc::CallbackServerContext& call,
                                             uint32_t listen_port, size_t request_bytes) {
  SWARMKV_ASSIGN_OR_RETURN(NodeId id, caller_ids_.Of(call));
  absl::Duration wait;
  {
    absl::MutexLock lock(&mu_);
    wait = limiter_.Charge(id, request_bytes, clock_.Now());
  }
  if (wait != absl::ZeroDuration()) {
    // An honest peer waits this long and asks again (GrpcTransport does); "never" gets none.
    if (wait != absl::InfiniteDuration()) SetRetryAfter(call, wait);
    return absl::ResourceExhaustedError("peer request rate or byte budget exceeded; slow down");
  }
  if (listen_port > 65535) return absl::InvalidArgumentError("caller.listen_port must be 0..65535");
  PeerCaller caller{id, ""};
  if (listen_port != 0) {
    SWARMKV_ASSIGN_OR_RETURN(std::string host, HostOfPeer(call.peer()));
    caller.address = absl::StrCat(host, ":", listen_port);
  }
  return caller;
}

}  // namespace swarmkv
