// gmock matchers for absl::Status and absl::StatusOr (Debian's Abseil ships none).
//
//   EXPECT_THAT(store.Put(...), IsOk());
//   EXPECT_THAT(Cid::Parse("x"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("base")));
//   SWARMKV_ASSERT_OK_AND_ASSIGN(Cid cid, Cid::Parse(text));
#ifndef SWARMKV_TESTING_STATUS_MATCHERS_H_
#define SWARMKV_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swarmkv::testing {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& status = GetStatus(arg);
  if (!status.ok()) *result_listener << "status is " << status;
  return status.ok();
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has code " + absl::StatusCodeToString(code) + " and a matching message") {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code && ::testing::Matches(::testing::Matcher<const std::string&>(
                                      message_matcher))(std::string(status.message()));
}

// StatusIs(code): any message.
inline auto StatusIs(absl::StatusCode code) { return StatusIs(code, ::testing::_); }

}  // namespace swarmkv::testing

#define SWARMKV_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  SWARMKV_ASSERT_OK_AND_ASSIGN_IMPL_(SWARMKV_STATUS_CONCAT_(statusor_, __LINE__), lhs, expr)
#define SWARMKV_ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                       \
  ASSERT_TRUE(statusor.ok()) << statusor.status();              \
  lhs = std::move(statusor).value()

#endif  // SWARMKV_TESTING_STATUS_MATCHERS_H_
