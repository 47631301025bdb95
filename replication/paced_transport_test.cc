// PacedTransport over a scripted transport, on virtual time: refusals that say how long to wait
// are retried after that wait; every other answer, and a refusal past the limits, is final;
// requests to a peer that asked to slow down leave one at a time.
#include "replication/paced_transport.h"

#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "base/virtual_event_loop.h"
#include "gtest/gtest.h"
#include "rpc/retry_after.h"
#include "testing/status_matchers.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::StatusIs;

// Answers STORE and FIND_NODE from a script, one status per request, and records when each
// request came; every other request is UNIMPLEMENTED.
class ScriptedTransport final : public Transport {
 public:
  explicit ScriptedTransport(const Clock& clock) : clock_(clock) {}

  std::deque<absl::Status> script;
  std::vector<absl::Time> asked_at;
  std::vector<std::string> blocks_sent;

  void Store(const Contact&, const Cid&, std::string block, StatusCallback done) override {
    blocks_sent.push_back(std::move(block));
    done(Next());
  }
  void FindNode(const Contact& to, const DhtKey&, Callback<std::vector<Contact>> done) override {
    absl::Status status = Next();
    if (!status.ok()) return done(status);
    done(std::vector<Contact>{to});
  }
  void Ping(const Contact&, StatusCallback done) override { done(Unimplemented()); }
  void Introduce(const std::string&, Callback<NodeId> done) override { done(Unimplemented()); }
  void FindValue(const Contact&, const Cid&, Callback<FindValueResult> done) override {
    done(Unimplemented());
  }
  void GetProviders(const Contact&, const Cid&, Callback<ProvidersResult> done) override {
    done(Unimplemented());
  }
  void AddProvider(const Contact&, const Cid&, StatusCallback done) override {
    done(Unimplemented());
  }
  void Have(const Contact&, std::vector<Cid>, Callback<std::vector<bool>> done) override {
    done(Unimplemented());
  }
  void Prove(const Contact&, const Cid&, std::string, Callback<Digest256> done) override {
    done(Unimplemented());
  }
  void PutRecord(const Contact&, std::string, Callback<std::string> done) override {
    done(Unimplemented());
  }
  void GetRecord(const Contact&, const DhtKey&, Callback<RecordAnswer> done) override {
    done(Unimplemented());
  }

 private:
  absl::Status Next() {
    asked_at.push_back(clock_.Now());
    if (script.empty()) return absl::OkStatus();
    absl::Status next = std::move(script.front());
    script.pop_front();
    return next;
  }
  static absl::Status Unimplemented() { return absl::UnimplementedError("not scripted"); }

  const Clock& clock_;
};

absl::Status SlowDown(absl::Duration wait) {
  return WithRetryAfter(absl::ResourceExhaustedError("peer request rate exceeded; slow down"),
                        wait);
}

class PacedTransportTest : public ::testing::Test {
 protected:
  // STOREs of `count` blocks to `to`, all made at once; their answers, filled as they come.
  std::vector<std::optional<absl::Status>> StoreMany(int count, const Contact& to) {
    auto answers = std::make_shared<std::vector<std::optional<absl::Status>>>(count);
    for (int i = 0; i < count; ++i) {
      paced_.Store(to, cid_, absl::StrCat("block ", i),
                   [answers, i](absl::Status status) { (*answers)[i] = std::move(status); });
    }
    loop_.RunUntilIdle();
    return *answers;
  }

  // A STORE through the paced transport; runs the loop until it is answered.
  absl::Status StoreNow(const std::string& block) {
    std::optional<absl::Status> answer;
    paced_.Store(peer_, cid_, block, [&](absl::Status status) { answer = std::move(status); });
    loop_.RunUntilIdle();
    EXPECT_TRUE(answer.has_value());
    return answer.value_or(absl::InternalError("never answered"));
  }

  VirtualEventLoop loop_;
  ScriptedTransport inner_{loop_.clock()};
  PacedTransport paced_{inner_, loop_, PacedTransportOptions{3, absl::Seconds(1)}};
  const Contact peer_{Identity::Generate().node_id(), "10.0.0.2:7420", absl::UnixEpoch()};
  const Cid cid_ = Cid::Compute(Codec::kRaw, "block");
};

TEST_F(PacedTransportTest, ARefusalThatSaysWhenIsAskedAgainThen) {
  inner_.script = {SlowDown(absl::Milliseconds(20)), SlowDown(absl::Milliseconds(50)),
                   absl::OkStatus()};
  const absl::Time start = loop_.now();
  EXPECT_TRUE(StoreNow("block").ok());
  ASSERT_EQ(inner_.asked_at.size(), 3u);
  EXPECT_EQ(inner_.asked_at[1] - start, absl::Milliseconds(20));
  EXPECT_EQ(inner_.asked_at[2] - start, absl::Milliseconds(70));
  // Each attempt carried the whole block.
  EXPECT_EQ(inner_.blocks_sent, std::vector<std::string>(3, "block"));
}

TEST_F(PacedTransportTest, RetriesBackOffWhateverThePeerSaid) {
  // Told to wait 1 ms each time: waits of 5, 10, 20 ms (min_backoff doubling) instead.
  inner_.script = {SlowDown(absl::Milliseconds(1)), SlowDown(absl::Milliseconds(1)),
                   SlowDown(absl::Milliseconds(1)), absl::OkStatus()};
  const absl::Time start = loop_.now();
  EXPECT_TRUE(StoreNow("block").ok());
  ASSERT_EQ(inner_.asked_at.size(), 4u);
  EXPECT_EQ(inner_.asked_at[1] - start, absl::Milliseconds(5));
  EXPECT_EQ(inner_.asked_at[2] - start, absl::Milliseconds(15));
  EXPECT_EQ(inner_.asked_at[3] - start, absl::Milliseconds(35));
}

