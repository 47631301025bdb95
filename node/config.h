// Daemon configuration: defaults, then `<data>/config.toml`, then SWARMKV_* environment
// variables, then command-line flags (each overrides the one before).
#ifndef SWARMKV_NODE_CONFIG_H_
#define SWARMKV_NODE_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace swarmkv {

struct NodeConfig {
  std::string data_dir;
  // "unix" (the socket <data_dir>/api.sock, mode 0600) or "host:port" for TCP.
  std::string api_listen = "unix";
  // For TCP: the bearer token every call must carry. Empty: none (loopback use only).
  std::string api_token;
  // A file holding the token (Compose and Kubernetes secrets); read at start. Not with a token.
  std::string api_token_file;
  // TCP on an address other hosts can reach serves only with a token, unless this is set.
  bool api_insecure_allow_no_token = false;
  uint64_t api_max_chunk_bytes = 1u << 20;
  uint64_t api_max_concurrent_calls = 256;
  bool store_sync_writes = true;
  bool store_verify_hash_on_read = false;
  uint64_t store_quota_bytes = 0;
  // The background scrub (storage/scrubber.h): a pass over every block takes at least this
  // long ("0s": no background scrub), and uses at most this percent of one core.
  std::string store_scrub_interval = "168h";
  uint64_t store_scrub_max_cpu_percent = 2;
  // New blocks are refused while the store's filesystem has less free space than this.
  uint64_t store_min_free_bytes = 128u << 20;
  std::string log_level = "info";
  // The HTTP gateway, dashboard and /metrics (gateway/, docs/gateway.md): "" (off), "host:port",
  // or a port alone for 127.0.0.1:port. An address other hosts can reach needs the API token
  // (or api_insecure_allow_no_token), and its content requests must carry it.
  std::string http_listen;
  // The name /metrics was served under before the gateway: an alias of http_listen.
  std::string metrics_listen;
  // Worker threads for store and swarm work (0: 16, as swarm operations wait on the network).
  uint64_t worker_threads = 0;
  // A file with the cluster's shared convergence secret (node/convergence_secret.h); empty: the
  // node's own <data>/convergence.key.
  std::string convergence_secret_file;
  // On SIGTERM, how long calls in flight may go on before the node stops anyway. Keep it well
  // under the orchestrator's stop timeout (docs/deploy.md).
  std::string shutdown_grace = "5s";

  // Peer networking (the swarm). "host:port" for the TLS peer listener (port 0: any free
  // port), or "off" for a node that talks to no one.
  std::string peer_listen = "0.0.0.0:7420";
  // Nodes to join through: "host:port" or "<node id>@host:port".
  std::vector<std::string> peer_bootstrap;
  // R: nodes that hold each block.
  uint64_t replication_factor = 3;
  // Copies (this node's included) a Put needs; at most R.
  uint64_t write_quorum = 2;
  // How often maintenance runs (repair, hand-off, republish), as an absl duration ("60s").
  std::string maintenance_interval = "60s";
  // Deadline of each request to a peer.
  std::string peer_timeout = "5s";
  // Lifetime of provider records; this node renews its own at half of it.
  std::string provider_ttl = "24h";
  // A key file (`swarmkv keygen`) whose identity publishes this node's records, so several nodes
  // of one owner share a namespace; empty: the node's own identity.
  std::string publisher_key;
  // Established connections to the peer port from one remote address, at most (0: no cap).
  uint64_t peer_max_connections_per_ip = 64;
};

// Where the HTTP gateway listens ("host:port"), or "" when it is off: http_listen, else the
// metrics_listen alias; a port alone is on 127.0.0.1.
std::string HttpListen(const NodeConfig& config);

// Whether a TCP "host:port" is reachable only from this host.
bool IsLoopbackListen(const std::string& listen);
// Who can reach a listener, in words for the start-up log: "unix socket, owner only", "this
// host only", "all interfaces" or "the network at <host>".
std::string ListenReach(const std::string& listen);

// The commented config file `swarmkv init` writes.
std::string DefaultConfigToml();

// Reads `api_token_file` into `api_token` (trailing whitespace dropped). INVALID_ARGUMENT when
// both are set, or the file is unreadable or empty.
absl::Status LoadTokenFile(NodeConfig* config);

// Applies the keys present in the TOML text `toml` (from `source`, for messages) over `config`.
// INVALID_ARGUMENT for a syntax error, an unknown key or a value of the wrong type.
absl::Status ApplyConfigToml(const std::string& toml, const std::string& source,
                             NodeConfig* config);
// Applies `path` (--config, SWARMKV_CONFIG_FILE: INVALID_ARGUMENT when it cannot be read), or
// with an empty `path`, `<data_dir>/config.toml` when it exists.
absl::Status ApplyConfigFile(NodeConfig* config, const std::string& path = "");
// Applies SWARMKV_API_LISTEN, SWARMKV_API_TOKEN, SWARMKV_API_MAX_CHUNK_BYTES,
// SWARMKV_API_MAX_CONCURRENT_CALLS, SWARMKV_STORE_SYNC_WRITES, SWARMKV_STORE_QUOTA_BYTES,
// SWARMKV_LOG_LEVEL, SWARMKV_HTTP_LISTEN, SWARMKV_METRICS_LISTEN, SWARMKV_WORKER_THREADS,
// SWARMKV_PEER_LISTEN, SWARMKV_PEER_BOOTSTRAP (comma-separated), SWARMKV_REPLICATION_FACTOR,
// SWARMKV_WRITE_QUORUM, SWARMKV_MAINTENANCE_INTERVAL, SWARMKV_PEER_TIMEOUT, SWARMKV_PROVIDER_TTL,
// SWARMKV_CONVERGENCE_SECRET_FILE, SWARMKV_SHUTDOWN_GRACE, SWARMKV_STORE_SCRUB_INTERVAL and
// SWARMKV_STORE_SCRUB_MAX_CPU_PERCENT.
absl::Status ApplyEnvironment(NodeConfig* config);
// Checks ranges. INVALID_ARGUMENT naming the setting otherwise.
absl::Status ValidateConfig(const NodeConfig& config);

// The API address clients use for `config`: "unix:<data_dir>/api.sock" or the TCP address.
std::string ApiTarget(const NodeConfig& config);

}  // namespace swarmkv

#endif  // SWARMKV_NODE_CONFIG_H_
