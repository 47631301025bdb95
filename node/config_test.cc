#include "node/config.h"

#include <cstdlib>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::IsOk;
using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ConfigTest, DefaultFileParsesToTheDefaults) {
  NodeConfig parsed;
  parsed.api_listen = "changed";
  ASSERT_THAT(ApplyConfigToml(DefaultConfigToml(), "default", &parsed), IsOk());
  const NodeConfig defaults;
  EXPECT_EQ(parsed.api_listen, defaults.api_listen);
  EXPECT_EQ(parsed.api_max_chunk_bytes, defaults.api_max_chunk_bytes);
  EXPECT_EQ(parsed.store_sync_writes, defaults.store_sync_writes);
  EXPECT_EQ(parsed.store_verify_hash_on_read, defaults.store_verify_hash_on_read);
  EXPECT_EQ(parsed.store_scrub_interval, defaults.store_scrub_interval);
  EXPECT_EQ(parsed.store_scrub_max_cpu_percent, defaults.store_scrub_max_cpu_percent);
  EXPECT_THAT(ValidateConfig(parsed), IsOk());
}

TEST(ConfigTest, FileThenEnvironment) {
  NodeConfig config;
  ASSERT_THAT(ApplyConfigToml("[api]\nlisten = \"127.0.0.1:7000\"\n[store]\nquota_bytes = 99\n"
                              "verify_hash_on_read = true\nscrub_interval = \"24h\"\n",
                              "f", &config),
              IsOk());
  EXPECT_TRUE(config.store_verify_hash_on_read);
  EXPECT_EQ(config.store_scrub_interval, "24h");
  EXPECT_EQ(config.api_listen, "127.0.0.1:7000");
  EXPECT_EQ(config.store_quota_bytes, 99u);
  setenv("SWARMKV_STORE_QUOTA_BYTES", "7", 1);
  setenv("SWARMKV_STORE_SYNC_WRITES", "false", 1);
  ASSERT_THAT(ApplyEnvironment(&config), IsOk());
  unsetenv("SWARMKV_STORE_QUOTA_BYTES");
  unsetenv("SWARMKV_STORE_SYNC_WRITES");
  EXPECT_EQ(config.store_quota_bytes, 7u);  // the environment wins over the file
  EXPECT_FALSE(config.store_sync_writes);
  EXPECT_EQ(config.api_listen, "127.0.0.1:7000");  // untouched by the environment
}

