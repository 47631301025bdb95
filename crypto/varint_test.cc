#include "crypto/varint.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;

std::string Encode(uint64_t v) {
  std::string out;
  AppendVarint(v, &out);
  return out;
}

TEST(VarintTest, MultiformatsVectors) {
  // From the multiformats unsigned-varint spec.
  EXPECT_EQ(Encode(1), "\x01");
  EXPECT_EQ(Encode(127), "\x7f");
  EXPECT_EQ(Encode(128), std::string("\x80\x01"));
  EXPECT_EQ(Encode(255), std::string("\xff\x01"));
  EXPECT_EQ(Encode(300), std::string("\xac\x02"));
  EXPECT_EQ(Encode(16384), std::string("\x80\x80\x01"));
  EXPECT_EQ(Encode(0xb220), std::string("\xa0\xe4\x02"));
  EXPECT_EQ(Encode(0), std::string(1, '\0'));
}

TEST(VarintTest, RoundTripsAndAdvances) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{300}, uint64_t{0x300001}, kMaxVarint}) {
    std::string buf = Encode(v) + "rest";
    absl::string_view in = buf;
    auto got = ReadVarint(&in, "x");
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, v);
    EXPECT_EQ(in, "rest");
  }
}

TEST(VarintTest, RejectsMalformed) {
  absl::string_view truncated("\x80", 1);
  EXPECT_THAT(ReadVarint(&truncated, "len"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("len: input ends")));
  absl::string_view padded("\x81\x00", 2);
  EXPECT_THAT(ReadVarint(&padded, "len"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("minimally")));
  absl::string_view too_long("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10);
  EXPECT_THAT(ReadVarint(&too_long, "len"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("9 bytes")));
  absl::string_view empty;
  EXPECT_FALSE(ReadVarint(&empty, "len").ok());
}

}  // namespace
}  // namespace swarmkv
