// The query engine on the simulator: real PubsubNodes and QueryEngines on virtual time, each
// node's state an in-memory SimQuerySubject.
#include "pubsub/query_engine.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "swarmkv/peer/v1/gossip.pb.h"
#include "testing/sim_pubsub.h"
#include "testing/status_matchers.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::SimPubsub;
using ::swarmkv::testing::SimPubsubOptions;
using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;
using Route = QueryEngineOptions::Route;

SimPubsubOptions QueryOptions(uint64_t seed, size_t nodes, Route route = Route::kReversePath) {
  SimPubsubOptions options;
  options.seed = seed;
  options.nodes = nodes;
  options.queries = true;
  options.query.route = route;
  return options;
}

// What one Ask collected.
struct Collected {
  std::set<NodeId> responders;
  std::vector<QueryAnswer> answers;
  bool done = false;
  absl::Status status;
  absl::Time done_at;
};

Collected* Ask(SimPubsub& sim, size_t from, QueryRequest request) {
  auto* collected = new Collected;  // owned by the test via Keep below
  absl::StatusOr<uint64_t> ticket = sim.queries(from).Ask(
      request,
      [collected](const QueryAnswer& answer) {
        collected->responders.insert(answer.responder);
        collected->answers.push_back(answer);
      },
      [collected, &sim](absl::Status status) {
        collected->done = true;
        collected->status = status;
        collected->done_at = sim.loop().now();
      });
  EXPECT_TRUE(ticket.ok()) << ticket.status();
  return collected;
}

QueryRequest Request(std::string kind, std::string argument = "",
                     absl::Duration deadline = absl::ZeroDuration(), uint32_t limit = 0) {
  return QueryRequest{std::move(kind), std::move(argument), deadline, limit};
}

TEST(QueryEngineTest, HasIsAnsweredByExactlyTheNodesHoldingTheBlock) {
  for (Route route : {Route::kReversePath, Route::kDirect}) {
    SimPubsub sim(QueryOptions(21, 80, route));
    const Cid cid = Cid::Compute(Codec::kRaw, "a block");
    std::set<NodeId> holders;
    for (size_t i : {3, 17, 40, 41, 79}) {
      sim.subject(i).blocks.insert(cid);
      holders.insert(sim.id(i));
    }
    sim.subject(40).pinned.insert(cid);
    sim.loop().RunFor(absl::Seconds(5));  // meshes form
    const absl::Time asked = sim.loop().now();
    std::unique_ptr<Collected> got(Ask(sim, 0, Request("has", cid.ToString())));
    sim.loop().RunFor(absl::Seconds(3));
    ASSERT_TRUE(got->done);
    EXPECT_THAT(got->status, ::swarmkv::testing::IsOk());
    EXPECT_EQ(got->responders, holders);
    EXPECT_EQ(got->done_at - asked, absl::Seconds(2));  // the default deadline
    for (const QueryAnswer& answer : got->answers) {
      EXPECT_THAT(answer.items[0], HasSubstr(cid.ToString()));
      EXPECT_EQ(answer.items[1], answer.responder == sim.id(40) ? "pinned=true" : "pinned=false");
    }
  }
}

TEST(QueryEngineTest, StatsIsAnsweredByEveryNodeTheAskerIncluded) {
  SimPubsub sim(QueryOptions(22, 100));
  for (size_t i = 0; i < sim.size(); ++i) sim.subject(i).figures.blocks = i;
  sim.loop().RunFor(absl::Seconds(5));
  std::unique_ptr<Collected> got(Ask(sim, 7, Request("STATS")));
  sim.loop().RunFor(absl::Seconds(3));
  ASSERT_TRUE(got->done);
  EXPECT_EQ(got->responders.size(), sim.size());
  EXPECT_EQ(sim.queries(7).stats().answers_received, sim.size());
  for (const QueryAnswer& answer : got->answers) {
    EXPECT_THAT(answer.items, ::testing::Contains(HasSubstr("blocks=")));
  }
}

TEST(QueryEngineTest, TheLimitEndsTheQueryBeforeItsDeadline) {
  SimPubsub sim(QueryOptions(23, 60));
  sim.loop().RunFor(absl::Seconds(5));
  const absl::Time asked = sim.loop().now();
  std::unique_ptr<Collected> got(Ask(sim, 0, Request("STATS", "", absl::Seconds(10), 5)));
  sim.loop().RunFor(absl::Seconds(11));
  ASSERT_TRUE(got->done);
  EXPECT_EQ(got->answers.size(), 5u);
  EXPECT_LT(got->done_at - asked, absl::Seconds(2));
  // Answers that came after the limit were dropped, not streamed.
  EXPECT_GT(sim.queries(0).stats().results_late, 0u);
}

TEST(QueryEngineTest, PinsAnswersOnlyFromNodesWithMatchingPins) {
  SimPubsub sim(QueryOptions(24, 30));
  const Cid a = Cid::Compute(Codec::kRaw, "a"), b = Cid::Compute(Codec::kRaw, "b");
  sim.subject(5).pins = {PinEntry{"photos/cat", a}, PinEntry{"docs/x", b}};
  sim.subject(9).pins = {PinEntry{"photos/dog", b}};
  sim.subject(11).pins = {PinEntry{"docs/y", a}};
  sim.loop().RunFor(absl::Seconds(5));
  std::unique_ptr<Collected> got(Ask(sim, 0, Request("pins", "photos/")));
  sim.loop().RunFor(absl::Seconds(3));
  EXPECT_EQ(got->responders, (std::set<NodeId>{sim.id(5), sim.id(9)}));
  for (const QueryAnswer& answer : got->answers) {
    ASSERT_EQ(answer.items.size(), 1u);
    EXPECT_THAT(answer.items[0], HasSubstr(" photos/"));
  }
}

