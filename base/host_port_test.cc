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
  EXPECT_TRUE(ParseHostPort("swarmkv-node_1.example:4001").has_value());
  // Issue 15 finding 7: peers handed over gRPC targets of other schemes; none may pass.
  for (const char* bad : {"", "host", "host:", ":80", "host:0", "host:65536", "host:x",
                          "unix:/tmp/sock:1", "unix-abstract:x:1", "ipv4:127.0.0.1:80",
                          "dns:///h:80", "user@host:80", "[::1:80", "a b:80", "h/x:80"}) {
    EXPECT_FALSE(ParseHostPort(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace swarmkv
