#include "pubsub/query_engine.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "swarmkv/peer/v1/gossip.pb.h"

namespace swarmkv {
namespace {

// Bounds on a query's fields, checked by every node (the payload is at most 64 KiB anyway).
constexpr size_t kMaxKindBytes = 32;
constexpr size_t kMaxArgumentBytes = 1024;
constexpr size_t kMaxAddressBytes = 256;
// Room left in a result message for everything but its items.
constexpr size_t kResultOverheadBytes = 256;

absl::Time FromUnixMillis(int64_t ms) { return absl::FromUnixMillis(ms); }

absl::StatusOr<peer::v1::QueryPayload> DecodeQuery(const GossipMessage& message) {
  peer::v1::QueryPayload query;
  if (!query.ParseFromString(message.payload)) {
    return absl::InvalidArgumentError("a query's payload does not parse");
  }
  if (query.kind().empty() || query.kind().size() > kMaxKindBytes ||
      query.argument().size() > kMaxArgumentBytes ||
      query.origin_address().size() > kMaxAddressBytes) {
    return absl::InvalidArgumentError("a query field is over its limit");
  }
  return query;
}

}  // namespace

QueryEngine::QueryEngine(PubsubNode& pubsub, const QueryKinds& kinds, const QuerySubject& subject,
                         Executor& evaluator, QueryEngineOptions options)
    : pubsub_(pubsub),
      kinds_(kinds),
      subject_(subject),
      evaluator_(evaluator),
      options_(std::move(options)),
      origin_rates_(PeerRateLimits{options_.per_origin, RateLimit{1e12, 1e12}, 4096}) {}

QueryEngine::~QueryEngine() { lifeline_.Close(); }

void QueryEngine::Start() {
  pubsub_.SetValidator(kQueryTopic, [this](const GossipMessage& message, absl::Time now) {
    return Validate(message, now);
  });
  pubsub_.SetDirectHandler(
      [this](const GossipMessage& message, const NodeId& from) { OnResult(message, from); });
  // The engine's own subscription: every node evaluates every query.
  pubsub_
      .SubscribeRouted(kQueryTopic,
                       [this](const GossipMessage& message, const std::optional<NodeId>& via) {
                         OnQuery(message, via);
                       })
      .IgnoreError();  // a valid topic
}

absl::StatusOr<uint64_t> QueryEngine::Ask(const QueryRequest& request, AnswerHandler on_answer,
                                          DoneHandler on_done) {
  const QueryKind* kind = kinds_.Find(request.kind);
  if (kind == nullptr) {
    std::string known;
    for (const std::string& name : kinds_.names())
      absl::StrAppend(&known, known.empty() ? "" : ", ", name);
    return absl::InvalidArgumentError(
        absl::StrCat("unknown query kind \"", request.kind, "\"; this node knows ", known));
  }
  if (absl::Status valid = kind->CheckArgument(request.argument); !valid.ok()) return valid;
  if (request.argument.size() > kMaxArgumentBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("a query's argument is at most ", kMaxArgumentBytes, " bytes"));
  }
  const absl::Duration deadline =
      request.deadline == absl::ZeroDuration() ? options_.default_deadline : request.deadline;
  if (deadline < absl::ZeroDuration() || deadline > options_.max_deadline) {
    return absl::InvalidArgumentError(absl::StrCat("a query's deadline is at most ",
                                                   absl::FormatDuration(options_.max_deadline)));
  }
  if (request.limit > options_.max_limit) {
    return absl::InvalidArgumentError(
        absl::StrCat("a query's limit is at most ", options_.max_limit, " answers"));
  }
  const absl::Time ends = pubsub_.loop().clock().Now() + deadline;
  peer::v1::QueryPayload payload;
  payload.set_kind(absl::AsciiStrToUpper(request.kind));
  payload.set_argument(request.argument);
  payload.set_origin_address(options_.origin_address);
  payload.set_deadline_unix_ms(absl::ToUnixMillis(ends));
  payload.set_limit(request.limit);
  GossipMessage message = SignMessage(pubsub_.identity(), pubsub_.NextSequence(), kQueryTopic,
                                      payload.SerializeAsString());
  const MessageId id = message.id();
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    ticket = next_ticket_++;
    ++stats_.asked;
  }
  // Registered before the query goes out (the loop runs posts in order), so even this node's
  // own answer finds it.
  pubsub_.loop().Post(lifeline_.Guard(
      [this, id, ticket, ends, limit = request.limit == 0 ? options_.max_limit : request.limit,
       on_answer = std::move(on_answer), on_done = std::move(on_done)]() mutable {
        Pending& pending = pending_[id];
        pending.ticket = ticket;
        pending.limit = limit;
        pending.on_answer = std::move(on_answer);
        pending.on_done = std::move(on_done);
        pending.deadline_timer = pubsub_.loop().RunAt(
            ends, lifeline_.Guard([this, id] { Finish(id, absl::OkStatus()); }));
        tickets_.insert_or_assign(ticket, id);
      }));
  pubsub_.PublishSigned(std::move(message));
  return ticket;
}

