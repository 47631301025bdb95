#include "pubsub/message.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::IsOk;
using ::swarmkv::testing::StatusIs;

TEST(GossipMessageTest, ASignedMessageVerifiesAndCarriesItsOriginsId) {
  const Identity alice = Identity::Generate();
  GossipMessage m = SignMessage(alice, 7, "news", "hello");
  EXPECT_THAT(VerifyMessage(m), IsOk());
  EXPECT_EQ(m.origin(), alice.node_id());
  EXPECT_EQ(m.id(), (MessageId{alice.node_id(), 7}));
  m.hops = 9;  // not signed
  EXPECT_THAT(VerifyMessage(m), IsOk());
}

TEST(GossipMessageTest, AnyChangeToWhatIsSignedIsCaught) {
  const Identity alice = Identity::Generate();
  const GossipMessage m = SignMessage(alice, 7, "news", "hello");
  GossipMessage other = m;
  other.payload = "hellO";
  EXPECT_THAT(VerifyMessage(other), StatusIs(absl::StatusCode::kPermissionDenied));
  other = m;
  other.sequence = 8;
  EXPECT_THAT(VerifyMessage(other), StatusIs(absl::StatusCode::kPermissionDenied));
  other = m;
  other.topic = "newt";
  EXPECT_THAT(VerifyMessage(other), StatusIs(absl::StatusCode::kPermissionDenied));
  // Someone else's key with alice's signature.
  other = m;
  other.origin_key = Identity::Generate().public_key();
  EXPECT_THAT(VerifyMessage(other), StatusIs(absl::StatusCode::kPermissionDenied));
  other = m;
  other.signature.resize(10);
  EXPECT_THAT(VerifyMessage(other), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(GossipMessageTest, TopicsAndPayloadsHaveLimits) {
  const Identity alice = Identity::Generate();
  EXPECT_THAT(CheckTopic(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckTopic(std::string(kMaxTopicBytes, 't')), IsOk());
  EXPECT_THAT(CheckTopic(std::string(kMaxTopicBytes + 1, 't')),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyMessage(SignMessage(alice, 1, "t", std::string(kMaxPayloadBytes + 1, 'x'))),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace swarmkv
