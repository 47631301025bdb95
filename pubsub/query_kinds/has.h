// HAS <cid>: answered only by the nodes that hold the block, pinned or not; items
// "cid=<cid>" and "pinned=true|false".
#ifndef SWARMKV_PUBSUB_QUERY_KINDS_HAS_H_
#define SWARMKV_PUBSUB_QUERY_KINDS_HAS_H_

#include <memory>

#include "pubsub/query_kind.h"

namespace swarmkv {

std::unique_ptr<QueryKind> MakeHasQuery();

}  // namespace swarmkv

#endif  // SWARMKV_PUBSUB_QUERY_KINDS_HAS_H_