void QueryEngine::Cancel(uint64_t ticket) {
  pubsub_.loop().Post(lifeline_.Guard([this, ticket] {
    auto it = tickets_.find(ticket);
    if (it == tickets_.end()) return;
    auto pending = pending_.find(it->second);
    if (pending != pending_.end()) {
      pubsub_.loop().Cancel(pending->second.deadline_timer);
      pending_.erase(pending);
    }
    tickets_.erase(it);
  }));
}

void QueryEngine::Finish(const MessageId& id, absl::Status status) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  Pending pending = std::move(it->second);
  pending_.erase(it);
  tickets_.erase(pending.ticket);
  pubsub_.loop().Cancel(pending.deadline_timer);
  pending.on_done(std::move(status));
}

Validation QueryEngine::Validate(const GossipMessage& message, absl::Time now) {
  absl::StatusOr<peer::v1::QueryPayload> query = DecodeQuery(message);
  if (!query.ok()) {
    Count([](QueryStats& s) { ++s.dropped_malformed; });
    return Validation::kReject;  // no honest node passes on what it cannot parse
  }
  // Deadlines and rates: honest forwarders may disagree (clocks, timing), so never kReject.
  const absl::Time deadline = FromUnixMillis(query->deadline_unix_ms());
  if (deadline <= now || deadline > now + options_.max_deadline + options_.clock_skew) {
    Count([](QueryStats& s) { ++s.dropped_expired; });
    return Validation::kIgnore;
  }
  if (!origin_rates_.Allow(message.origin(), 0, now)) {
    Count([](QueryStats& s) { ++s.dropped_rate; });
    return Validation::kIgnore;
  }
  return Validation::kAccept;
}

void QueryEngine::OnQuery(const GossipMessage& message, const std::optional<NodeId>& via) {
  absl::StatusOr<peer::v1::QueryPayload> query = DecodeQuery(message);
  if (!query.ok()) return;  // this node's own queries parse; others passed Validate
  const absl::Time now = pubsub_.loop().clock().Now();
  const absl::Time deadline = FromUnixMillis(query->deadline_unix_ms());
  std::optional<Contact> reply_to;
  if (via.has_value()) {
    ForgetRoutes(now);
    if (routes_.size() >= options_.max_routes && !route_order_.empty()) {
      routes_.erase(route_order_.front().second);
      route_order_.pop_front();
    }
    routes_.insert_or_assign(message.id(), RouteBack{*via, deadline, 0});
    route_order_.emplace_back(deadline, message.id());
    if (options_.route == QueryEngineOptions::Route::kDirect && !query->origin_address().empty()) {
      reply_to = Contact{message.origin(), query->origin_address(), absl::InfinitePast()};
    } else {
      reply_to = Contact{*via, "", absl::InfinitePast()};  // a neighbour: its address is known
    }
  }
  const QueryKind* kind = kinds_.Find(query->kind());
  if (kind == nullptr) {
    // A kind from a newer node: passed on (the mesh did that already), not answered.
    Count([](QueryStats& s) { ++s.unknown_kind; });
    return;
  }
  Evaluate(message, kind, query->argument(), std::move(reply_to));
}

