// The pubsub mesh's and the query engine's counters in the Prometheus text format, for the
// daemon's /metrics beside ApiMetrics.
#ifndef SWARMKV_API_PUBSUB_METRICS_H_
#define SWARMKV_API_PUBSUB_METRICS_H_

#include <string>

#include "pubsub/pubsub.h"
#include "pubsub/query_engine.h"

namespace swarmkv {

std::string RenderPubsubMetrics(const PubsubStats& pubsub, const QueryStats& queries);

}  // namespace swarmkv

#endif  // SWARMKV_API_PUBSUB_METRICS_H_
