#include "node/config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "base/host_port.h"
#include "base/status_macros.h"
#include "replication/swarm.h"
#include "toml++/toml.h"

namespace swarmkv {
namespace {

template <typename T>
absl::Status Read(const toml::table& table, const std::string& section, const std::string& key,
                  const std::string& source, T* out) {
  const toml::node* node = table.at_path(section + "." + key).node();
  if (node == nullptr) return absl::OkStatus();
  std::optional<T> value;
  // value_exact: only a node of that very type. value<int64_t>() also converts a float, and
  // casts one out of int64's range with undefined behaviour (fuzz_config: max_chunk_bytes =
  // 2.4e96); value<bool>() and value<std::string>() convert too.
  if constexpr (std::is_same_v<T, uint64_t>) {
    auto v = node->value_exact<int64_t>();
    if (v && *v >= 0) value = static_cast<uint64_t>(*v);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    if (const toml::array* array = node->as_array()) {
      value.emplace();
      for (const toml::node& item : *array) {
        auto s = item.value_exact<std::string>();
        if (!s) {
          value.reset();
          break;
        }
        value->push_back(*s);
      }
    }
  } else {
    value = node->value_exact<T>();
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
      {"api",
       {"listen", "token", "token_file", "insecure_allow_no_token", "max_chunk_bytes",
        "max_concurrent_calls"}},
      {"store",
       {"sync_writes", "quota_bytes", "verify_hash_on_read", "min_free_bytes", "scrub_interval",
        "scrub_max_cpu_percent"}},
      {"log", {"level"}},
      {"http", {"listen"}},
      {"metrics", {"listen"}},
      {"node", {"worker_threads", "convergence_secret_file", "shutdown_grace"}},
      {"records", {"publisher_key"}},
      {"peer",
       {"listen", "bootstrap", "replication_factor", "write_quorum", "maintenance_interval",
        "timeout", "provider_ttl", "max_connections_per_ip"}},
  };
  for (const auto& [section, value] : table) {
    const std::string_view name = section.str();  // a structured binding cannot be captured
    auto known =
        std::find_if(kKnown.begin(), kKnown.end(), [&](const auto& k) { return k.first == name; });
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

absl::Status EnvBool(const char* name, bool* out) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return absl::OkStatus();
  const std::string s = absl::AsciiStrToLower(v);
  if (s == "true" || s == "1") {
    *out = true;
  } else if (s == "false" || s == "0") {
    *out = false;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(name, "=", v, " must be true or false"));
  }
  return absl::OkStatus();
}

void EnvString(const char* name, std::string* out) {
  const char* v = std::getenv(name);
  if (v != nullptr && *v != '\0') *out = v;
}

}  // namespace

bool IsLoopbackListen(const std::string& listen) {
  const std::string host = listen.substr(0, listen.rfind(':'));
  return host == "localhost" || host == "[::1]" || absl::StartsWith(host, "127.");
}

std::string ListenReach(const std::string& listen) {
  if (absl::StartsWith(listen, "unix:")) return "unix socket, owner only";
  if (IsLoopbackListen(listen)) return "this host only";
  const std::string host = listen.substr(0, listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0" || host == "[::]") return "all interfaces";
  return "the network at " + host;
}

std::string DefaultConfigToml() {
  return R"(# swarmkv node configuration.
# Precedence: command-line flags > SWARMKV_* environment variables > this file > defaults.

[api]
# "unix" listens on the socket <data dir>/api.sock (mode 0600). "host:port" listens on TCP;
# on an address other hosts can reach (not 127.x, ::1 or localhost) a token is then required.
listen = "unix"
# Bearer token required on every call when set (env SWARMKV_API_TOKEN).
token = ""
# Or a file holding it, e.g. a mounted secret (env SWARMKV_API_TOKEN_FILE).
token_file = ""
# Serve a TCP API reachable from other hosts without a token: anyone who can reach the port can
# read, write and delete (env SWARMKV_API_INSECURE_ALLOW_NO_TOKEN).
insecure_allow_no_token = false
# Largest chunk one Put message may carry.
max_chunk_bytes = 1048576
# Calls served at once; more are refused with RESOURCE_EXHAUSTED.
max_concurrent_calls = 256

[store]
# fsync the write-ahead log before acknowledging a write.
sync_writes = true
# Garbage-collect unpinned blocks above this many stored bytes (0: never).
quota_bytes = 0
# Re-hash every block read and compare it with its CID. Off, reads rely on the at-rest AEAD
# tag alone (it binds the bytes to their CID under the storage key, so damage on disk is
# caught either way), and the background scrub re-hashes every block instead.
verify_hash_on_read = false
# The scrub: a background pass re-hashes every block against its CID, removes a damaged one
# and fetches it again from a peer. A pass takes at least this long ("0s": no background pass;
# `swarmkv scrub` runs one now) and uses at most this percent of one core.
scrub_interval = "168h"
scrub_max_cpu_percent = 2
# New blocks (puts, peers' copies) are refused with RESOURCE_EXHAUSTED while the disk holding
# the store has less free space than this; reads go on, and writes resume once there is room.
min_free_bytes = 134217728

[log]
# debug, info, warn, error or off.
level = "info"

[http]
# The HTTP gateway (GET /ipfs/<cid>, /swarmkv/<cid>) and Prometheus /metrics: "host:port", a
# port alone for 127.0.0.1:<port>, or "" for none. Other hosts can reach it only with
# api.token set, and must send it. ([metrics] listen is the older name of this setting.)
listen = ""

[node]
# Threads doing store and swarm work (0: 16).
worker_threads = 0
# A file holding the cluster's convergence secret, 64 hex digits (`openssl rand -hex 32`), the
# same on every node so identical content put in convergent mode anywhere gets one CID. Empty:
# the node's own <data dir>/convergence.key (env SWARMKV_CONVERGENCE_SECRET_FILE).
convergence_secret_file = ""
# On SIGTERM, how long calls in flight may finish before the node stops anyway. Keep it well
# under the stop timeout of whatever stops the node (env SWARMKV_SHUTDOWN_GRACE).
shutdown_grace = "5s"

[records]
# A key file made by `swarmkv keygen FILE` whose identity publishes this node's records (several
# nodes of one owner then write one namespace). Empty: the node's own identity.
publisher_key = ""

[peer]
# The TLS peer listener other nodes connect to ("host:port"; port 0 picks a free one), or "off"
# for a node that talks to no one.
listen = "0.0.0.0:7420"
# Nodes to join through: "host:port" or "<node id>@host:port" (env SWARMKV_PEER_BOOTSTRAP,
# comma-separated). With an id, a node presenting another certificate is refused.
bootstrap = []
# Nodes that hold each block.
replication_factor = 3
# Copies (this node's included) a put needs to succeed; at most replication_factor.
write_quorum = 2
# How often blocks are checked, repaired and handed off, and provider records renewed.
maintenance_interval = "60s"
# Deadline of each request to a peer.
timeout = "5s"
# How long provider records live.
provider_ttl = "24h"
# Connections to the peer port one remote address may hold (0: no cap). Each node keeps one
# connection to a peer, so this is the number of nodes that may share one address (a NAT).
max_connections_per_ip = 64
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
  SWARMKV_RETURN_IF_ERROR(Read(table, "api", "token_file", source, &config->api_token_file));
  SWARMKV_RETURN_IF_ERROR(
      Read(table, "api", "insecure_allow_no_token", source, &config->api_insecure_allow_no_token));
  SWARMKV_RETURN_IF_ERROR(
      Read(table, "api", "max_chunk_bytes", source, &config->api_max_chunk_bytes));
  SWARMKV_RETURN_IF_ERROR(
      Read(table, "api", "max_concurrent_calls", source, &config->api_max_concurrent_calls));
  SWARMKV_RETURN_IF_ERROR(Read(table, "store", "sync_writes", source, &config->store_sync_writes));
  SWARMKV_RETURN_IF_ERROR(Read(table, "store", "quota_bytes", source, &config->store_quota_bytes));
  SWARMKV_RETURN_IF_ERROR(
      Read(table, "store", "min_free_bytes", source, &config->store_min_free_bytes));
  SWARMKV_RETURN_IF_ERROR(
      Read(table, "store", "verify_hash_on_read", source, &config->store_verify_hash_on_read));
  SWARMKV_RETURN_IF_ERROR(
      Read(table, "store", "scrub_interval", source, &config->store_scrub_interval));
  SWARMKV_RETURN_IF_ERROR(
      Read(table, "store", "scrub_max_cpu_percent", source, &config->store_scrub_max_cpu_percent));
  SWARMKV_RETURN_IF_ERROR(Read(table, "log", "level", source, &config->log_level));
  SWARMKV_RETURN_IF_ERROR(Read(table, "http", "listen", source, &config->http_listen));
  SWARMKV_RETURN_IF_ERROR(Read(table, "metrics", "listen", source, &config->metrics_listen));
  SWARMKV_RETURN_IF_ERROR(Read(table, "node", "worker_threads", source, &config->worker_threads));
  SWARMKV_RETURN_IF_ERROR(
      Read(table, "node", "convergence_secret_file", source, &config->convergence_secret_file));
  SWARMKV_RETURN_IF_ERROR(Read(table, "node", "shutdown_grace", source, &config->shutdown_grace));
  SWARMKV_RETURN_IF_ERROR(Read(table, "records", "publisher_key", source, &config->publisher_key));
  SWARMKV_RETURN_IF_ERROR(Read(table, "peer", "listen", source, &config->peer_listen));
  SWARMKV_RETURN_IF_ERROR(Read(table, "peer", "bootstrap", source, &config->peer_bootstrap));
  SWARMKV_RETURN_IF_ERROR(
      Read(table, "peer", "replication_factor", source, &config->replication_factor));
  SWARMKV_RETURN_IF_ERROR(Read(table, "peer", "write_quorum", source, &config->write_quorum));
  SWARMKV_RETURN_IF_ERROR(
      Read(table, "peer", "maintenance_interval", source, &config->maintenance_interval));
  SWARMKV_RETURN_IF_ERROR(Read(table, "peer", "timeout", source, &config->peer_timeout));
  SWARMKV_RETURN_IF_ERROR(Read(table, "peer", "provider_ttl", source, &config->provider_ttl));
  SWARMKV_RETURN_IF_ERROR(
      Read(table, "peer", "max_connections_per_ip", source, &config->peer_max_connections_per_ip));
  return absl::OkStatus();
}

absl::Status ApplyConfigFile(NodeConfig* config, const std::string& given_path) {
  const std::string path = given_path.empty() ? config->data_dir + "/config.toml" : given_path;
  std::ifstream in(path);
  if (!in && !given_path.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("config file ", path, " cannot be read"));
  }
  if (!in) return absl::OkStatus();
  std::stringstream text;
  text << in.rdbuf();
  return ApplyConfigToml(text.str(), path, config);
}

absl::Status ApplyEnvironment(NodeConfig* config) {
  EnvString("SWARMKV_API_LISTEN", &config->api_listen);
  EnvString("SWARMKV_API_TOKEN", &config->api_token);
  EnvString("SWARMKV_API_TOKEN_FILE", &config->api_token_file);
  SWARMKV_RETURN_IF_ERROR(
      EnvBool("SWARMKV_API_INSECURE_ALLOW_NO_TOKEN", &config->api_insecure_allow_no_token));
  SWARMKV_RETURN_IF_ERROR(EnvU64("SWARMKV_API_MAX_CHUNK_BYTES", &config->api_max_chunk_bytes));
  SWARMKV_RETURN_IF_ERROR(
      EnvU64("SWARMKV_API_MAX_CONCURRENT_CALLS", &config->api_max_concurrent_calls));
  SWARMKV_RETURN_IF_ERROR(EnvBool("SWARMKV_STORE_SYNC_WRITES", &config->store_sync_writes));
  SWARMKV_RETURN_IF_ERROR(
      EnvBool("SWARMKV_STORE_VERIFY_HASH_ON_READ", &config->store_verify_hash_on_read));
  SWARMKV_RETURN_IF_ERROR(EnvU64("SWARMKV_STORE_QUOTA_BYTES", &config->store_quota_bytes));
  SWARMKV_RETURN_IF_ERROR(EnvU64("SWARMKV_STORE_MIN_FREE_BYTES", &config->store_min_free_bytes));
  EnvString("SWARMKV_STORE_SCRUB_INTERVAL", &config->store_scrub_interval);
  SWARMKV_RETURN_IF_ERROR(
      EnvU64("SWARMKV_STORE_SCRUB_MAX_CPU_PERCENT", &config->store_scrub_max_cpu_percent));
  EnvString("SWARMKV_LOG_LEVEL", &config->log_level);
  EnvString("SWARMKV_HTTP_LISTEN", &config->http_listen);
  EnvString("SWARMKV_METRICS_LISTEN", &config->metrics_listen);
  SWARMKV_RETURN_IF_ERROR(EnvU64("SWARMKV_WORKER_THREADS", &config->worker_threads));
  EnvString("SWARMKV_PEER_LISTEN", &config->peer_listen);
  EnvString("SWARMKV_PUBLISHER_KEY", &config->publisher_key);
  EnvString("SWARMKV_CONVERGENCE_SECRET_FILE", &config->convergence_secret_file);
  EnvString("SWARMKV_SHUTDOWN_GRACE", &config->shutdown_grace);
  if (const char* v = std::getenv("SWARMKV_PEER_BOOTSTRAP"); v != nullptr && *v != '\0') {
    config->peer_bootstrap.clear();
    for (absl::string_view entry : absl::StrSplit(v, ',', absl::SkipWhitespace())) {
      config->peer_bootstrap.emplace_back(absl::StripAsciiWhitespace(entry));
    }
  }
  SWARMKV_RETURN_IF_ERROR(EnvU64("SWARMKV_REPLICATION_FACTOR", &config->replication_factor));
  SWARMKV_RETURN_IF_ERROR(EnvU64("SWARMKV_WRITE_QUORUM", &config->write_quorum));
  EnvString("SWARMKV_MAINTENANCE_INTERVAL", &config->maintenance_interval);
  EnvString("SWARMKV_PEER_TIMEOUT", &config->peer_timeout);
  EnvString("SWARMKV_PROVIDER_TTL", &config->provider_ttl);
  SWARMKV_RETURN_IF_ERROR(
      EnvU64("SWARMKV_PEER_MAX_CONNECTIONS_PER_IP", &config->peer_max_connections_per_ip));
  return absl::OkStatus();
}

absl::Status ValidateConfig(const NodeConfig& config) {
  if (config.api_max_chunk_bytes < 1024 || config.api_max_chunk_bytes > (64u << 20)) {
    return absl::InvalidArgumentError("api.max_chunk_bytes must be between 1024 and 67108864");
  }
  if (config.api_max_concurrent_calls < 1 || config.api_max_concurrent_calls > 100000) {
    return absl::InvalidArgumentError("api.max_concurrent_calls must be between 1 and 100000");
  }
  if (config.store_scrub_max_cpu_percent < 1 || config.store_scrub_max_cpu_percent > 100) {
    return absl::InvalidArgumentError("store.scrub_max_cpu_percent must be between 1 and 100");
  }
  if (config.worker_threads > 256) {
    return absl::InvalidArgumentError("node.worker_threads must be at most 256");
  }
  if (config.peer_listen != "off" && config.peer_listen.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("peer.listen \"", config.peer_listen, "\" must be \"off\" or host:port"));
  }
  if (config.replication_factor < 1 || config.replication_factor > 20) {
    return absl::InvalidArgumentError("peer.replication_factor must be between 1 and 20");
  }
  if (config.write_quorum < 1 || config.write_quorum > config.replication_factor) {
    return absl::InvalidArgumentError(
        "peer.write_quorum must be between 1 and peer.replication_factor");
  }
  struct DurationSetting {
    const char* name;
    const std::string& text;
    absl::Duration minimum;
  };
  for (const DurationSetting& setting :
       {DurationSetting{"peer.maintenance_interval", config.maintenance_interval, absl::Seconds(1)},
        DurationSetting{"peer.timeout", config.peer_timeout, absl::Milliseconds(10)},
        DurationSetting{"peer.provider_ttl", config.provider_ttl, absl::Seconds(2)},
        DurationSetting{"node.shutdown_grace", config.shutdown_grace, absl::ZeroDuration()},
        DurationSetting{"store.scrub_interval", config.store_scrub_interval,
                        absl::ZeroDuration()}}) {
    absl::Duration d;
    if (!absl::ParseDuration(setting.text, &d) || d < setting.minimum ||
        d > absl::Hours(24 * 365)) {
      return absl::InvalidArgumentError(
          absl::StrCat(setting.name, " \"", setting.text,
                       "\" must be a duration like \"30s\" or \"5m\", at least ",
                       absl::FormatDuration(setting.minimum)));
    }
  }
  for (const std::string& entry : config.peer_bootstrap) {
    SWARMKV_RETURN_IF_ERROR(ParseBootstrapEntry(entry).status());
  }
  if (config.api_listen != "unix" && config.api_listen.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("api.listen \"", config.api_listen, "\" must be \"unix\" or host:port"));
  }
  if (config.api_listen != "unix" && config.api_token.empty() &&
      !config.api_insecure_allow_no_token && !IsLoopbackListen(config.api_listen)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "api.listen \"", config.api_listen,
        "\" can be reached from other hosts, and anyone who reaches it could read, write and "
        "delete: set a token (--token, --token-file, SWARMKV_API_TOKEN or "
        "SWARMKV_API_TOKEN_FILE), listen on 127.0.0.1, or, knowingly, "
        "--insecure-allow-api-without-token"));
  }
  if (!config.http_listen.empty() && !config.metrics_listen.empty() &&
      config.http_listen != config.metrics_listen) {
    return absl::InvalidArgumentError(absl::StrCat(
        "http.listen \"", config.http_listen, "\" and metrics.listen \"", config.metrics_listen,
        "\" differ: metrics.listen is the older name of http.listen (/metrics is served there); "
        "keep one"));
  }
  const std::string http = HttpListen(config);
  if (!http.empty() && !ParseHostPort(http).has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("http.listen \"", http, "\" must be host:port or a port"));
  }
  if (!http.empty() && config.api_token.empty() && !config.api_insecure_allow_no_token &&
      !IsLoopbackListen(http)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "http.listen \"", http,
        "\" can be reached from other hosts, and anyone who reaches it could read the content "
        "this node can get: set the API token (its requests must then carry it), listen on "
        "127.0.0.1, or, knowingly, --insecure-allow-api-without-token"));
  }
  return absl::OkStatus();
}

absl::Status LoadTokenFile(NodeConfig* config) {
  if (config->api_token_file.empty()) return absl::OkStatus();
  if (!config->api_token.empty()) {
    return absl::InvalidArgumentError(
        "api.token and api.token_file are both set; keep one (the file is for mounted secrets)");
  }
  std::ifstream in(config->api_token_file);
  std::stringstream text;
  if (in) text << in.rdbuf();
  const std::string token(absl::StripTrailingAsciiWhitespace(text.str()));
  if (!in || token.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("api.token_file \"", config->api_token_file,
                                                   "\" cannot be read or holds no token"));
  }
  config->api_token = token;
  return absl::OkStatus();
}

std::string HttpListen(const NodeConfig& config) {
  const std::string& listen =
      config.http_listen.empty() ? config.metrics_listen : config.http_listen;
  if (!listen.empty() && listen.find(':') == std::string::npos) {
    return absl::StrCat("127.0.0.1:", listen);
  }
  return listen;
}

std::string ApiTarget(const NodeConfig& config) {
  if (config.api_listen == "unix") return absl::StrCat("unix:", config.data_dir, "/api.sock");
  return config.api_listen;
}

}  // namespace swarmkv
