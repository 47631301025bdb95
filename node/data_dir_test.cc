#include "node/data_dir.h"

#include <sys/stat.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::IsOk;
using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;

// Issue 15 finding 9: a data directory others may write to was accepted.
TEST(DataDirTest, IsCreatedPrivateAndRefusedWhenOthersMayWriteIt) {
  swarmkv::testing::TempDir temp;
  const std::string path = temp.Sub("node");
  {
    absl::StatusOr<DataDir> dir = DataDir::Open(path, BlockStoreOptions{});
    ASSERT_THAT(dir.status(), IsOk());
  }
  struct stat info;
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 077, 0u);
  for (mode_t mode : {0777, 0770, 0702}) {
    ASSERT_EQ(chmod(path.c_str(), mode), 0);
    EXPECT_THAT(DataDir::Open(path, BlockStoreOptions{}).status(),
                StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("chmod 700")))
        << mode;
  }
  ASSERT_EQ(chmod(path.c_str(), 0750), 0);  // readable by the group is fine
  EXPECT_THAT(DataDir::Open(path, BlockStoreOptions{}).status(), IsOk());
}

}  // namespace
}  // namespace swarmkv
