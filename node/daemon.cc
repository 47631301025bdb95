#include "node/daemon.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "api/metrics.h"
#include "api/node_query_subject.h"
#include "api/node_service.h"
#include "api/pubsub_metrics.h"
#include "base/event_loop.h"
#include "base/host_port.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "base/thread_pool.h"
#include "gateway/http_gateway.h"
#include "grpc/grpc.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "node/convergence_secret.h"
#include "node/data_dir.h"
#include "node/housekeeper.h"
#include "node/stop_watchdog.h"
#include "pubsub/gossip_service.h"
#include "pubsub/gossip_transport.h"
#include "pubsub/pubsub.h"
#include "pubsub/query_engine.h"
#include "replication/swarm_service.h"
#include "rpc/grpc_log.h"
#include "rpc/peer_channels.h"
#include "rpc/peer_server.h"

namespace swarmkv {
namespace {

// Set when gRPC gave up on a listener, before the daemon is stopped.
std::atomic<bool> listener_dead{false};

// After the shutdown grace, what the rest of a stop may take at most: the peer listener's
// drain (2 s), cancelled calls' ends, the round's end, the store's close. Past it the watchdog
// ends the process (node/stop_watchdog.h).
constexpr absl::Duration kStopAfterGrace = absl::Seconds(8);

absl::Status CheckSocketPath(const std::string& path) {
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return absl::InvalidArgumentError(
        absl::StrCat("API socket path ", path, " is longer than the system limit of ",
                     sizeof(sockaddr_un{}.sun_path) - 1, " bytes; use a shorter --data-dir"));
  }
  return absl::OkStatus();
}

// The FrameSender of a node without peer networking: there is nobody to send to.
class NoPeers final : public FrameSender {
 public:
  void Send(const Contact&, Frame, std::function<void(absl::Status)> done) override {
    done(absl::UnavailableError("peer networking is off"));
  }
};

constexpr size_t kDefaultWorkers = 16;
constexpr size_t kSwarmIoThreads = 4;

absl::StatusOr<absl::Duration> ParseDurationSetting(const std::string& text) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d)) {
    return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is not a duration"));
  }
  return d;
}

absl::StatusOr<SwarmServiceOptions> SwarmOptionsFrom(const NodeConfig& config) {
  SwarmServiceOptions options;
  options.swarm.replication_factor = config.replication_factor;
  options.swarm.write_quorum = config.write_quorum;
  SWARMKV_ASSIGN_OR_RETURN(absl::Duration timeout, ParseDurationSetting(config.peer_timeout));
  SWARMKV_ASSIGN_OR_RETURN(options.swarm.provider_ttl, ParseDurationSetting(config.provider_ttl));
  options.swarm.republish_interval = options.swarm.provider_ttl / 2;
  options.swarm.lookup.timeout = timeout;
  options.transport.timeout = timeout;
  return options;
}

// Every peer connection, API call and RocksDB file takes a descriptor: the soft limit (often
// 1,024) is raised to the hard one, so that a flood of connections meets the handshake timeout
// and the idle reaper long before it meets EMFILE (issue 15 finding 3).
void RaiseOpenFileLimit() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t before = limit.rlim_cur;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) limit.rlim_cur = before;
  }
  LogEvent(
      LogLevel::kInfo, "daemon.open_files",
      {{"limit", static_cast<uint64_t>(limit.rlim_cur)}, {"was", static_cast<uint64_t>(before)}});
}

// The peer address this node gives others: its listen host and the port it got.
std::string AdvertisedPeerAddress(const NodeConfig& config, int port) {
  const std::string host = config.peer_listen.substr(0, config.peer_listen.rfind(':'));
  return absl::StrCat(host, ":", port);
}

}  // namespace

