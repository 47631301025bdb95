// swarmkv: the node daemon and its command-line client in one binary.
#include <malloc.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "node/client_commands.h"
#include "node/config.h"
#include "node/daemon.h"
#include "node/data_dir.h"

namespace swarmkv {
namespace {

absl::Status RunInit(const std::string& data_dir) {
  SWARMKV_ASSIGN_OR_RETURN(DataDir dir, DataDir::Open(data_dir));
  const std::string config = data_dir + "/config.toml";
  struct stat st;
  if (stat(config.c_str(), &st) != 0) {
    std::ofstream out(config);
    out << DefaultConfigToml();
    if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot write ", config));
  }
  std::printf("data dir  %s\nconfig    %s\nnode id   %s\n", data_dir.c_str(), config.c_str(),
              dir.identity().node_id().ToString().c_str());
  return absl::OkStatus();
}

}  // namespace
}  // namespace swarmkv

int main(int argc, char** argv) {
  using namespace swarmkv;
  // Debian builds Abseil with the mutex deadlock detector on, which records every lock in a
  // global graph: measurable on every call. Our lock order is kept by design and by tests.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // glibc gives each thread that allocates its own arena, up to 8 per core, and each keeps the
  // memory it freed. The node's worker threads pass 256 KiB chunks around: a 256 MiB API put
  // left the daemon at 148 MiB resident with 16 arenas, 87 MiB with 2, at the same speed.
  mallopt(M_ARENA_MAX, 2);
  CLI::App app{
      "swarmkv: an encrypted, content-addressed peer-to-peer key-value node.\n"
      "Run `swarmkv daemon`, then use the client commands (put, get, ...)."};
  app.require_subcommand(1);
  SetLogLevel(LogLevel::kWarn);  // client commands print results, not the store's events
  NodeConfig config;
  config.data_dir = DefaultDataDir();
  ApiFlags api;
  std::string log_level;
  auto* data_dir_opt =
      app.add_option("--data-dir", config.data_dir, "Data directory (env SWARMKV_DATA_DIR)")
          ->capture_default_str();
  app.add_option("--api", api.target,
                 "Node API address for client commands (default unix:<data-dir>/api.sock; "
                 "env SWARMKV_API)");
  app.add_option("--api-token", api.token, "Bearer token for the API (env SWARMKV_API_TOKEN)");
  app.add_option("--log-level", log_level, "debug, info, warn, error or off");
  app.add_flag("--json", api.json,
               "Client commands print their answers as JSON, one object per line, with the "
               "field names of node.proto (docs/cli.md)");
  (void)data_dir_opt;
  // Global options are accepted after the subcommand too (`swarmkv daemon --data-dir X`).
  app.fallthrough();

  absl::Status status;
  // Client commands resolve their API address once the flags are known.
  auto client = [&](auto run) {
    return [&, run] {
      if (api.target.empty()) {
        const char* env = std::getenv("SWARMKV_API");
        api.target = env != nullptr && *env != '\0' ? env : ApiTarget(config);
      }
      if (api.token.empty()) {
        if (const char* env = std::getenv("SWARMKV_API_TOKEN")) api.token = env;
      }
      status = run();
    };
  };

  app.add_subcommand("init", "Create the data directory, identity, keys and config.toml")
      ->callback([&] { status = RunInit(config.data_dir); });
  std::string keygen_path;
  auto* keygen_cmd = app.add_subcommand(
      "keygen", "Create a publisher key file (0600) for --publisher-key; prints its id");
  keygen_cmd->add_option("file", keygen_path, "Where to write it (never overwritten)")->required();
  keygen_cmd->callback([&] {
    absl::StatusOr<Identity> publisher = Identity::Create(keygen_path);
    status = publisher.status();
    if (status.ok()) std::printf("publisher %s\n", publisher->node_id().ToString().c_str());
  });

  // Daemon flags: only the ones given override the file and the environment.
  NodeConfig flags;
  auto* daemon = app.add_subcommand("daemon", "Run the node (Ctrl-C or SIGTERM stops it)");
  auto* listen_opt =
      daemon->add_option("--listen", flags.api_listen,
                         "API listener: \"unix\" (<data-dir>/api.sock, owner only) or "
                         "host:port (TCP) [env SWARMKV_API_LISTEN]");
  auto* token_opt = daemon->add_option("--token", flags.api_token,
                                       "Bearer token required on every call [SWARMKV_API_TOKEN]");
  auto* token_file_opt = daemon->add_option(
      "--token-file", flags.api_token_file,
      "File holding the bearer token (a mounted secret) [SWARMKV_API_TOKEN_FILE]");
  auto* no_token_opt = daemon->add_flag(
      "--insecure-allow-api-without-token", flags.api_insecure_allow_no_token,
      "Serve a TCP API that other hosts can reach without a token: anyone reaching the port "
      "can read, write and delete [SWARMKV_API_INSECURE_ALLOW_NO_TOKEN]");
  auto* chunk_opt = daemon->add_option("--max-chunk-bytes", flags.api_max_chunk_bytes,
                                       "Largest Put chunk (default 1048576)");
  auto* calls_opt = daemon->add_option("--max-concurrent-calls", flags.api_max_concurrent_calls,
                                       "Calls served at once (default 256)");
  auto* sync_opt = daemon->add_option("--sync-writes", flags.store_sync_writes,
                                      "fsync before acknowledging writes (default true)");
  auto* verify_opt = daemon->add_option(
      "--verify-hash-on-read", flags.store_verify_hash_on_read,
      "Re-hash every block read against its CID (default false: reads rely on the at-rest AEAD "
      "tag, and the background scrub re-hashes every block)");
  auto* quota_opt = daemon->add_option("--quota-bytes", flags.store_quota_bytes,
                                       "GC unpinned blocks above this many bytes (default 0: off)");
  auto* min_free_opt = daemon->add_option(
      "--min-free-bytes", flags.store_min_free_bytes,
      "Refuse new blocks while the disk has less free space than this (default 134217728)");
  auto* scrub_opt = daemon->add_option(
      "--scrub-interval", flags.store_scrub_interval,
      "A background scrub pass over every block takes at least this long; 0s: none (default "
      "168h) [SWARMKV_STORE_SCRUB_INTERVAL]");
  auto* http_opt = daemon->add_option(
      "--http-listen", flags.http_listen,
      "HTTP gateway (/ipfs/<cid>, /swarmkv/<cid>) and Prometheus /metrics: host:port, or a port "
      "for 127.0.0.1 (default off) [SWARMKV_HTTP_LISTEN]");
  auto* metrics_opt = daemon->add_option("--metrics-listen", flags.metrics_listen,
                                         "The older name of --http-listen");
  auto* workers_opt = daemon->add_option("--worker-threads", flags.worker_threads,
                                         "Threads for store and swarm work (default 16)");
  auto* peer_listen_opt =
      daemon->add_option("--peer-listen", flags.peer_listen,
                         "TLS peer listener host:port (port 0: any free port), or \"off\" "
                         "(default 0.0.0.0:7420) [SWARMKV_PEER_LISTEN]");
  auto* bootstrap_opt = daemon->add_option("--bootstrap", flags.peer_bootstrap,
                                           "Node to join through, host:port or <node "
                                           "id>@host:port; repeatable [SWARMKV_PEER_BOOTSTRAP]");
  auto* replication_opt = daemon->add_option("--replication-factor", flags.replication_factor,
                                             "Nodes holding each block (default 3)");
  auto* quorum_opt = daemon->add_option("--write-quorum", flags.write_quorum,
                                        "Copies, this node's included, a put needs (default 2)");
  auto* maintenance_opt =
      daemon->add_option("--maintenance-interval", flags.maintenance_interval,
                         "How often blocks are repaired and handed off, e.g. 60s (default 60s)");
  auto* peer_timeout_opt = daemon->add_option("--peer-timeout", flags.peer_timeout,
                                              "Deadline of each peer request (default 5s)");
  auto* provider_ttl_opt = daemon->add_option("--provider-ttl", flags.provider_ttl,
                                              "Lifetime of provider records (default 24h)");
  auto* publisher_opt = daemon->add_option(
      "--publisher-key", flags.publisher_key,
      "Key file (swarmkv keygen) that publishes this node's records (default: the node's "
      "identity) [SWARMKV_PUBLISHER_KEY]");
  auto* per_ip_opt = daemon->add_option(
      "--peer-max-connections-per-ip", flags.peer_max_connections_per_ip,
      "Connections to the peer port one remote address may hold, 0 for no cap (default 64)");
  auto* convergence_opt = daemon->add_option(
      "--convergence-secret-file", flags.convergence_secret_file,
      "File with the cluster's convergence secret, 64 hex digits (default: the node's own "
      "<data-dir>/convergence.key) [SWARMKV_CONVERGENCE_SECRET_FILE]");
  auto* grace_opt = daemon->add_option(
      "--shutdown-grace", flags.shutdown_grace,
      "On SIGTERM, how long calls in flight may finish (default 5s) [SWARMKV_SHUTDOWN_GRACE]");
  std::string config_file;
  if (const char* env = std::getenv("SWARMKV_CONFIG_FILE")) config_file = env;
  daemon->add_option("--config", config_file,
                     "Config file to read instead of <data-dir>/config.toml (a mounted ConfigMap) "
                     "[SWARMKV_CONFIG_FILE]");
  daemon->callback([&] {
    status = ApplyConfigFile(&config, config_file);
    if (status.ok()) status = ApplyEnvironment(&config);
    if (!status.ok()) return;
    if (*listen_opt) config.api_listen = flags.api_listen;
    if (*token_opt) config.api_token = flags.api_token;
    if (*token_file_opt) config.api_token_file = flags.api_token_file;
    if (*no_token_opt) config.api_insecure_allow_no_token = flags.api_insecure_allow_no_token;
    if (*chunk_opt) config.api_max_chunk_bytes = flags.api_max_chunk_bytes;
    if (*calls_opt) config.api_max_concurrent_calls = flags.api_max_concurrent_calls;
    if (*sync_opt) config.store_sync_writes = flags.store_sync_writes;
    if (*quota_opt) config.store_quota_bytes = flags.store_quota_bytes;
    if (*min_free_opt) config.store_min_free_bytes = flags.store_min_free_bytes;
    if (*verify_opt) config.store_verify_hash_on_read = flags.store_verify_hash_on_read;
    if (*scrub_opt) config.store_scrub_interval = flags.store_scrub_interval;
    if (*http_opt) config.http_listen = flags.http_listen;
    if (*metrics_opt) config.metrics_listen = flags.metrics_listen;
    if (*workers_opt) config.worker_threads = flags.worker_threads;
    if (*peer_listen_opt) config.peer_listen = flags.peer_listen;
    if (*bootstrap_opt) config.peer_bootstrap = flags.peer_bootstrap;
    if (*replication_opt) config.replication_factor = flags.replication_factor;
    if (*quorum_opt) config.write_quorum = flags.write_quorum;
    if (*maintenance_opt) config.maintenance_interval = flags.maintenance_interval;
    if (*peer_timeout_opt) config.peer_timeout = flags.peer_timeout;
    if (*provider_ttl_opt) config.provider_ttl = flags.provider_ttl;
    if (*per_ip_opt) config.peer_max_connections_per_ip = flags.peer_max_connections_per_ip;
    if (*publisher_opt) config.publisher_key = flags.publisher_key;
    if (*convergence_opt) config.convergence_secret_file = flags.convergence_secret_file;
    if (*grace_opt) config.shutdown_grace = flags.shutdown_grace;
    if (!log_level.empty()) config.log_level = log_level;
    status = SetLogLevel(config.log_level);
    if (status.ok()) status = RunDaemon(config);
  });

  PutFlags put;
  auto* put_cmd = app.add_subcommand("put", "Store a file (or stdin); prints its capability URI");
  put_cmd->add_option("input", put.input, "File to store, or - for stdin")->capture_default_str();
  put_cmd->add_option("--mode", put.mode, "Encryption: random, convergent or plain")
      ->capture_default_str();
  put_cmd->add_option("--chunk-size", put.chunk_size, "Bytes per block (default 262144)");
  put_cmd->add_option("--name", put.name, "Name recorded with the pin");
  bool no_pin = false;
  put_cmd->add_flag("--no-pin", no_pin, "Do not pin (garbage collection may remove it)");
  put_cmd->add_flag("-q,--quiet", put.quiet,
                    "No progress line (shown on a terminal only, for inputs past 8 MiB)");
  put_cmd->callback(client([&] {
    put.pin = !no_pin;
    return RunPut(api, put);
  }));

  GetFlags get;
  auto* get_cmd = app.add_subcommand("get", "Write content to stdout or a file");
  get_cmd->add_option("target", get.target, "CID or capability URI (swarmkv://<cid>#<key>)")
      ->required();
  get_cmd->add_option("-o,--output", get.output, "Output file, or - for stdout")
      ->capture_default_str();
  get_cmd->add_option("--offset", get.offset, "First byte to return");
  get_cmd->add_flag("--local", get.local_only, "Only from this node's store; never ask the swarm");
  get_cmd->add_flag("-q,--quiet", get.quiet, "No progress line");
  uint64_t length = 0;
  auto* length_opt = get_cmd->add_option("--length", length, "Bytes to return");
  get_cmd->callback(client([&] {
    if (*length_opt) get.length = length;
    return RunGet(api, get);
  }));

  std::string target, name;
  auto* stat_cmd = app.add_subcommand("stat", "What the node knows about a CID");
  stat_cmd->add_option("target", target, "CID or capability URI")->required();
  stat_cmd->callback(client([&] { return RunStat(api, target); }));
  auto* pin_cmd = app.add_subcommand("pin", "Pin content so garbage collection keeps it");
  pin_cmd->add_option("target", target, "CID or capability URI")->required();
  pin_cmd->add_option("--name", name, "Name recorded with the pin");
  pin_cmd->callback(client([&] { return RunPin(api, target, name); }));
  auto* unpin_cmd = app.add_subcommand("unpin", "Release a pin");
  unpin_cmd->add_option("target", target, "CID or capability URI")->required();
  unpin_cmd->callback(client([&] { return RunUnpin(api, target); }));
  app.add_subcommand("ls", "List pinned content")->callback(client([&] {
    return RunListPins(api);
  }));
  app.add_subcommand("id", "The node's id, version, addresses and store figures")
      ->callback(client([&] { return RunId(api); }));
  app.add_subcommand("peers", "List the nodes this node knows (its routing table)")
      ->callback(client([&] { return RunPeers(api); }));
  app.add_subcommand("health", "Ask the node whether it is serving")->callback(client([&] {
    return RunHealth(api);
  }));
  app.add_subcommand("scrub",
                     "Re-hash every stored block now; repair damaged ones from peers and report")
      ->callback(client([&] { return RunScrub(api); }));

  std::string topic, data = "-";
  bool json = false;
  auto* pub_cmd = app.add_subcommand("pub", "Publish a message on a topic; prints its id");
  pub_cmd->add_option("topic", topic, "Topic (1 to 256 bytes)")->required();
  pub_cmd->add_option("data", data, "The message, or - for stdin")->capture_default_str();
  pub_cmd->callback(client([&] { return RunPub(api, topic, data); }));
  auto* sub_cmd = app.add_subcommand("sub", "Print every message on a topic until interrupted");
  sub_cmd->add_option("topic", topic, "Topic (1 to 256 bytes)")->required();
  sub_cmd->add_flag("--json", json, "One JSON object per message (data in base64)");
  sub_cmd->callback(client([&] { return RunSub(api, topic, json || api.json); }));

  std::string record_key, record_value = "-";
  uint64_t record_sequence = 0;
  auto* set_cmd = app.add_subcommand("set", "Publish a signed record under one of your keys");
  set_cmd->add_option("key", record_key, "Key (UTF-8, up to 256 bytes)")->required();
  set_cmd->add_option("value", record_value, "Value (up to 64 KiB), or - for stdin")
      ->capture_default_str();
  set_cmd->add_option("--sequence", record_sequence,
                      "Sequence number (default: one above the highest the swarm has)");
  std::string secret_file;
  set_cmd->add_option("--encrypt", secret_file,
                      "Seal the value under a secret read from this file (16 to 64 bytes, e.g. "
                      "head -c 32 /dev/urandom > FILE): nodes that store it see only ciphertext");
  set_cmd->callback(
      client([&] { return RunSet(api, record_key, record_value, record_sequence, secret_file); }));
  auto* resolve_cmd = app.add_subcommand("resolve", "Print the value of a record");
  resolve_cmd->add_option("name", record_key, "<publisher id>/<key>, or one of your keys")
      ->required();
  resolve_cmd->add_flag("--json", json, "Sequence, publisher and expiry too (value in base64)");
  resolve_cmd->add_option("--secret", secret_file,
                          "File with the secret an encrypted record was set with");
  resolve_cmd->callback(
      client([&] { return RunResolve(api, record_key, json || api.json, secret_file); }));
  auto* unset_cmd = app.add_subcommand("unset", "Delete one of your records (a signed tombstone)");
  unset_cmd->add_option("key", record_key, "Key")->required();
  unset_cmd->callback(client([&] { return RunUnset(api, record_key); }));
  std::string keys_prefix;
  auto* keys_cmd = app.add_subcommand("keys", "List your records held by this node");
  keys_cmd->add_option("prefix", keys_prefix, "Key prefix (default: all)");
  keys_cmd->add_flag("--json", json, "One JSON object per record (value in base64)");
  keys_cmd->callback(client([&] { return RunKeys(api, keys_prefix, json || api.json); }));

  QueryFlags query;
  auto* query_cmd = app.add_subcommand("query", "Ask every node of the swarm; print the answers");
  query_cmd->require_subcommand(1);
  auto query_options = [&](CLI::App* cmd) {
    cmd->add_option("--deadline", query.deadline,
                    "How long to collect answers (default 2s, at most 60s)");
    cmd->add_option("--limit", query.limit, "Stop after this many nodes have answered");
    cmd->add_flag("--json", query.json, "One JSON object per answer");
  };
  auto* has_cmd = query_cmd->add_subcommand("has", "Which nodes hold a block");
  has_cmd->add_option("cid", query.argument, "CID of the block")->required();
  query_options(has_cmd);
  has_cmd->callback(client([&] {
    query.kind = "HAS";
    return RunQuery(api, query);
  }));
  auto* stats_cmd = query_cmd->add_subcommand("stats", "Every node's figures, as a table");
  query_options(stats_cmd);
  stats_cmd->callback(client([&] {
    query.kind = "STATS";
    return RunQuery(api, query);
  }));
  auto* pins_cmd = query_cmd->add_subcommand("pins", "Pins whose names start with a prefix");
  pins_cmd->add_option("prefix", query.argument, "Name prefix (empty: every pin)");
  query_options(pins_cmd);
  pins_cmd->callback(client([&] {
    query.kind = "PINS";
    return RunQuery(api, query);
  }));
  auto* keys_query_cmd = query_cmd->add_subcommand("keys", "Record names the swarm holds");
  keys_query_cmd->add_option("prefix", query.argument, "Key or name prefix (empty: every record)");
  query_options(keys_query_cmd);
  keys_query_cmd->callback(client([&] {
    query.kind = "KEYS";
    return RunQuery(api, query);
  }));

  app.parse_complete_callback([&] {
    if (!log_level.empty()) {
      absl::Status st = SetLogLevel(log_level);
      if (!st.ok()) throw CLI::ValidationError("--log-level", std::string(st.message()));
    }
  });
  CLI11_PARSE(app, argc, argv);
  if (!status.ok()) {
    std::fprintf(stderr, "swarmkv: error: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
