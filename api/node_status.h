// What the node says about itself and its content, as API messages: filled once here for every
// front end (the Node service, the dashboard's status in gateway/).
#ifndef SWARMKV_API_NODE_STATUS_H_
#define SWARMKV_API_NODE_STATUS_H_

#include "absl/status/status.h"
#include "api/service_context.h"
#include "swarmkv/v1/node.pb.h"

namespace swarmkv {

// Identity, version, addresses, store figures, known peers and the scrub's counts.
void FillInfo(const ServiceContext& context, v1::InfoResponse* response);
// The routing table; UNAVAILABLE when peer networking is off.
absl::Status FillPeers(const ServiceContext& context, v1::PeersResponse* response);
// What this node's store knows about `root` (present, pinned, size, mode, blocks).
absl::Status FillStat(BlockStore& store, const Cid& root, v1::StatResponse* response);
void FillScrubCounts(const ScrubCounts& counts, v1::ScrubCounts* out);

}  // namespace swarmkv

#endif  // SWARMKV_API_NODE_STATUS_H_
