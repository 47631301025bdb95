#include "replication/saved_state.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;

Contact MakeContact(uint8_t seed, std::string address) {
  Digest256 id{};
  id.fill(seed);
  return Contact{NodeId(id), std::move(address), absl::InfinitePast()};
}

TEST(SavedStateTest, ContactsRoundTrip) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  const std::vector<Contact> contacts = {MakeContact(1, "10.0.0.1:7420"),
                                         MakeContact(2, "node-2.swarm:7420"), MakeContact(3, "")};
  SWARMKV_ASSERT_OK_AND_ASSIGN(std::vector<Contact> decoded,
                               DecodeSavedContacts(EncodeSavedContacts(contacts), now));
  ASSERT_EQ(decoded.size(), contacts.size());
  for (size_t i = 0; i < contacts.size(); ++i) {
    EXPECT_EQ(decoded[i].id, contacts[i].id);
    EXPECT_EQ(decoded[i].address, contacts[i].address);
    EXPECT_EQ(decoded[i].last_seen, now);
  }
}

TEST(SavedStateTest, ProviderRecordsRoundTrip) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  const std::vector<ProviderTable::Record> records = {
      {MakeContact(7, "10.0.0.7:7420"), now + absl::Hours(1)},
      {MakeContact(8, "10.0.0.8:7420"), absl::FromUnixSeconds(5)}};
  SWARMKV_ASSERT_OK_AND_ASSIGN(auto decoded,
                               DecodeProviderRecord(EncodeProviderRecord(records), now, 20));
  ASSERT_EQ(decoded.size(), 2u);
  EXPECT_EQ(decoded[0].contact.address, "10.0.0.7:7420");
  EXPECT_EQ(decoded[0].expires, now + absl::Hours(1));
  EXPECT_EQ(decoded[1].expires, absl::FromUnixSeconds(5));
}

TEST(SavedStateTest, MalformedValuesAreDataLoss) {
  const absl::Time now = absl::Now();
  const std::string good = EncodeSavedContacts({MakeContact(1, "10.0.0.1:7420")});
  EXPECT_THAT(DecodeSavedContacts(good.substr(0, good.size() - 1), now),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeSavedContacts(good + "x", now),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("trailing")));
  EXPECT_THAT(DecodeSavedContacts("", now), StatusIs(absl::StatusCode::kDataLoss));
  // A count over the cap is refused before anything is read or reserved.
  EXPECT_THAT(DecodeSavedContacts("\xff\xff\xff\xff\x0f", now),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("too many")));
  const std::string record =
      EncodeProviderRecord({{MakeContact(1, "a:1"), now}, {MakeContact(2, "b:2"), now}});
  EXPECT_THAT(DecodeProviderRecord(record, now, 1),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("too many")));
  // An address over the limit.
  std::string long_address = EncodeSavedContacts({MakeContact(1, std::string(301, 'a'))});
  EXPECT_THAT(DecodeSavedContacts(long_address, now),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("malformed")));
}

TEST(SavedStateTest, RepublishSweepRoundTripsAndRefusesTheMalformed) {
  RepublishSweep sweep;
  sweep.started = absl::FromUnixSeconds(1700000000);
  sweep.listed = 123456;
  sweep.after = Cid::Compute(Codec::kRaw, "the last root listed");
  SWARMKV_ASSERT_OK_AND_ASSIGN(RepublishSweep decoded,
                               DecodeRepublishSweep(EncodeRepublishSweep(sweep)));
  EXPECT_EQ(decoded.started, sweep.started);
  EXPECT_EQ(decoded.listed, sweep.listed);
  EXPECT_EQ(decoded.after, sweep.after);
  EXPECT_FALSE(decoded.at_end);
  // At the end, with no root listed yet.
  sweep.after.reset();
  sweep.at_end = true;
  SWARMKV_ASSERT_OK_AND_ASSIGN(decoded, DecodeRepublishSweep(EncodeRepublishSweep(sweep)));
  EXPECT_FALSE(decoded.after.has_value());
  EXPECT_TRUE(decoded.at_end);
  // Truncated, a flag that is neither 0 nor 1, a CID that does not parse, trailing bytes.
  const std::string good = EncodeRepublishSweep(sweep);
  EXPECT_THAT(DecodeRepublishSweep(good.substr(0, 2)), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeRepublishSweep(std::string("\x01\x01\x02\x00", 4)),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeRepublishSweep(std::string("\x01\x01\x00\x03" "abc", 7)),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeRepublishSweep(good + "x"), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace swarmkv
