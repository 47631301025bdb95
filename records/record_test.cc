#include "records/record.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::IsOk;
using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;

const absl::Time kExpiry = absl::FromUnixSeconds(1'900'000'000);

Record Signed(const Identity& who, std::string key, std::string value, uint64_t sequence) {
  absl::StatusOr<Record> r = SignRecord(who, std::move(key), std::move(value), sequence, kExpiry);
  EXPECT_THAT(r.status(), IsOk());
  return *r;
}

TEST(RecordTest, EncodingRoundTripsAndIsDeterministic) {
  const Identity who = Identity::Generate();
  const Record r = Signed(who, "app/color", "blue", 7);
  const std::string bytes = EncodeRecord(r);
  absl::StatusOr<Record> back = DecodeRecord(bytes);
  ASSERT_THAT(back.status(), IsOk());
  EXPECT_EQ(back->key, "app/color");
  EXPECT_EQ(back->value, "blue");
  EXPECT_EQ(back->sequence, 7u);
  EXPECT_EQ(back->publisher, who.public_key());
  EXPECT_EQ(back->expires_at, absl::ToUnixSeconds(kExpiry));
  EXPECT_FALSE(back->tombstone);
  EXPECT_EQ(EncodeRecord(*back), bytes);
  EXPECT_EQ(back->Name(), who.node_id().ToString() + "/app/color");
  EXPECT_EQ(back->dht_key(), RecordDhtKey(who.node_id(), "app/color"));
}

TEST(RecordTest, AnyChangedByteFailsToDecodeOrVerify) {
  const std::string bytes = EncodeRecord(Signed(Identity::Generate(), "k", "value", 3));
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string changed = bytes;
    changed[i] = static_cast<char>(changed[i] ^ 0x01);
    EXPECT_FALSE(DecodeRecord(changed).ok()) << "byte " << i;
  }
  EXPECT_FALSE(DecodeRecord(bytes + "x").ok());
  EXPECT_FALSE(DecodeRecord(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_THAT(DecodeRecord(""), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RecordTest, AnotherPublishersKeyCannotSignIntoANamespace) {
  const Identity owner = Identity::Generate(), thief = Identity::Generate();
  Record r = Signed(owner, "k", "mine", 1);
  Record forged = Signed(thief, "k", "theirs", 2);
  forged.publisher = owner.public_key();  // claims the owner's namespace
  EXPECT_THAT(DecodeRecord(EncodeRecord(forged)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("signature")));
  EXPECT_NE(RecordDhtKey(owner.node_id(), "k"), RecordDhtKey(thief.node_id(), "k"));
}

TEST(RecordTest, HigherSequenceWinsAndTiesBreakTheSameWayEverywhere) {
  const Identity who = Identity::Generate();
  const Record one = Signed(who, "k", "a", 1), two = Signed(who, "k", "a", 2);
  EXPECT_TRUE(Supersedes(two, one));
  EXPECT_FALSE(Supersedes(one, two));
  const Record x = Signed(who, "k", "x", 5), y = Signed(who, "k", "y", 5);
  EXPECT_NE(Supersedes(x, y), Supersedes(y, x));  // exactly one wins
  EXPECT_FALSE(Supersedes(x, x));
  // A republish (same sequence and value, later expiry) replaces what it extends.
  absl::StatusOr<Record> later = SignRecord(who, "k", "x", 5, kExpiry + absl::Hours(24));
  ASSERT_THAT(later.status(), IsOk());
  EXPECT_TRUE(Supersedes(*later, x));
  EXPECT_FALSE(Supersedes(x, *later));
}

TEST(RecordTest, LimitsAreClearErrors) {
  const Identity who = Identity::Generate();
  EXPECT_THAT(SignRecord(who, "", "v", 1, kExpiry).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(SignRecord(who, std::string(257, 'k'), "v", 1, kExpiry).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most 256")));
  EXPECT_THAT(SignRecord(who, "k", std::string(64 * 1024 + 1, 'v'), 1, kExpiry).status(),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("at most 65536")));
  EXPECT_THAT(SignRecord(who, "\xff\xfe", "v", 1, kExpiry).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UTF-8")));
  EXPECT_THAT(SignRecord(who, "k", "v", 1, kExpiry, /*tombstone=*/true).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SignRecord(who, "ключ/키", std::string(64 * 1024, 'v'), 1, kExpiry).status(), IsOk());
}

TEST(RecordTest, EncryptedValuesOpenOnlyWithTheirSecretAndName) {
  const std::string secret(32, 's');
  absl::StatusOr<std::string> sealed = SealRecordValue(secret, "b.../k", "the value");
  ASSERT_THAT(sealed.status(), IsOk());
  EXPECT_EQ(sealed->size(), 9 + kRecordSealOverhead);
  EXPECT_EQ(sealed->find("the value"), std::string::npos);
  absl::StatusOr<std::string> opened = OpenRecordValue(secret, "b.../k", *sealed);
  ASSERT_THAT(opened.status(), IsOk());
  EXPECT_EQ(*opened, "the value");
  EXPECT_THAT(OpenRecordValue(std::string(32, 't'), "b.../k", *sealed).status(),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(OpenRecordValue(secret, "b.../other", *sealed).status(),
              StatusIs(absl::StatusCode::kPermissionDenied));  // moved to another name
  EXPECT_THAT(SealRecordValue("short", "b.../k", "v").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("16 to 64")));

  const Identity who = Identity::Generate();
  absl::StatusOr<Record> r = SignRecord(who, "k", *sealed, 1, kExpiry, false, /*encrypted=*/true);
  ASSERT_THAT(r.status(), IsOk());
  absl::StatusOr<Record> back = DecodeRecord(EncodeRecord(*r));
  ASSERT_THAT(back.status(), IsOk());
  EXPECT_TRUE(back->encrypted);
  EXPECT_THAT(SignRecord(who, "k", "", 2, kExpiry, /*tombstone=*/true, /*encrypted=*/true).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RecordTest, NamesAreFullWhenTheFirstSegmentIsANodeId) {
  const Identity who = Identity::Generate();
  absl::StatusOr<RecordName> full = ParseRecordName(who.node_id().ToString() + "/app/color");
  ASSERT_THAT(full.status(), IsOk());
  EXPECT_EQ(full->publisher, who.node_id());
  EXPECT_EQ(full->key, "app/color");
  absl::StatusOr<RecordName> bare = ParseRecordName("app/color");
  ASSERT_THAT(bare.status(), IsOk());
  EXPECT_FALSE(bare->publisher.has_value());
  EXPECT_EQ(bare->key, "app/color");
  EXPECT_THAT(ParseRecordName(who.node_id().ToString() + "/").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRecordName("").status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace swarmkv