TEST(ConfigTest, BadInputIsAClearError) {
  NodeConfig config;
  EXPECT_THAT(ApplyConfigToml("[api]\nlisten = 5\n", "cfg.toml", &config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("api.listen")));
  EXPECT_THAT(ApplyConfigToml("[api]\nlisen = \"unix\"\n", "cfg.toml", &config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown key api.lisen")));
  EXPECT_THAT(ApplyConfigToml("[nope]\n", "cfg.toml", &config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown section [nope]")));
  EXPECT_THAT(ApplyConfigToml("[api\n", "cfg.toml", &config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cfg.toml:")));
  // Numbers of the wrong kind are refused, not converted (a float past int64 was undefined
  // behaviour in the conversion; found by fuzz_config).
  EXPECT_THAT(ApplyConfigToml("[api]\nmax_chunk_bytes = 2.4e96\n", "cfg.toml", &config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("wrong type")));
  EXPECT_THAT(ApplyConfigToml("[api]\nmax_concurrent_calls = 8.6\n", "cfg.toml", &config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("wrong type")));
  EXPECT_THAT(ApplyConfigToml("[store]\nsync_writes = 1\n", "cfg.toml", &config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("wrong type")));
  setenv("SWARMKV_STORE_QUOTA_BYTES", "lots", 1);
  EXPECT_THAT(ApplyEnvironment(&config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("SWARMKV_STORE_QUOTA_BYTES")));
  unsetenv("SWARMKV_STORE_QUOTA_BYTES");
  setenv("SWARMKV_STORE_VERIFY_HASH_ON_READ", "maybe", 1);
  EXPECT_THAT(ApplyEnvironment(&config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("SWARMKV_STORE_VERIFY_HASH_ON_READ=maybe must be true or false")));
  unsetenv("SWARMKV_STORE_VERIFY_HASH_ON_READ");
  config = NodeConfig();
  config.api_listen = "nowhere";
  EXPECT_THAT(ValidateConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("host:port")));
  config = NodeConfig();
  config.store_scrub_interval = "weekly";
  EXPECT_THAT(ValidateConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("store.scrub_interval")));
  config = NodeConfig();
  config.store_scrub_max_cpu_percent = 0;
  EXPECT_THAT(ValidateConfig(config), StatusIs(absl::StatusCode::kInvalidArgument,
                                               HasSubstr("store.scrub_max_cpu_percent")));
}

TEST(ConfigTest, PeerSettingsFromFileAndEnvironment) {
  NodeConfig config;
  ASSERT_THAT(ApplyConfigToml("[peer]\nlisten = \"127.0.0.1:0\"\n"
                              "bootstrap = [\"10.0.0.1:7420\", \"10.0.0.2:7420\"]\n"
                              "replication_factor = 5\nwrite_quorum = 3\n"
                              "maintenance_interval = \"2s\"\n",
                              "f", &config),
              IsOk());
  EXPECT_EQ(config.peer_listen, "127.0.0.1:0");
  EXPECT_EQ(config.peer_bootstrap, (std::vector<std::string>{"10.0.0.1:7420", "10.0.0.2:7420"}));
  EXPECT_EQ(config.replication_factor, 5u);
  EXPECT_THAT(ValidateConfig(config), IsOk());
  setenv("SWARMKV_PEER_BOOTSTRAP", "a:1, b:2", 1);
  ASSERT_THAT(ApplyEnvironment(&config), IsOk());
  unsetenv("SWARMKV_PEER_BOOTSTRAP");
  EXPECT_EQ(config.peer_bootstrap, (std::vector<std::string>{"a:1", "b:2"}));
}

TEST(ConfigTest, BadPeerSettingsAreClearErrors) {
  NodeConfig config;
  EXPECT_THAT(ApplyConfigToml("[peer]\nbootstrap = [1]\n", "cfg.toml", &config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("peer.bootstrap")));
  config.write_quorum = 4;
  EXPECT_THAT(ValidateConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("write_quorum")));
  config = NodeConfig();
  config.maintenance_interval = "10ms";
  EXPECT_THAT(ValidateConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("maintenance_interval")));
  config = NodeConfig();
  config.peer_bootstrap = {"no-port"};
  EXPECT_THAT(ValidateConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no-port")));
}

TEST(ConfigTest, TheHttpGatewayListenAndItsOlderName) {
  NodeConfig config;
  EXPECT_EQ(HttpListen(config), "");
  ASSERT_THAT(ApplyConfigToml("[http]\nlisten = \"8080\"\n", "cfg.toml", &config), IsOk());
  EXPECT_EQ(HttpListen(config), "127.0.0.1:8080");  // a port alone is loopback
  EXPECT_THAT(ValidateConfig(config), IsOk());
  config = NodeConfig();
  config.metrics_listen = "127.0.0.1:9100";
  EXPECT_EQ(HttpListen(config), "127.0.0.1:9100");
  config.http_listen = "127.0.0.1:9100";
  EXPECT_THAT(ValidateConfig(config), IsOk());
  config.http_listen = "127.0.0.1:9200";
  EXPECT_THAT(ValidateConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("older name of http.listen")));
  config = NodeConfig();
  config.http_listen = "host:port:x";
  EXPECT_THAT(ValidateConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("http.listen")));
}

TEST(ConfigTest, AGatewayOtherHostsCanReachNeedsTheApiToken) {
  NodeConfig config;
  config.http_listen = "0.0.0.0:8080";
  EXPECT_THAT(ValidateConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("http.listen")));
  config.api_token = "a-token";
  EXPECT_THAT(ValidateConfig(config), IsOk());
  config.api_token.clear();
  config.api_insecure_allow_no_token = true;
  EXPECT_THAT(ValidateConfig(config), IsOk());
}

