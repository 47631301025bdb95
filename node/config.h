// Daemon configuration: defaults, then `<data>/config.toml`, then SWARMKV_* environment
// variables, then command-line flags (each overrides the one before).
#ifndef SWARMKV_NODE_CONFIG_H_
#define SWARMKV_NODE_CONFIG_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace swarmkv {

struct NodeConfig {
  std::string data_dir;
  // "unix" (the socket <data_dir>/api.sock, mode 0600) or "host:port" for TCP.
  std::string api_listen = "unix";
  // For TCP: the bearer token every call must carry. Empty: none (loopback use only).
  std::string api_token;
  uint64_t api_max_chunk_bytes = 1u << 20;
  uint64_t api_max_concurrent_calls = 256;
  bool store_sync_writes = true;
  uint64_t store_quota_bytes = 0;
  std::string log_level = "info";
  // "" (off) or "host:port" for the Prometheus /metrics endpoint.
  std::string metrics_listen;
  // Worker threads for store work (0: one per core).
  uint64_t worker_threads = 0;
};

// The commented config file `swarmkv init` writes.
std::string DefaultConfigToml();

// Applies the keys present in the TOML text `toml` (from `source`, for messages) over `config`.
// INVALID_ARGUMENT for a syntax error, an unknown key or a value of the wrong type.
absl::Status ApplyConfigToml(const std::string& toml, const std::string& source,
                             NodeConfig* config);
// Applies `<data_dir>/config.toml` when it exists.
absl::Status ApplyConfigFile(NodeConfig* config);
// Applies SWARMKV_API_LISTEN, SWARMKV_API_TOKEN, SWARMKV_API_MAX_CHUNK_BYTES,
// SWARMKV_API_MAX_CONCURRENT_CALLS, SWARMKV_STORE_SYNC_WRITES, SWARMKV_STORE_QUOTA_BYTES,
// SWARMKV_LOG_LEVEL, SWARMKV_METRICS_LISTEN and SWARMKV_WORKER_THREADS.
absl::Status ApplyEnvironment(NodeConfig* config);
// Checks ranges. INVALID_ARGUMENT naming the setting otherwise.
absl::Status ValidateConfig(const NodeConfig& config);

// The API address clients use for `config`: "unix:<data_dir>/api.sock" or the TCP address.
std::string ApiTarget(const NodeConfig& config);

}  // namespace swarmkv

#endif  // SWARMKV_NODE_CONFIG_H_
