#include "base/status_macros.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::IsOk;
using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return absl::InvalidArgumentError("odd");
  return x / 2;
}

absl::StatusOr<int> Quarter(int x, int* calls) {
  ++*calls;
  SWARMKV_ASSIGN_OR_RETURN(int half, Half(x));
  SWARMKV_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

absl::Status CheckEven(int x) {
  SWARMKV_RETURN_IF_ERROR(Half(x).status());
  return absl::OkStatus();
}

TEST(StatusMacrosTest, AssignOrReturnPassesValuesAndErrors) {
  int calls = 0;
  EXPECT_THAT(Quarter(8, &calls), IsOk());
  EXPECT_EQ(*Quarter(8, &calls), 2);
  EXPECT_THAT(Quarter(6, &calls), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("odd")));
  EXPECT_EQ(calls, 3);
}

TEST(StatusMacrosTest, ReturnIfError) {
  EXPECT_THAT(CheckEven(4), IsOk());
  EXPECT_THAT(CheckEven(3), StatusIs(absl::StatusCode::kInvalidArgument, "odd"));
}

}  // namespace
}  // namespace swarmkv
