// PINS <name prefix>: nodes with pins whose names start with the prefix (empty: every pin)
// answer with one item per pin, "<cid> <name>", at most kMaxPinsPerAnswer of them.
#ifndef SWARMKV_PUBSUB_QUERY_KINDS_PINS_H_
#define SWARMKV_PUBSUB_QUERY_KINDS_PINS_H_

#include <cstddef>
#include <memory>

#include "pubsub/query_kind.h"

namespace swarmkv {

// Enough to fill most of one message with typical names; the answer says when it was cut.
inline constexpr size_t kMaxPinsPerAnswer = 500;

std::unique_ptr<QueryKind> MakePinsQuery();

}  // namespace swarmkv

#endif  // SWARMKV_PUBSUB_QUERY_KINDS_PINS_H_
