// The CLI's client subcommands: each speaks the node's gRPC API (rpc/proto/swarmkv/v1/).
// Output goes to stdout; errors come back as statuses for main() to print as one line.
#ifndef SWARMKV_NODE_CLIENT_COMMANDS_H_
#define SWARMKV_NODE_CLIENT_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"

namespace swarmkv {

struct ApiFlags {
  std::string target;  // "unix:/path/api.sock" or "host:port"
  std::string token;   // bearer token, or empty
  // Answers as JSON, one object per line, with node.proto's field names (docs/cli.md).
  bool json = false;
};

struct PutFlags {
  std::string input = "-";  // a file, or "-" for stdin
  std::string mode = "random";
  uint32_t chunk_size = 0;
  bool pin = true;
  std::string name;
  bool quiet = false;  // no progress line even on a terminal
};

struct GetFlags {
  std::string target;        // CID or capability URI
  std::string output = "-";  // a file, or "-" for stdout
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  bool local_only = false;  // never ask the network
  bool quiet = false;       // no progress line even on a terminal
};

absl::Status RunPut(const ApiFlags& api, const PutFlags& flags);
absl::Status RunGet(const ApiFlags& api, const GetFlags& flags);
absl::Status RunStat(const ApiFlags& api, const std::string& target);
absl::Status RunPin(const ApiFlags& api, const std::string& target, const std::string& name);
absl::Status RunUnpin(const ApiFlags& api, const std::string& target);
absl::Status RunListPins(const ApiFlags& api);
absl::Status RunId(const ApiFlags& api);
absl::Status RunHealth(const ApiFlags& api);
// Runs a whole scrub pass on the node now (no deadline: it reads the whole store) and prints
// what it found. DATA_LOSS, after the report, when blocks were lost.
absl::Status RunScrub(const ApiFlags& api);
// Prints the node's routing table: one "<node id> <address>" line per peer.
absl::Status RunPeers(const ApiFlags& api);
// Publishes `data` (or, with `data` "-", standard input) on `topic`; prints the message id.
absl::Status RunPub(const ApiFlags& api, const std::string& topic, const std::string& data);
// Prints every message on `topic` until interrupted: one line each, the payload as text (a
// JSON object per line with `json`: topic, origin, message_id, data in base64).
absl::Status RunSub(const ApiFlags& api, const std::string& topic, bool json);

struct QueryFlags {
  std::string kind;  // "HAS", "STATS", "PINS"
  std::string argument;
  std::string deadline;  // "2s", "500ms"; empty: the node's default
  uint32_t limit = 0;
  bool json = false;
};
// Asks the swarm and prints the answers as they come: HAS "<node id> pinned|unpinned", PINS
// "<node id> <cid> <name>", STATS a table of every node that answered (after the deadline);
// a JSON object per answer with `json`. A count of the answering nodes goes to stderr.
absl::Status RunQuery(const ApiFlags& api, const QueryFlags& flags);

// Signed records (docs/records.md). `value` "-" reads stdin.
// `secret_file`: a file holding the secret an encrypted record is sealed with (empty: none).
absl::Status RunSet(const ApiFlags& api, const std::string& key, const std::string& value,
                    uint64_t sequence, const std::string& secret_file);
absl::Status RunResolve(const ApiFlags& api, const std::string& name, bool json,
                        const std::string& secret_file);
absl::Status RunUnset(const ApiFlags& api, const std::string& key);
absl::Status RunKeys(const ApiFlags& api, const std::string& prefix, bool json);

}  // namespace swarmkv

#endif  // SWARMKV_NODE_CLIENT_COMMANDS_H_
