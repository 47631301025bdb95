// `swarmkv daemon`: opens the data directory, serves the API until SIGTERM or SIGINT, then
// stops accepting calls, lets the ones in flight finish (up to a grace period), closes the
// store cleanly and returns.
#ifndef SWARMKV_NODE_DAEMON_H_
#define SWARMKV_NODE_DAEMON_H_

#include "absl/status/status.h"
#include "node/config.h"

namespace swarmkv {

// REQUIRES: called from the main thread before any other thread exists (it blocks SIGTERM and
// SIGINT so that every thread it starts inherits the mask and one thread waits for them).
absl::Status RunDaemon(const NodeConfig& config);

}  // namespace swarmkv

#endif  // SWARMKV_NODE_DAEMON_H_