TEST_F(PacedTransportTest, OtherAnswersAreFinal) {
  inner_.script = {absl::ResourceExhaustedError("block over the size limit")};
  EXPECT_THAT(StoreNow("block"), StatusIs(absl::StatusCode::kResourceExhausted));
  inner_.script = {absl::UnavailableError("connection refused")};
  EXPECT_THAT(StoreNow("block"), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(inner_.asked_at.size(), 2u);
}

TEST_F(PacedTransportTest, RetriesAreBoundedInNumberAndInTime) {
  // Three retries at most: the fourth refusal is the answer.
  for (int i = 0; i < 5; ++i) inner_.script.push_back(SlowDown(absl::Milliseconds(10)));
  EXPECT_THAT(StoreNow("block"), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(inner_.asked_at.size(), 4u);
  // A second in all: a wait that would pass it is not taken.
  inner_.script = {SlowDown(absl::Milliseconds(600)), SlowDown(absl::Milliseconds(600)),
                   absl::OkStatus()};
  inner_.asked_at.clear();
  EXPECT_THAT(StoreNow("block"), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(inner_.asked_at.size(), 2u);
}

TEST_F(PacedTransportTest, RequestsToAPeerThatSaidSlowDownLeaveOneAtATime) {
  // The first of five is refused with "10 ms": it goes again at 10 ms, the other four wait in
  // line behind it, 10 ms apart, instead of each being sent (and refused) at once.
  inner_.script = {SlowDown(absl::Milliseconds(10))};
  const absl::Time start = loop_.now();
  for (const auto& answer : StoreMany(5, peer_)) {
    ASSERT_TRUE(answer.has_value());
    EXPECT_TRUE(answer->ok()) << *answer;
  }
  std::vector<absl::Duration> asked;
  for (absl::Time at : inner_.asked_at) asked.push_back(at - start);
  EXPECT_EQ(asked, (std::vector<absl::Duration>{absl::ZeroDuration(), absl::Milliseconds(10),
                                                absl::Milliseconds(20), absl::Milliseconds(30),
                                                absl::Milliseconds(40), absl::Milliseconds(50)}));
  EXPECT_EQ(inner_.blocks_sent.front(), "block 0");
  EXPECT_EQ(inner_.blocks_sent.back(), "block 4");
  // The line is over: the next request leaves at once.
  loop_.RunFor(absl::Milliseconds(100));
  const absl::Time later = loop_.now();
  EXPECT_TRUE(StoreNow("block").ok());
  EXPECT_EQ(inner_.asked_at.back(), later);
}

TEST_F(PacedTransportTest, ARequestWhoseTurnWouldComeTooLateIsNotSent) {
  // Told to wait 400 ms with a 1 s limit: the refused request goes at 400 ms, the next at 800 ms,
  // and the third, whose turn would be 1,200 ms, is answered at once without being sent.
  inner_.script = {SlowDown(absl::Milliseconds(400))};
  const std::vector<std::optional<absl::Status>> answers = StoreMany(3, peer_);
  EXPECT_TRUE(answers[0].has_value() && answers[0]->ok());
  EXPECT_TRUE(answers[1].has_value() && answers[1]->ok());
  ASSERT_TRUE(answers[2].has_value());
  EXPECT_THAT(*answers[2], StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(inner_.blocks_sent, (std::vector<std::string>{"block 0", "block 0", "block 1"}));
}

TEST_F(PacedTransportTest, EachPeerHasItsOwnLine) {
  const Contact other{Identity::Generate().node_id(), "10.0.0.3:7420", absl::UnixEpoch()};
  inner_.script = {SlowDown(absl::Milliseconds(50))};
  std::optional<absl::Status> slowed;
  paced_.Store(peer_, cid_, "slowed", [&](absl::Status status) { slowed = std::move(status); });
  const absl::Time start = loop_.now();
  std::optional<absl::Status> other_answer;
  paced_.Store(other, cid_, "other",
               [&](absl::Status status) { other_answer = std::move(status); });
  // Sent and answered before any time passed.
  ASSERT_TRUE(other_answer.has_value());
  EXPECT_TRUE(other_answer->ok());
  EXPECT_FALSE(slowed.has_value());
  loop_.RunUntilIdle();
  ASSERT_TRUE(slowed.has_value());
  EXPECT_TRUE(slowed->ok());
  EXPECT_EQ(inner_.asked_at.back() - start, absl::Milliseconds(50));
}

TEST_F(PacedTransportTest, AnswersWithValuesArePacedToo) {
  inner_.script = {SlowDown(absl::Milliseconds(5)), absl::OkStatus()};
  std::optional<absl::StatusOr<std::vector<Contact>>> answer;
  paced_.FindNode(peer_, KeyOf(peer_.id),
                  [&](absl::StatusOr<std::vector<Contact>> found) { answer = std::move(found); });
  loop_.RunUntilIdle();
  ASSERT_TRUE(answer.has_value());
  ASSERT_TRUE(answer->ok()) << answer->status();
  EXPECT_EQ(answer->value().size(), 1u);
  EXPECT_EQ(inner_.asked_at.size(), 2u);
}

}  // namespace
}  // namespace swarmkv
