// KEYS <prefix>: nodes holding signed records (records/) whose key, or whole name, starts with
// the prefix answer with one item per record, its name "<publisher id>/<key>", at most
// kMaxKeysPerAnswer of them. `swarmkv query keys app/` lists the keys the swarm knows.
#ifndef SWARMKV_PUBSUB_QUERY_KINDS_KEYS_H_
#define SWARMKV_PUBSUB_QUERY_KINDS_KEYS_H_

#include <cstddef>
#include <memory>

#include "pubsub/query_kind.h"

namespace swarmkv {

// Names are up to about 320 bytes: 500 fill most of one message; the answer says when cut.
inline constexpr size_t kMaxKeysPerAnswer = 500;

std::unique_ptr<QueryKind> MakeKeysQuery();

}  // namespace swarmkv

#endif  // SWARMKV_PUBSUB_QUERY_KINDS_KEYS_H_
