#include "api/pubsub_metrics.h"

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace swarmkv {
namespace {

// One counter family: `# HELP`, `# TYPE` and a sample per label value ("" for none).
void Counter(std::string* out, const std::string& name, const std::string& help,
             const std::string& label,
             const std::vector<std::pair<std::string, uint64_t>>& samples) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " counter\n");
  for (const auto& [value, count] : samples) {
    if (label.empty()) {
      absl::StrAppend(out, name, " ", count, "\n");
    } else {
      absl::StrAppend(out, name, "{", label, "=\"", value, "\"} ", count, "\n");
    }
  }
}

}  // namespace

std::string RenderPubsubMetrics(const PubsubStats& pubsub, const QueryStats& queries) {
  const PlumtreeStats& mesh = pubsub.mesh;
  std::string out;
  Counter(&out, "swarmkv_pubsub_published_total", "Messages this node published.", "",
          {{"", mesh.published}});
  Counter(&out, "swarmkv_pubsub_delivered_total",
          "Messages handed to this node's subscribers (its own included).", "",
          {{"", mesh.delivered}});
  Counter(&out, "swarmkv_pubsub_received_total", "Payload copies received, duplicates included.",
          "", {{"", mesh.gossip_received}});
  Counter(&out, "swarmkv_pubsub_duplicates_total", "Payload copies received more than once.", "",
          {{"", mesh.duplicates}});
  Counter(&out, "swarmkv_pubsub_forwarded_total", "Payload copies sent to peers.", "",
          {{"", mesh.forwarded}});
  Counter(&out, "swarmkv_pubsub_control_total", "Repair traffic sent, by kind.", "kind",
          {{"ihave_id", mesh.ihave_ids_sent},
           {"graft", mesh.grafts_sent},
           {"prune", mesh.prunes_sent}});
  Counter(&out, "swarmkv_pubsub_dropped_total", "Frames and messages dropped, by cause.", "cause",
          {{"invalid", mesh.dropped_invalid},
           {"not_member", mesh.dropped_not_member},
           {"validator", mesh.dropped_by_validator},
           {"queue_full", pubsub.dropped_queue_full},
           {"ignored_peer", pubsub.dropped_ignored},
           {"send_failed", pubsub.send_failures}});
  Counter(&out, "swarmkv_queries_asked_total", "Broadcast queries this node sent.", "",
          {{"", queries.asked}});
  Counter(&out, "swarmkv_queries_answered_total", "Queries this node answered.", "",
          {{"", queries.answered}});
  Counter(&out, "swarmkv_query_answers_received_total", "Answers to this node's queries.", "",
          {{"", queries.answers_received}});
  Counter(&out, "swarmkv_query_results_forwarded_total",
          "Other nodes' answers passed on towards their origin.", "",
          {{"", queries.results_forwarded}});
  Counter(&out, "swarmkv_queries_dropped_total", "Queries and results dropped, by cause.", "cause",
          {{"expired", queries.dropped_expired},
           {"origin_rate", queries.dropped_rate},
           {"malformed", queries.dropped_malformed},
           {"unknown_kind", queries.unknown_kind},
           {"late_result", queries.results_late},
           {"evaluation_error", queries.evaluation_errors}});
  return out;
}

}  // namespace swarmkv
