// STATS: every node answers with its figures, one "name=value" item each: version, blocks,
// stored_bytes, pinned_roots, peers.
#ifndef SWARMKV_PUBSUB_QUERY_KINDS_STATS_H_
#define SWARMKV_PUBSUB_QUERY_KINDS_STATS_H_

#include <memory>

#include "pubsub/query_kind.h"

namespace swarmkv {

std::unique_ptr<QueryKind> MakeStatsQuery();

}  // namespace swarmkv

#endif  // SWARMKV_PUBSUB_QUERY_KINDS_STATS_H_