// Issue 15 finding 8: a TCP API on 0.0.0.0 without a token answered anyone.
TEST(ConfigTest, AnApiOtherHostsCanReachNeedsATokenOrALoudOptOut) {
  NodeConfig config;
  config.api_listen = "0.0.0.0:5001";
  EXPECT_THAT(ValidateConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("--insecure-allow-api-without-token")));
  config.api_listen = "192.168.1.4:5001";
  EXPECT_FALSE(ValidateConfig(config).ok());
  for (const char* loopback : {"127.0.0.1:5001", "localhost:5001", "[::1]:5001"}) {
    config.api_listen = loopback;
    EXPECT_THAT(ValidateConfig(config), IsOk()) << loopback;
  }
  config.api_listen = "0.0.0.0:5001";
  config.api_token = "s3cret";
  EXPECT_THAT(ValidateConfig(config), IsOk());
  config.api_token.clear();
  config.api_insecure_allow_no_token = true;
  EXPECT_THAT(ValidateConfig(config), IsOk());
}

TEST(ConfigTest, TheTokenCanComeFromAFile) {
  swarmkv::testing::TempDir temp;
  const std::string path = temp.Sub("token");
  {
    std::ofstream out(path);
    out << "from-a-secret\n";
  }
  NodeConfig config;
  config.api_token_file = path;
  ASSERT_THAT(LoadTokenFile(&config), IsOk());
  EXPECT_EQ(config.api_token, "from-a-secret");
  config.api_token_file = path;  // both set: refused
  EXPECT_THAT(LoadTokenFile(&config), StatusIs(absl::StatusCode::kInvalidArgument));
  NodeConfig missing;
  missing.api_token_file = temp.Sub("nope");
  EXPECT_THAT(LoadTokenFile(&missing), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ConfigTest, NodeSettingsAndAnExplicitConfigFile) {
  swarmkv::testing::TempDir temp;
  NodeConfig config;
  config.data_dir = temp.Sub("data");
  EXPECT_THAT(ApplyConfigFile(&config), IsOk());  // no <data>/config.toml: defaults
  EXPECT_EQ(config.shutdown_grace, "5s");
  EXPECT_THAT(ApplyConfigFile(&config, temp.Sub("missing.toml")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("missing.toml")));
  const std::string path = temp.Sub("mounted.toml");
  std::ofstream(path) << "[node]\nconvergence_secret_file = \"/run/s\"\nshutdown_grace = \"2s\"\n";
  ASSERT_THAT(ApplyConfigFile(&config, path), IsOk());
  EXPECT_EQ(config.convergence_secret_file, "/run/s");
  EXPECT_EQ(config.shutdown_grace, "2s");
  setenv("SWARMKV_SHUTDOWN_GRACE", "1s", 1);
  ASSERT_THAT(ApplyEnvironment(&config), IsOk());
  unsetenv("SWARMKV_SHUTDOWN_GRACE");
  EXPECT_EQ(config.shutdown_grace, "1s");
  EXPECT_THAT(ValidateConfig(config), IsOk());
  config.shutdown_grace = "soon";
  EXPECT_THAT(ValidateConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("node.shutdown_grace")));
}

TEST(ConfigTest, ApiTarget) {
  NodeConfig config;
  config.data_dir = "/d";
  EXPECT_EQ(ApiTarget(config), "unix:/d/api.sock");
  config.api_listen = "127.0.0.1:1";
  EXPECT_EQ(ApiTarget(config), "127.0.0.1:1");
}

}  // namespace
}  // namespace swarmkv
