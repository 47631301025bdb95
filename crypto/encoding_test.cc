#include "crypto/encoding.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;

TEST(Base32Test, Rfc4648Vectors) {
  // RFC 4648 §10, lower case, padding removed.
  EXPECT_EQ(Base32Encode(""), "");
  EXPECT_EQ(Base32Encode("f"), "my");
  EXPECT_EQ(Base32Encode("fo"), "mzxq");
  EXPECT_EQ(Base32Encode("foo"), "mzxw6");
  EXPECT_EQ(Base32Encode("foob"), "mzxw6yq");
  EXPECT_EQ(Base32Encode("fooba"), "mzxw6ytb");
  EXPECT_EQ(Base32Encode("foobar"), "mzxw6ytboi");
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(*Base32Decode(Base32Encode(s)), s);
  }
}

TEST(Base32Test, RejectsMalformedText) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_THAT(Base32Decode("m"), StatusIs(kInvalid, HasSubstr("truncated")));
  EXPECT_THAT(Base32Decode("mzx1"), StatusIs(kInvalid, HasSubstr("position 3")));
  EXPECT_THAT(Base32Decode("mz=="), StatusIs(kInvalid, HasSubstr("position 2")));
  EXPECT_THAT(Base32Decode("MZXQ"), StatusIs(kInvalid, HasSubstr("position 0")));
  EXPECT_THAT(Base32Decode("mz"), StatusIs(kInvalid, HasSubstr("trailing bits")));
  EXPECT_EQ(*Base32Decode("MZXQ", /*allow_upper=*/true), "fo");
  EXPECT_THAT(Base32Decode("MzXQ", /*allow_upper=*/true),
              StatusIs(kInvalid, HasSubstr("one case")));
}

TEST(Base64UrlTest, RoundTripAndStrictness) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(*Base64UrlDecode("-_8"), "\xfb\xff");
  EXPECT_THAT(Base64UrlDecode("-_8="), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  EXPECT_THAT(Base64UrlDecode("+/8"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  EXPECT_THAT(Base64UrlDecode("-_9"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("base64url")));
}

TEST(HexTest, Encodes) { EXPECT_EQ(HexEncode(absl::string_view("\x00\xff\x10", 3)), "00ff10"); }

TEST(HexTest, DecodesEitherCaseAndRoundTrips) {
  EXPECT_EQ(HexDecode("00fF10").value(), std::string("\x00\xff\x10", 3));
  const std::string bytes("\x01\x02zz\x00\x80", 6);
  EXPECT_EQ(HexDecode(HexEncode(bytes)).value(), bytes);
}

TEST(HexTest, RefusesOddLengthAndNonHex) {
  EXPECT_THAT(HexDecode("abc"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("odd")));
  EXPECT_THAT(HexDecode("0g"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at 1")));
}

}  // namespace
}  // namespace swarmkv