void QueryEngine::Evaluate(const GossipMessage& query, const QueryKind* kind,
                           const std::string& argument, std::optional<Contact> reply_to) {
  const MessageId id = query.id();
  // The store is read off the loop; the answer is signed there too.
  evaluator_.Post(lifeline_.Guard([this, kind, id, argument, reply_to = std::move(reply_to)] {
    if (kind->CheckArgument(argument).ok()) {
      absl::StatusOr<QueryKind::Answer> answer = kind->Evaluate(argument, subject_);
      if (!answer.ok()) {
        Count([](QueryStats& s) { ++s.evaluation_errors; });
        return;
      }
      if (!answer->has_value()) return;  // silent
      peer::v1::ResultPayload payload;
      payload.set_query_origin(std::string(id.origin.bytes().begin(), id.origin.bytes().end()));
      payload.set_query_sequence(id.sequence);
      size_t bytes = kResultOverheadBytes;
      for (std::string& item : **answer) {
        bytes += item.size() + 4;
        if (bytes > kMaxPayloadBytes) {
          payload.set_truncated(true);
          break;
        }
        payload.add_items(std::move(item));
      }
      GossipMessage result = SignMessage(pubsub_.identity(), pubsub_.NextSequence(), kResultTopic,
                                         payload.SerializeAsString());
      Count([](QueryStats& s) { ++s.answered; });
      pubsub_.loop().Post(lifeline_.Guard([this, reply_to, result = std::move(result)]() mutable {
        if (!reply_to.has_value()) {
          OnResult(result, std::nullopt);  // this node's answer to its own query
        } else if (reply_to->address.empty()) {
          pubsub_.SendDirect(reply_to->id, std::move(result));
        } else {
          pubsub_.SendDirect(*reply_to, std::move(result));
        }
      }));
    } else {
      Count([](QueryStats& s) { ++s.dropped_malformed; });
    }
  }));
}

void QueryEngine::OnResult(const GossipMessage& result, const std::optional<NodeId>& from) {
  peer::v1::ResultPayload payload;
  if (result.topic != kResultTopic || !payload.ParseFromString(result.payload) ||
      payload.query_origin().size() != 32) {
    Count([](QueryStats& s) { ++s.dropped_malformed; });
    return;
  }
  const MessageId id{NodeId(*DigestFromBytes(payload.query_origin())), payload.query_sequence()};
  if (id.origin == pubsub_.self()) {
    auto it = pending_.find(id);
    if (it == pending_.end()) {
      Count([](QueryStats& s) { ++s.results_late; });
      return;
    }
    Pending& pending = it->second;
    if (!pending.responders.insert(result.origin()).second) return;  // answered already
    Count([](QueryStats& s) { ++s.answers_received; });
    const QueryAnswer answer{result.origin(),
                             {payload.items().begin(), payload.items().end()},
                             payload.truncated(),
                             from.has_value() ? result.hops : 0};
    pending.on_answer(answer);
    // `swarmkv sub result` on the origin shows them, as text: "<query id>\t<responder>\t<item>..."
    GossipMessage shown = result;
    shown.payload =
        absl::StrCat(id.origin.ToString(), "/", id.sequence, "\t", answer.responder.ToString());
    for (const std::string& item : answer.items) absl::StrAppend(&shown.payload, "\t", item);
    pubsub_.DeliverLocally(std::move(shown));
    if (pending.responders.size() >= pending.limit) Finish(id, absl::OkStatus());
    return;
  }
  // Someone else's query: pass the result one hop back towards its origin.
  const absl::Time now = pubsub_.loop().clock().Now();
  auto route = routes_.find(id);
  if (!from.has_value() || route == routes_.end() || route->second.until <= now ||
      route->second.forwarded >= options_.max_results_per_route) {
    Count([](QueryStats& s) { ++s.results_late; });
    return;
  }
  ++route->second.forwarded;
  Count([](QueryStats& s) { ++s.results_forwarded; });
  GossipMessage onward = result;
  ++onward.hops;
  pubsub_.SendDirect(route->second.via, std::move(onward));
}

void QueryEngine::ForgetRoutes(absl::Time now) {
  while (!route_order_.empty() && route_order_.front().first <= now) {
    auto it = routes_.find(route_order_.front().second);
    if (it != routes_.end() && it->second.until <= now) routes_.erase(it);
    route_order_.pop_front();
  }
}

QueryStats QueryEngine::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace swarmkv
