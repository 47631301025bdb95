// The CLI's commands that work on a data directory directly. The node issue (#3) turns these
// into clients of the daemon's gRPC API; their flags and output stay the same.
#ifndef SWARMKV_NODE_LOCAL_COMMANDS_H_
#define SWARMKV_NODE_LOCAL_COMMANDS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace swarmkv {

struct PutFlags {
  std::string input = "-";  // a file, or "-" for stdin
  std::string mode = "random";
  std::string hash = "sha2-256";
  uint64_t chunk_size = 256u << 10;
  bool pin = true;
  std::string name;
};

struct GetFlags {
  std::string target;        // CID or capability URI
  std::string output = "-";  // a file, or "-" for stdout
  uint64_t offset = 0;
  uint64_t length = UINT64_MAX;
};

absl::Status RunInit(const std::string& data_dir);
absl::Status RunId(const std::string& data_dir);
absl::Status RunPut(const std::string& data_dir, const PutFlags& flags);
absl::Status RunGet(const std::string& data_dir, const GetFlags& flags);
absl::Status RunPin(const std::string& data_dir, const std::string& target,
                    const std::string& name);
absl::Status RunUnpin(const std::string& data_dir, const std::string& target);
absl::Status RunListPins(const std::string& data_dir);
absl::Status RunGc(const std::string& data_dir, uint64_t quota_bytes);

}  // namespace swarmkv

#endif  // SWARMKV_NODE_LOCAL_COMMANDS_H_
