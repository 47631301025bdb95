#include "node/progress.h"

#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swarmkv {
namespace {

using ::testing::HasSubstr;

TEST(ProgressTest, FormatsBytesPercentRateAndTimeLeft) {
  EXPECT_EQ(FormatProgress(50u << 20, 100u << 20, absl::Seconds(5)),
            "    50.0 MiB of 100.0 MiB   50%     10.0 MiB/s  0:05 left");
  EXPECT_EQ(FormatProgress(10u << 20, std::nullopt, absl::Seconds(2)),
            "    10.0 MiB      5.0 MiB/s");
  EXPECT_THAT(FormatProgress(0, 100u << 20, absl::ZeroDuration()), HasSubstr("--:-- left"));
  EXPECT_THAT(FormatProgress(600u << 20, 3000ull << 20, absl::Seconds(60)), HasSubstr("4:00 left"));
}

TEST(ProgressTest, ShowsOnlyOnATerminalForLargeTransfersAndNotWhenQuiet) {
  auto written = [](bool enabled, bool terminal, uint64_t done) {
    char buffer[512] = {};
    FILE* out = fmemopen(buffer, sizeof(buffer) - 1, "w");
    {
      Progress progress(enabled, out, terminal);
      progress.set_total(64u << 20);
      progress.Update(done);
    }
    std::fclose(out);
    return std::string(buffer);
  };
  EXPECT_THAT(written(true, true, 64u << 20), HasSubstr("64.0 MiB of 64.0 MiB  100%"));
  EXPECT_EQ(written(true, false, 64u << 20), "");  // not a terminal (a pipe, a file)
  EXPECT_EQ(written(false, true, 64u << 20), "");  // --quiet
  EXPECT_EQ(written(true, true, 1u << 20), "");    // too small to bother
}

}  // namespace
}  // namespace swarmkv
