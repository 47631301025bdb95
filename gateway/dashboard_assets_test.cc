#include "gateway/dashboard_assets.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace swarmkv {
namespace {

// The compiled-in files are the ones in gateway/dashboard/, byte for byte.
TEST(DashboardAssetsTest, EveryFileIsCompiledInAsItIs) {
  ASSERT_EQ(DashboardAssets().size(), 3u);
  for (const DashboardAsset& asset : DashboardAssets()) {
    std::ifstream in(
        std::string(SWARMKV_SOURCE_DIR "/gateway/dashboard/") + std::string(asset.name),
        std::ios::binary);
    ASSERT_TRUE(in) << asset.name;
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_TRUE(text.str() == asset.body) << asset.name;
  }
  EXPECT_EQ(DashboardAssets()[0].name, "index.html");
  EXPECT_EQ(DashboardAssets()[0].content_type, "text/html; charset=utf-8");
  EXPECT_EQ(DashboardAssets()[2].content_type, "text/javascript; charset=utf-8");
}

}  // namespace
}  // namespace swarmkv