absl::Status RunDaemon(const NodeConfig& given) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // A reference to the gRPC library held for the rest of the process. Without it the last one
  // goes when the server's builder does, and that grpc_shutdown waited, in 1 stop of 3, up to
  // 10 s for gRPC's executor thread, still polling a client's open connection, after the node
  // had stopped (issues 12 and 17). The process ends soon after; nothing is left to clean.
  grpc_init();
  NodeConfig config = given;
  SWARMKV_RETURN_IF_ERROR(LoadTokenFile(&config));
  SWARMKV_RETURN_IF_ERROR(ValidateConfig(config));
  RaiseOpenFileLimit();
  // A listener gRPC gave up on stops the daemon (rpc/grpc_log.h): the main thread's sigwait
  // ends, and the daemon exits 1 for its supervisor to restart it.
  RouteGrpcLogs([] {
    listener_dead = true;
    kill(getpid(), SIGTERM);
  });
  BlockStoreOptions store_options;
  store_options.sync_writes = config.store_sync_writes;
  store_options.verify_hash_on_read = config.store_verify_hash_on_read;
  store_options.quota_bytes = config.store_quota_bytes;
  store_options.min_free_bytes = config.store_min_free_bytes;
  // Opening the store takes its lock: a second daemon on the same data dir stops here, before
  // it could touch the first one's socket.
  std::optional<SecretBytes> shared_convergence_secret;
  if (!config.convergence_secret_file.empty()) {
    SWARMKV_ASSIGN_OR_RETURN(shared_convergence_secret,
                             ReadConvergenceSecretFile(config.convergence_secret_file));
  }
  SWARMKV_ASSIGN_OR_RETURN(
      DataDir data,
      DataDir::Open(config.data_dir, store_options, /*passphrase=*/nullptr,
                    shared_convergence_secret ? &*shared_convergence_secret : nullptr));
  // On SIGTERM, calls in flight get this long; what follows (peer links, the store) takes at
  // most a few seconds more, all inside the orchestrator's stop timeout (docs/deploy.md).
  SWARMKV_ASSIGN_OR_RETURN(const absl::Duration shutdown_grace,
                           ParseDurationSetting(config.shutdown_grace));

  // Swarm operations wait on the network, so more threads than cores keep them overlapping.
  const size_t workers = config.worker_threads != 0 ? config.worker_threads : kDefaultWorkers;
  auto pool = std::make_unique<ThreadPool>(workers);

  // The node's event loop: the swarm's operations and the housekeeper's timers run on it.
  auto loop = std::make_unique<RealEventLoop>();
  // The swarm's store work (reading blocks to send, listing, dropping), on threads of its own:
  // API calls on `pool` wait for swarm operations, which must never wait for a free `pool`
  // thread in turn.
  auto swarm_io = std::make_unique<ThreadPool>(kSwarmIoThreads);

  // The peer port: one listener, which every module's peer service registers with.
  std::unique_ptr<PeerServer> peer_server;
  std::unique_ptr<SwarmService> swarm;
  std::vector<BootstrapEntry> bootstrap;
  // Pubsub: frames over the peer port when there is one; with peer networking off it still
  // serves this node's own subscribers.
  std::unique_ptr<PeerChannels> gossip_channels;
  std::unique_ptr<GossipTransport> gossip_transport;
  NoPeers no_peers;
  std::unique_ptr<PubsubNode> pubsub;
  std::unique_ptr<GossipService> gossip_service;
  // Broadcast queries, evaluated on this node's store off the loop.
  std::unique_ptr<Identity> publisher;  // a separate publisher key, when configured
  std::unique_ptr<Records> records;
  std::unique_ptr<NodeQuerySubject> query_subject;
  std::unique_ptr<QueryEngine> queries;
  // On every way out (an early error return too): incoming peer calls stop, outgoing ones end
  // and the loop stops before the Swarm they reach is destroyed. Idempotent after the clean
  // shutdown below.
  absl::Cleanup stop_swarm = [&] {
    if (peer_server != nullptr) peer_server->Shutdown(absl::ZeroDuration());
    if (swarm != nullptr) swarm->Shutdown();
    if (gossip_transport != nullptr) gossip_transport->Shutdown();
    loop->Stop();
  };
  if (config.peer_listen != "off") {
    SWARMKV_ASSIGN_OR_RETURN(SwarmServiceOptions swarm_options, SwarmOptionsFrom(config));
    PeerServerOptions server_options;
    server_options.listen = config.peer_listen;
    server_options.max_connections_per_ip = config.peer_max_connections_per_ip;
    SWARMKV_ASSIGN_OR_RETURN(
        peer_server, PeerServer::Create(data.identity(), RealClock::Instance(), server_options));
    swarm = std::make_unique<SwarmService>(data.identity().node_id(), *peer_server, data.store(),
                                           *loop, *swarm_io, *pool, swarm_options);
    for (const std::string& entry : config.peer_bootstrap) {
      SWARMKV_ASSIGN_OR_RETURN(BootstrapEntry parsed, ParseBootstrapEntry(entry));
      bootstrap.push_back(std::move(parsed));
    }
    gossip_channels = std::make_unique<PeerChannels>(peer_server->certificate());
    gossip_transport =
        std::make_unique<GossipTransport>(*gossip_channels, swarm_options.transport.timeout);
    Swarm* dht = &swarm->swarm();
    // Before serving: its validator judges the records peers send.
    if (!config.publisher_key.empty()) {
      absl::StatusOr<Identity> loaded = Identity::Load(config.publisher_key);
      if (!loaded.ok()) {
        return absl::Status(
            loaded.status().code(),
            absl::StrCat("publisher key ", config.publisher_key, ": ", loaded.status().message(),
                         absl::IsNotFound(loaded.status())
                             ? " (create one with: swarmkv keygen FILE)"
                             : ""));
      }
      publisher = std::make_unique<Identity>(*std::move(loaded));
    }
    records = std::make_unique<Records>(*dht, data.store(),
                                        publisher != nullptr ? *publisher : data.identity(),
                                        RealClock::Instance());
    pubsub = std::make_unique<PubsubNode>(data.identity(), *loop, *gossip_transport,
                                          [dht] { return dht->Peers(); });
    gossip_service = std::make_unique<GossipService>(*pubsub, *peer_server);
    peer_server->Register(gossip_service.get());
    // Before serving: a restarted node rejoins at once from its saved table.
    const Swarm::Restored restored = swarm->swarm().Restore(!bootstrap.empty());
    LogEvent(LogLevel::kInfo, "swarm.restored",
             {{"peers", static_cast<uint64_t>(restored.contacts)},
              {"provider_records", static_cast<uint64_t>(restored.providers)},
              {"alone", swarm->swarm().Alone()}});
    SWARMKV_RETURN_IF_ERROR(peer_server->Start());
    swarm->OnListening(peer_server->port());
    gossip_transport->set_listen_port(static_cast<uint32_t>(peer_server->port()));
  } else {
    pubsub = std::make_unique<PubsubNode>(data.identity(), *loop, no_peers,
                                          [] { return std::vector<Contact>{}; });
  }
  {
    QueryEngineOptions query_options;
    if (peer_server != nullptr) {
      query_options.origin_address = AdvertisedPeerAddress(config, peer_server->port());
    }
    query_subject = std::make_unique<NodeQuerySubject>(
        data.store(), swarm != nullptr ? &swarm->swarm() : nullptr, records.get());
    queries = std::make_unique<QueryEngine>(*pubsub, BuiltinQueryKinds(), *query_subject, *swarm_io,
                                            query_options);
    queries->Start();
  }
  pubsub->Start();
  // The scrub: damaged blocks are fetched again from the swarm (verified there and by the store).
  ScrubOptions scrub_options;
  scrub_options.pass_interval = *ParseDurationSetting(config.store_scrub_interval);
  scrub_options.max_cpu_share = static_cast<double>(config.store_scrub_max_cpu_percent) / 100;
  Scrubber::Repair repair;
  if (swarm != nullptr) {
    repair = [peers = &swarm->swarm()](const Cid& cid) { return peers->Fetch(cid); };
  }
  auto scrubber = std::make_unique<Scrubber>(data.store(), std::move(repair), scrub_options);
  // Maintenance and garbage collection, in the background (with or without a swarm).
  auto housekeeper = std::make_unique<Housekeeper>(
      *loop, *pool, data.store(), swarm != nullptr ? &swarm->swarm() : nullptr,
      std::move(bootstrap), *ParseDurationSetting(config.maintenance_interval));
  housekeeper->set_records(records.get());
  housekeeper->set_scrubber(scrubber.get());
  housekeeper->Start();
  ServiceContext context{data.store(),
                         data.identity(),
                         data.convergence_secret(),
                         *pool,
                         swarm != nullptr ? &swarm->swarm() : nullptr,
                         pubsub.get(),
                         queries.get(),
                         records.get(),
                         {}};
  context.scrubber = scrubber.get();
  context.options.max_chunk_bytes = config.api_max_chunk_bytes;
  context.options.max_concurrent_calls = static_cast<int>(config.api_max_concurrent_calls);
  context.options.bearer_token = config.api_token;
  std::string api = ApiTarget(config);
  context.options.api_addresses = {api};
  if (swarm != nullptr) {
    context.options.peer_addresses = {AdvertisedPeerAddress(config, peer_server->port())};
  }
  NodeService service(context);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  if (config.api_listen == "unix") {
    const std::string socket = config.data_dir + "/api.sock";
    SWARMKV_RETURN_IF_ERROR(CheckSocketPath(socket));
    unlink(socket.c_str());  // a stale socket from a daemon that died; we hold the store lock
  }
  int api_port = 0;
  builder.AddListeningPort(api, grpc::InsecureServerCredentials(), &api_port);
  // A Put message is a chunk plus a few bytes of framing; anything larger is refused by gRPC
  // with RESOURCE_EXHAUSTED before it is buffered.
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.api_max_chunk_bytes + 4096));
  builder.SetMaxSendMessageSize(static_cast<int>((2u << 20)));
  // No HTTP/2 stream cap: a call over the limit must be refused with RESOURCE_EXHAUSTED by the
  // service's admission check, not left waiting for a stream slot.
  builder.RegisterService(&service);
  ApiMetrics metrics;
  const std::string http_listen = HttpListen(config);
  if (!http_listen.empty()) {
    // Only when /metrics is served: the interceptor runs on every operation of every call (it
    // cost about a tenth of the daemon's CPU on 1 KiB Gets), and nobody could read its figures.
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        interceptors;
    interceptors.push_back(std::make_unique<MetricsInterceptorFactory>(metrics));
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
  }
  // The socket is created owner-only (0700) from the start: no window in which others could
  // connect.
  const mode_t old_umask = umask(077);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  umask(old_umask);
  if (server == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", api, " (address in use, or not allowed)"));
  }
  // "host:0" asked for any free port: report the one bound. No client can have called yet: the
  // port is known only from this log line and Info, which come after.
  if (config.api_listen != "unix" && api_port > 0 && absl::EndsWith(api, ":0")) {
    api = absl::StrCat(api.substr(0, api.size() - 1), api_port);
    context.options.api_addresses = {api};
  }
  std::unique_ptr<HttpGateway> gateway;
  std::string http_at = "off";
  if (!http_listen.empty()) {
    HttpGatewayOptions http_options;
    http_options.listen = http_listen;
    // Other hosts reach the gateway only with the API token (ValidateConfig): content asked for
    // by them must carry it. On loopback, as the Unix socket, this host's users are trusted.
    if (!IsLoopbackListen(http_listen)) http_options.bearer_token = config.api_token;
    SWARMKV_ASSIGN_OR_RETURN(gateway, HttpGateway::Start(context, http_options, [&] {
                               return absl::StrCat(
                                   metrics.Render(data.store().Stats()),
                                   RenderScrubMetrics(scrubber->Totals()),
                                   RenderPubsubMetrics(pubsub->stats(), queries->stats()));
                             }));
    http_at = http_listen;
    if (absl::EndsWith(http_at, ":0")) {
      http_at = absl::StrCat(http_at.substr(0, http_at.size() - 1), gateway->port());
    }
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  health->SetServingStatus(v1::Node::service_full_name(), true);
  LogEvent(LogLevel::kInfo, "daemon.ready",
           {{"node_id", data.identity().node_id().ToString()},
            {"api", api},
            {"token", !config.api_token.empty()},
            {"convergence_secret", shared_convergence_secret ? std::string("cluster's (file)")
                                                             : std::string("this node's own")},
            {"peer", context.options.peer_addresses.empty() ? std::string("off")
                                                            : context.options.peer_addresses[0]},
            {"workers", static_cast<uint64_t>(workers)}});

  {
    // One line on what this node exposes and to whom: nobody should be surprised that the peer
    // port listens on every interface.
    std::string peer = "off";
    if (peer_server != nullptr) {
      peer = config.peer_listen;
      if (absl::EndsWith(peer, ":0")) {
        peer = absl::StrCat(peer.substr(0, peer.size() - 1), peer_server->port());
      }
    }
    LogEvent(LogLevel::kInfo, "daemon.exposes",
             {{"api", api},
              {"api_reach", ListenReach(api)},
              {"peer", peer},
              {"peer_reach", peer_server != nullptr ? ListenReach(peer) : std::string("none")},
              {"http", http_at},
              {"http_reach", http_listen.empty() ? std::string("none") : ListenReach(http_at)}});
  }
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  LogEvent(LogLevel::kInfo, "daemon.stopping", {{"signal", signal_number}});
  // Whatever hangs below, the node is gone by then (docs/deploy.md, "Stop timeouts").
  StopWatchdog watchdog(shutdown_grace + kStopAfterGrace);

  // Health turns NOT_SERVING first, so load balancers and scripts see the node leaving, and
  // new calls are refused: clients that keep calling (a load balancer not yet told) would
  // otherwise hold the drain open for the whole grace (7-9 s stops in the fault test).
  health->SetServingStatus(false);
  context.stopping = true;
  service.EndSubscriptions();  // they never end by themselves
  // Calls in flight finish (up to the grace), then the server stops at once. The waiting is ours:
  // gRPC's Shutdown(deadline) waited out most of its deadline whenever a client merely kept an
  // idle connection open (5 s on every such stop, issue 17).
  watchdog.Step("draining API calls");
  const absl::Time drain_end = absl::Now() + shutdown_grace;
  while (context.calls_in_flight.load() > 0 && absl::Now() < drain_end) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  // The swarm stops before the pool: the housekeeper saves the routing table and stops starting
  // rounds, the transport cancels its calls and refuses new ones (so a round in progress ends
  // at once), the peer listener drains, the round is waited for and the loop stopped: nothing
  // touches the store after it closes.
  watchdog.Step("saving the routing table");
  housekeeper->RequestStop();
  if (swarm != nullptr) {
    // Saved now, while every contact is still in the table: a round still running fails its
    // requests as the node shuts down, and would drop live peers from it.
    absl::Status saved = swarm->swarm().SaveRoutingTable();
    if (!saved.ok()) LogEvent(LogLevel::kWarn, "swarm.save_failed", {{"status", saved}});
  }
  // Before the API server stops: an API call still running after the grace may be blocked in
  // a swarm operation (a put announcing its content, a get fetching a block), and the server's
  // shutdown waits for it. With the peer calls cancelled the operation ends now; left alone, a
  // node stopped under load waited out lookup after lookup, past Docker's stop timeout.
  watchdog.Step("cancelling peer calls");
  if (swarm != nullptr) swarm->Shutdown();
  watchdog.Step("ending gossip calls");
  if (gossip_transport != nullptr) gossip_transport->Shutdown();
  watchdog.Step("stopping the API server");
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(100));
  server->Wait();
  // Its reads have ended with the peer calls; it refuses new ones (the node is stopping).
  watchdog.Step("stopping the HTTP gateway");
  gateway.reset();
  watchdog.Step("stopping the peer listener");
  if (peer_server != nullptr) peer_server->Shutdown(absl::Seconds(2));
  watchdog.Step("ending the maintenance round");
  housekeeper->Stop();
  loop->Stop();
  housekeeper.reset();
  watchdog.Step("finishing queued work");
  swarm_io.reset();
  pool.reset();  // runs what the finished calls left, then joins
  server.reset();
  swarm.reset();
  peer_server.reset();
  LogEvent(LogLevel::kInfo, "daemon.stopped");
  if (listener_dead) {
    return absl::UnavailableError(
        "a listener stopped accepting connections (too many open files); the node stopped so "
        "that its supervisor can restart it");
  }
  return absl::OkStatus();  // `data` closes the store as it goes out of scope
}

}  // namespace swarmkv
