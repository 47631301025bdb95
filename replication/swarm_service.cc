#include "replication/swarm_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "replication/tls_transport.h"
#include "storage/block_store.h"

namespace swarmkv {

absl::StatusOr<std::unique_ptr<SwarmService>> SwarmService::Start(const Identity& identity,
                                                                  BlockStore& store,
                                                                  ThreadPool& pool,
                                                                  const Clock& clock,
                                                                  SwarmServiceOptions options) {
  // A fresh certificate per start: peers trust the identity key inside, not the certificate.
  SWARMKV_ASSIGN_OR_RETURN(TlsCertificate certificate,
                           MakeSelfSignedCertificate(identity, clock.Now()));
  std::shared_ptr<grpc::ServerCredentials> server_credentials = PeerServerCredentials(certificate);

  std::unique_ptr<SwarmService> service(new SwarmService());
  service->transport_ = std::make_unique<GrpcTransport>(std::move(certificate), options.transport);
  service->swarm_ = std::make_unique<Swarm>(identity.node_id(), store, *service->transport_, clock,
                                            options.swarm);
  service->service_ = std::make_unique<PeerService>(*service->swarm_, pool, clock, options.limits);

  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, server_credentials, &service->port_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(kMaxBlockBytes + 64 * 1024));
  builder.SetMaxSendMessageSize(static_cast<int>(kMaxBlockBytes + 64 * 1024));
  builder.RegisterService(service->service_.get());
  service->server_ = builder.BuildAndStart();
  if (service->server_ == nullptr || service->port_ == 0) {
    service->server_.reset();
    return absl::UnavailableError(absl::StrCat("cannot listen for peers on ", options.listen,
                                               " (address in use, or not allowed)"));
  }
  service->transport_->set_listen_port(static_cast<uint32_t>(service->port_));
  return service;
}

SwarmService::~SwarmService() { Shutdown(); }

void SwarmService::Shutdown() {
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server_->Wait();
    server_.reset();
  }
  if (transport_ != nullptr) transport_->Shutdown();
}

}  // namespace swarmkv
