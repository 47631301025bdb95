#include "base/host_port.h"

#include "gtest/gtest.h"

namespace swarmkv {
namespace {

TEST(HostPortTest, SplitsAtTheLastColon) {
  auto v4 = ParseHostPort("127.0.0.1:7420");
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 7420);
  auto v6 = ParseHostPort("[::1]:80");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->host, "[::1]");
  for (const char* bad : {"", "host", "host:", ":80", "host:0", "host:65536", "host:x"}) {
    EXPECT_FALSE(ParseHostPort(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace swarmkv
