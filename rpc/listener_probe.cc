#include "rpc/listener_probe.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "rpc/peer_channels.h"
#include "rpc/peer_tls.h"

namespace swarmkv {

ListenerProbe::ListenerProbe(const TlsCertificate& own, NodeId self, std::string address,
                             EventLoop& loop, ListenerProbeOptions options,
                             std::function<void()> on_dead)
    : own_(own),
      self_(self),
      address_(std::move(address)),
      loop_(loop),
      options_(options),
      on_dead_(std::move(on_dead)) {}

std::string ListenerProbe::LocalAddress(const std::string& listen, int port) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "[::]") host = "[::1]";
  return absl::StrCat(host, ":", port);
}

void ListenerProbe::Start() {
  loop_.RunAfter(options_.interval, lifeline_.Guard([this] { Probe(); }));
}

void ListenerProbe::Probe() {
  // A channel of its own (no shared subchannel): the probe must open a new connection, since
  // established ones keep working after the listener has stopped accepting.
  struct Call {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<grpc::health::v1::Health::Stub> stub;
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
  };
  auto call = std::make_shared<Call>();
  grpc::ChannelArguments args = PeerChannelArguments();
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  call->channel =
      grpc::CreateCustomChannel(address_, PeerChannelCredentials(own_, self_, nullptr), args);
  call->stub = grpc::health::v1::Health::NewStub(call->channel);
  call->context.set_deadline(std::chrono::system_clock::now() +
                             absl::ToChronoNanoseconds(options_.timeout));
  Call* raw = call.get();
  raw->stub->async()->Check(&raw->context, &raw->request, &raw->response,
                            [call, done = lifeline_.Guard<bool>([this](bool ok) {
                              loop_.Post(lifeline_.Guard([this, ok] { OnResult(ok); }));
                            })](grpc::Status status) { done(status.ok()); });
}

void ListenerProbe::OnResult(bool ok) {
  if (dead_) return;
  if (ok) {
    failed_in_a_row_ = 0;
  } else if (++failed_in_a_row_ >= options_.failures) {
    dead_ = true;
    LogEvent(LogLevel::kError, "peer.listener_dead",
             {{"address", address_}, {"failed_probes", static_cast<uint64_t>(failed_in_a_row_)}});
    on_dead_();
    return;
  } else {
    LogEvent(LogLevel::kWarn, "peer.listener_probe_failed",
             {{"address", address_}, {"in_a_row", static_cast<uint64_t>(failed_in_a_row_)}});
  }
  loop_.RunAfter(options_.interval, lifeline_.Guard([this] { Probe(); }));
}

}  // namespace swarmkv
