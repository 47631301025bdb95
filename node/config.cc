#include "node/config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "toml++/toml.h"

namespace swarmkv {
namespace {

template <typename T>
absl::Status Read(const toml::table& table, const std::string& section, const std::string& key,
                  const std::string& source, T* out) {
  const toml::node* node = table.at_path(section + "." + key).node();
  if (node == nullptr) return absl::OkStatus();
  std::optional<T> value;
  if constexpr (std::is_same_v<T, uint64_t>) {
    auto v = node->value<int64_t>();
    if (v && *v >= 0) value = static_cast<uint64_t>(*v);
  } else {
    value = node->value<T>();
  }
  if (!value) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": ", section, ".", key, " has the wrong type"));
  }
  *out = *value;
  return absl::OkStatus();
}

absl::Status CheckKnownKeys(const toml::table& table, const std::string& source) {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kKnown = {
      {"api", {"listen", "token", "max_chunk_bytes", "max_concurrent_calls"}},
      {"store", {"sync_writes", "quota_bytes"}},
      {"log", {"level"}},
      {"metrics", {"listen"}},
      {"node", {"worker_threads"}},
  };
  for (const auto& [section, value] : table) {
    auto known = std::find_if(kKnown.begin(), kKnown.end(),
                              [&](const auto& k) { return k.first == section.str(); });
    if (known == kKnown.end() || !value.is_table()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": unknown section [", std::string(section.str()), "]"));
    }
    for (const auto& [key, unused] : *value.as_table()) {
      if (std::find(known->second.begin(), known->second.end(), key.str()) == known->second.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            source, ": unknown key ", std::string(section.str()), ".", std::string(key.str())));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status EnvU64(const char* name, uint64_t* out) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return absl::OkStatus();
  if (!absl::SimpleAtoi(v, out)) {
    return absl::InvalidArgumentError(absl::StrCat(name, "=", v, " is not a whole number"));
  }
  return absl::OkStatus();
}

void EnvString(const char* name, std::string* out) {
  const char* v = std::getenv(name);
  if (v != nullptr && *v != '\0') *out = v;
}

}  // namespace

std::string DefaultConfigToml() {
  return R"(# swarmkv node configuration.
# Precedence: command-line flags > SWARMKV_* environment variables > this file > defaults.

[api]
# "unix" listens on the socket <data dir>/api.sock (mode 0600). "host:port" listens on TCP;
# then set a token unless the address is loopback-only.
listen = "unix"
# Bearer token required on every call when set (env SWARMKV_API_TOKEN).
token = ""
# Largest chunk one Put message may carry.
max_chunk_bytes = 1048576
# Calls served at once; more are refused with RESOURCE_EXHAUSTED.
max_concurrent_calls = 256

[store]
# fsync the write-ahead log before acknowledging a write.
sync_writes = true
# Garbage-collect unpinned blocks above this many stored bytes (0: never).
quota_bytes = 0

[log]
# debug, info, warn, error or off.
level = "info"

[metrics]
# "host:port" serves Prometheus metrics at /metrics; "" turns them off.
listen = ""

[node]
# Threads doing store work (0: one per core).
worker_threads = 0
)";
}

absl::Status ApplyConfigToml(const std::string& toml_text, const std::string& source,
                             NodeConfig* config) {
  toml::table table;
  try {
    table = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << e.source().begin;
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", where.str(), ": ", std::string(e.description())));
  }
  SWARMKV_RETURN_IF_ERROR(CheckKnownKeys(table, source));
  SWARMKV_RETURN_IF_ERROR(Read(table, "api", "listen", source, &config->api_listen));
  SWARMKV_RETURN_IF_ERROR(Read(table, "api", "token", source, &config->api_token));
  SWARMKV_RETURN_IF_ERROR(
      Read(table, "api", "max_chunk_bytes", source, &config->api_max_chunk_bytes));
  SWARMKV_RETURN_IF_ERROR(
      Read(table, "api", "max_concurrent_calls", source, &config->api_max_concurrent_calls));
  SWARMKV_RETURN_IF_ERROR(Read(table, "store", "sync_writes", source, &config->store_sync_writes));
  SWARMKV_RETURN_IF_ERROR(Read(table, "store", "quota_bytes", source, &config->store_quota_bytes));
  SWARMKV_RETURN_IF_ERROR(Read(table, "log", "level", source, &config->log_level));
  SWARMKV_RETURN_IF_ERROR(Read(table, "metrics", "listen", source, &config->metrics_listen));
  SWARMKV_RETURN_IF_ERROR(Read(table, "node", "worker_threads", source, &config->worker_threads));
  return absl::OkStatus();
}

absl::Status ApplyConfigFile(NodeConfig* config) {
  const std::string path = config->data_dir + "/config.toml";
  std::ifstream in(path);
  if (!in) return absl::OkStatus();
  std::stringstream text;
  text << in.rdbuf();
  return ApplyConfigToml(text.str(), path, config);
}

absl::Status ApplyEnvironment(NodeConfig* config) {
  EnvString("SWARMKV_API_LISTEN", &config->api_listen);
  EnvString("SWARMKV_API_TOKEN", &config->api_token);
  SWARMKV_RETURN_IF_ERROR(EnvU64("SWARMKV_API_MAX_CHUNK_BYTES", &config->api_max_chunk_bytes));
  SWARMKV_RETURN_IF_ERROR(
      EnvU64("SWARMKV_API_MAX_CONCURRENT_CALLS", &config->api_max_concurrent_calls));
  if (const char* v = std::getenv("SWARMKV_STORE_SYNC_WRITES"); v != nullptr && *v != '\0') {
    const std::string s = absl::AsciiStrToLower(v);
    if (s == "true" || s == "1") {
      config->store_sync_writes = true;
    } else if (s == "false" || s == "0") {
      config->store_sync_writes = false;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("SWARMKV_STORE_SYNC_WRITES=", v, " must be true or false"));
    }
  }
  SWARMKV_RETURN_IF_ERROR(EnvU64("SWARMKV_STORE_QUOTA_BYTES", &config->store_quota_bytes));
  EnvString("SWARMKV_LOG_LEVEL", &config->log_level);
  EnvString("SWARMKV_METRICS_LISTEN", &config->metrics_listen);
  SWARMKV_RETURN_IF_ERROR(EnvU64("SWARMKV_WORKER_THREADS", &config->worker_threads));
  return absl::OkStatus();
}

absl::Status ValidateConfig(const NodeConfig& config) {
  if (config.api_max_chunk_bytes < 1024 || config.api_max_chunk_bytes > (64u << 20)) {
    return absl::InvalidArgumentError("api.max_chunk_bytes must be between 1024 and 67108864");
  }
  if (config.api_max_concurrent_calls < 1 || config.api_max_concurrent_calls > 100000) {
    return absl::InvalidArgumentError("api.max_concurrent_calls must be between 1 and 100000");
  }
  if (config.worker_threads > 256) {
    return absl::InvalidArgumentError("node.worker_threads must be at most 256");
  }
  if (config.api_listen != "unix" && config.api_listen.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("api.listen \"", config.api_listen, "\" must be \"unix\" or host:port"));
  }
  return absl::OkStatus();
}

std::string ApiTarget(const NodeConfig& config) {
  if (config.api_listen == "unix") return absl::StrCat("unix:", config.data_dir, "/api.sock");
  return config.api_listen;
}

}  // namespace swarmkv
