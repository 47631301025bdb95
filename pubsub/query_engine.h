// QueryEngine: broadcast queries on the `query` topic and their answers (docs/pubsub.md,
// "Queries"). A node asks by publishing a signed Query (kind, argument, deadline, limit, its
// peer address) on `query`; every node in the mesh gets it once, evaluates it with the kind's
// code from the registry (pubsub/query_kind.h) on its own state, and sends its answer, a Result
// signed by itself, back towards the origin as a DIRECT message on `result`: hop by hop along
// the path the query came (each hop remembers, until the deadline, which neighbour it came
// from), or straight to the origin's address (Route::kDirect). Results are never flooded.
//
// The origin streams answers to the asker as they arrive (one per responder, late ones
// dropped) and ends at the deadline or when `limit` nodes have answered. Its own answer counts.
// Every node checks a query before passing it on: malformed payloads get their sender dropped
// (the mesh's kReject), expired queries and origins over their rate are dropped quietly.
//
// Thread safety: thread-safe; callbacks run on the pubsub node's loop and must not block.
// Evaluation (a store read) runs on `evaluator`. The pubsub node, kinds, subject and evaluator
// must outlive the engine; destroy it after its loop has stopped.
#ifndef SWARMKV_PUBSUB_QUERY_ENGINE_H_
#define SWARMKV_PUBSUB_QUERY_ENGINE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/event_loop.h"
#include "base/executor.h"
#include "base/lifeline.h"
#include "pubsub/pubsub.h"
#include "pubsub/query_kind.h"
#include "rpc/rate_limiter.h"

namespace swarmkv {

inline constexpr char kQueryTopic[] = "query";
inline constexpr char kResultTopic[] = "result";

struct QueryEngineOptions {
  // How results travel back: measured in the simulator (docs/pubsub.md); the reverse path
  // needs no new connection and no reachable origin address.
  enum class Route { kReversePath, kDirect };
  Route route = Route::kReversePath;
  absl::Duration default_deadline = absl::Seconds(2);
  absl::Duration max_deadline = absl::Seconds(60);
  // A query's limit when the asker gives none, and the most it may ask for.
  uint32_t max_limit = 10000;
  // Queries any one origin may have passed on per second (and in a burst), per node.
  RateLimit per_origin{10, 50};
  // Results one hop passes on for one query at most (a hop cannot know who will answer).
  uint32_t max_results_per_route = 10000;
  // Routes remembered at most (one per live query seen).
  size_t max_routes = 100000;
  // Clocks differ: a deadline this far beyond max_deadline is still taken.
  absl::Duration clock_skew = absl::Seconds(5);
  // This node's peer address, put in its queries for kDirect answers ("" when it has none).
  std::string origin_address;
};

struct QueryRequest {
  std::string kind;
  std::string argument;
  absl::Duration deadline = absl::ZeroDuration();  // zero: the default
  uint32_t limit = 0;                              // zero: max_limit
};

struct QueryAnswer {
  NodeId responder;
  std::vector<std::string> items;
  bool truncated = false;
  uint32_t hops = 0;  // links the result crossed (0: this node's own)
};

struct QueryStats {
  uint64_t asked = 0;     // queries this node sent
  uint64_t answered = 0;  // queries this node answered
  uint64_t answers_received = 0;
  uint64_t results_forwarded = 0;
  uint64_t results_late = 0;  // for no live query (after its deadline or limit)
  uint64_t dropped_expired = 0;
  uint64_t dropped_rate = 0;
  uint64_t dropped_malformed = 0;
  uint64_t unknown_kind = 0;
  uint64_t evaluation_errors = 0;
};

class QueryEngine {
 public:
  using AnswerHandler = std::function<void(const QueryAnswer&)>;
  using DoneHandler = std::function<void(absl::Status)>;

  QueryEngine(PubsubNode& pubsub, const QueryKinds& kinds, const QuerySubject& subject,
              Executor& evaluator, QueryEngineOptions options = {});
  ~QueryEngine();

  // Joins the `query` mesh and takes results. Call once, before the first Ask.
  void Start();

  // Checks the request (INVALID_ARGUMENT for an unknown kind, a bad argument, a deadline over
  // the maximum or a limit over it) and sends the query. `on_answer` gets each answer, then
  // `on_done` OK at the deadline or the limit, both on the loop. Returns a ticket for Cancel.
  absl::StatusOr<uint64_t> Ask(const QueryRequest& request, AnswerHandler on_answer,
                               DoneHandler on_done);
  // Stops collecting: `on_done` is not called.
  void Cancel(uint64_t ticket);

  QueryStats stats() const;

 private:
  struct Pending {
    uint64_t ticket = 0;
    uint32_t limit = 0;
    absl::flat_hash_set<NodeId> responders;
    AnswerHandler on_answer;
    DoneHandler on_done;
    TimerId deadline_timer = 0;
  };
  struct RouteBack {
    NodeId via;
    absl::Time until;
    uint32_t forwarded = 0;
  };

  Validation Validate(const GossipMessage& message, absl::Time now);
  void OnQuery(const GossipMessage& message, const std::optional<NodeId>& via);
  void Evaluate(const GossipMessage& query, const QueryKind* kind, const std::string& argument,
                std::optional<Contact> reply_to);
  void OnResult(const GossipMessage& result, const std::optional<NodeId>& from);
  void Finish(const MessageId& id, absl::Status status);
  void ForgetRoutes(absl::Time now);
  template <typename F>
  void Count(F f) {
    absl::MutexLock lock(&mu_);
    f(stats_);
  }

  PubsubNode& pubsub_;
  const QueryKinds& kinds_;
  const QuerySubject& subject_;
  Executor& evaluator_;
  const QueryEngineOptions options_;
  Lifeline lifeline_;

  // On the loop only.
  std::map<MessageId, Pending> pending_;
  absl::flat_hash_map<uint64_t, MessageId> tickets_;
  absl::flat_hash_map<MessageId, RouteBack> routes_;
  std::deque<std::pair<absl::Time, MessageId>> route_order_;
  PeerRateLimiter origin_rates_;

  mutable absl::Mutex mu_;
  uint64_t next_ticket_ ABSL_GUARDED_BY(mu_) = 1;
  QueryStats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace swarmkv

#endif  // SWARMKV_PUBSUB_QUERY_ENGINE_H_
