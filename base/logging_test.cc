#include "base/logging.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spdlog/sinks/ostream_sink.h"
#include "testing/status_matchers.h"

namespace swarmkv {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogSink(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
    SetLogLevel(LogLevel::kInfo);
  }
  void TearDown() override { SetLogSink(nullptr); }
  std::ostringstream out_;
};

TEST_F(LoggingTest, OneLinePerEventWithFields) {
  LogEvent(LogLevel::kInfo, "store.opened",
           {{"path", "/tmp/x"}, {"blocks", 12}, {"sync", true}, {"ratio", 0.5}});
  const std::string line = out_.str();
  EXPECT_THAT(line, HasSubstr(" info store.opened path=/tmp/x blocks=12 sync=true ratio=0.5"));
  EXPECT_THAT(line, EndsWith("\n"));
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
}

TEST_F(LoggingTest, ValuesFromTheNetworkCannotForgeLines) {
  LogEvent(LogLevel::kWarn, "peer.bad", {{"name", "x\ninfo forged=1 \"q\""}});
  const std::string line = out_.str();
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  EXPECT_THAT(line, HasSubstr("name=\"x\\ninfo forged=1 \\\"q\\\"\""));
}

TEST_F(LoggingTest, LevelFilters) {
  LogEvent(LogLevel::kDebug, "hidden");
  EXPECT_EQ(out_.str(), "");
  ASSERT_THAT(SetLogLevel("debug"), testing::IsOk());
  LogEvent(LogLevel::kDebug, "shown");
  EXPECT_THAT(out_.str(), HasSubstr("shown"));
  EXPECT_THAT(SetLogLevel("loud"),
              testing::StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("loud")));
}

TEST_F(LoggingTest, StatusField) {
  LogEvent(LogLevel::kError, "write.failed", {{"status", absl::DataLossError("bad block")}});
  EXPECT_THAT(out_.str(), HasSubstr("status=DATA_LOSS status_message=\"bad block\""));
  EXPECT_THAT(out_.str(), Not(HasSubstr("\n\n")));
}

}  // namespace
}  // namespace swarmkv
