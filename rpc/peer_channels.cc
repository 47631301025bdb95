#include "rpc/peer_channels.h"

#include "absl/strings/str_cat.h"
#include "rpc/peer_server.h"
#include "rpc/peer_tls.h"

namespace swarmkv {
namespace {
// Channels kept at most; past it the pool starts over (calls in flight keep theirs alive).
constexpr size_t kMaxPooledChannels = 1024;
}  // namespace

grpc::ChannelArguments PeerChannelArguments() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(static_cast<int>(kMaxPeerMessageBytes));
  args.SetMaxSendMessageSize(static_cast<int>(kMaxPeerMessageBytes));
  args.SetSslTargetNameOverride(kTlsServerName);
  // Reconnect soon after a peer comes back (first retry after 0.1 s, never more than 2 s
  // apart). gRPC also takes the "min reconnect backoff" as the time one connection attempt
  // (TCP and the TLS handshake) may take: at 100 ms, handshakes on a loaded machine timed out
  // ("Handshake timed out" all through the Compose fault test, issue 12), so it is 1 s.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 1000);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  // A DNS query (a bootstrap entry by name) answered by nobody, as when the node's network is
  // cut off, gives up after 2 s rather than gRPC's default of 120 s.
  args.SetInt(GRPC_ARG_DNS_ARES_QUERY_TIMEOUT_MS, 2000);
  // A connection whose peer vanished (its network cut, its container frozen) is found dead by
  // a ping unanswered for 5 s, and by the kernel once sent data stays unacknowledged as long
  // (gRPC sets TCP_USER_TIMEOUT to the keepalive timeout). Without them, calls on such a
  // connection outlived their deadline and their cancellation, and a stopping node waited on
  // them (issue 12's fault test, after a partition).
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kPeerKeepaliveTimeMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kPeerKeepaliveTimeoutMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  return args;
}

std::shared_ptr<grpc::Channel> PeerChannels::For(const std::string& address, const NodeId& id) {
  const std::string key = absl::StrCat(address, "|", id.ToString());
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(key);
  if (it != channels_.end()) return it->second;
  if (channels_.size() >= kMaxPooledChannels) channels_.clear();
  auto channel = grpc::CreateCustomChannel(address, PeerChannelCredentials(own_, id, nullptr),
                                           PeerChannelArguments());
  channels_.emplace(key, channel);
  return channel;
}

}  // namespace swarmkv