TEST(QueryEngineTest, BadRequestsAreRefusedByTheAskingNode) {
  SimPubsub sim(QueryOptions(25, 2));
  auto ask = [&](QueryRequest request) {
    return sim.queries(0)
        .Ask(
            request, [](const QueryAnswer&) {}, [](absl::Status) {})
        .status();
  };
  EXPECT_THAT(ask(Request("FROB")), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("unknown query kind \"FROB\"")));
  EXPECT_THAT(ask(Request("HAS", "not-a-cid")), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ask(Request("HAS", "")), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ask(Request("STATS", "x")), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ask(Request("STATS", "", absl::Seconds(61))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most 1m")));
  EXPECT_THAT(ask(Request("STATS", "", absl::ZeroDuration(), 10001)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ask(Request("PINS", std::string(300, 'p'))),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(QueryEngineTest, DeadNodesDoNotStallAQueryPastItsDeadline) {
  SimPubsub sim(QueryOptions(26, 100));
  sim.loop().RunFor(absl::Seconds(5));
  size_t living = sim.size();
  for (size_t i = 5; i < sim.size(); i += 10) {  // a tenth, after the meshes formed
    sim.Kill(i);
    --living;
  }
  const absl::Time asked = sim.loop().now();
  std::unique_ptr<Collected> got(Ask(sim, 0, Request("STATS", "", absl::Seconds(3))));
  sim.loop().RunFor(absl::Seconds(4));
  ASSERT_TRUE(got->done);
  EXPECT_EQ(got->done_at - asked, absl::Seconds(3));
  // The tree repairs around the dead within the deadline: every living node answers.
  EXPECT_EQ(got->responders.size(), living);
}

// A query signed by node `from` with `payload`, pushed to node `to` as node `from` would.
void InjectQuery(SimPubsub& sim, size_t from, size_t to, const std::string& payload) {
  GossipMessage query =
      SignMessage(sim.node(from).identity(), sim.node(from).NextSequence(), kQueryTopic, payload);
  Frame frame = MakeFrame(Frame::Kind::kGossip, kQueryTopic);
  frame.message = query;
  sim.Inject(from, to, frame);
}

TEST(QueryEngineTest, AnExpiredQueryIsNeitherAnsweredNorPassedOn) {
  SimPubsub sim(QueryOptions(27, 30));
  sim.loop().RunFor(absl::Seconds(5));
  peer::v1::QueryPayload payload;
  payload.set_kind("STATS");
  payload.set_deadline_unix_ms(absl::ToUnixMillis(sim.loop().now() - absl::Seconds(1)));
  InjectQuery(sim, 1, 2, payload.SerializeAsString());
  sim.loop().RunFor(absl::Seconds(3));
  EXPECT_EQ(sim.queries(2).stats().dropped_expired, 1u);
  for (size_t i = 0; i < sim.size(); ++i) EXPECT_EQ(sim.queries(i).stats().answered, 0u) << i;
}

TEST(QueryEngineTest, AMalformedQueryGetsItsSenderIgnored) {
  SimPubsub sim(QueryOptions(28, 10));
  sim.loop().RunFor(absl::Seconds(5));
  InjectQuery(sim, 1, 2, "\xff\xff not a query");
  sim.loop().RunFor(absl::Milliseconds(100));
  EXPECT_EQ(sim.queries(2).stats().dropped_malformed, 1u);
  InjectQuery(sim, 1, 2, "again");
  sim.loop().RunFor(absl::Milliseconds(100));
  EXPECT_EQ(sim.node(2).stats().dropped_ignored, 1u);
}

TEST(QueryEngineTest, OneOriginCannotFloodTheSwarmWithQueries) {
  SimPubsubOptions options = QueryOptions(29, 20);
  options.query.per_origin = RateLimit{2, 5};
  SimPubsub sim(options);
  sim.loop().RunFor(absl::Seconds(5));
  std::vector<std::unique_ptr<Collected>> asked;
  for (int q = 0; q < 40; ++q) {  // 40 in one second
    asked.emplace_back(Ask(sim, 0, Request("STATS", "", absl::Seconds(1))));
    sim.loop().RunFor(absl::Milliseconds(25));
  }
  sim.loop().RunFor(absl::Seconds(2));
  // Every other node answers the burst and the refill, not all 40.
  for (size_t i = 1; i < sim.size(); ++i) {
    EXPECT_LE(sim.queries(i).stats().answered, 5u + 3u) << i;
    EXPECT_GT(sim.queries(i).stats().dropped_rate + sim.queries(i).stats().answered, 0u) << i;
  }
}

TEST(QueryEngineTest, AForgedResultIsDroppedAndItsSenderIgnored) {
  SimPubsub sim(QueryOptions(30, 10));
  sim.loop().RunFor(absl::Seconds(5));
  std::unique_ptr<Collected> got(Ask(sim, 0, Request("STATS", "", absl::Seconds(2))));
  sim.loop().RunFor(absl::Milliseconds(1));
  GossipMessage result = SignMessage(sim.node(3).identity(), 99, kResultTopic, "x");
  result.payload = "forged";
  Frame frame = MakeFrame(Frame::Kind::kDirect, kResultTopic);
  frame.message = result;
  sim.Inject(3, 0, frame);
  sim.loop().RunFor(absl::Seconds(3));
  EXPECT_EQ(sim.node(0).stats().mesh.dropped_invalid, 1u);
  EXPECT_TRUE(got->done);
  for (const QueryAnswer& answer : got->answers) EXPECT_FALSE(answer.items.empty());
}

}  // namespace
}  // namespace swarmkv
