#include "crypto/key_file.h"

#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::IsOk;
using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;

// Cheapest Argon2id parameters libsodium allows: tests stay fast; the format is the same.
constexpr PassphraseCost kFastCost{1, 8192};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(KeyFileTest, WritesMode0600AndReadsBack) {
  testing::TempDir dir;
  const std::string path = dir.Sub("storage.key");
  const SecretBytes key = SecretBytes::Random(32);
  ASSERT_THAT(WriteKeyFile(path, KeyKind::kStorage, key), IsOk());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  SWARMKV_ASSERT_OK_AND_ASSIGN(SecretBytes got, ReadKeyFile(path, KeyKind::kStorage));
  EXPECT_TRUE(got.Equals(key));
}

TEST(KeyFileTest, RefusesFilesOthersCanRead) {
  testing::TempDir dir;
  const std::string path = dir.Sub("identity.key");
  ASSERT_THAT(WriteKeyFile(path, KeyKind::kIdentity, SecretBytes::Random(32)), IsOk());
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  EXPECT_THAT(ReadKeyFile(path, KeyKind::kIdentity),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("chmod 600")));
}

TEST(KeyFileTest, NeverOverwritesAndChecksKind) {
  testing::TempDir dir;
  const std::string path = dir.Sub("k");
  ASSERT_THAT(WriteKeyFile(path, KeyKind::kStorage, SecretBytes::Random(32)), IsOk());
  EXPECT_THAT(WriteKeyFile(path, KeyKind::kStorage, SecretBytes::Random(32)),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("never overwrites")));
  EXPECT_THAT(ReadKeyFile(path, KeyKind::kIdentity),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("storage key")));
  EXPECT_THAT(ReadKeyFile(dir.Sub("missing"), KeyKind::kStorage),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing")));
}

TEST(KeyFileTest, PassphraseWrapping) {
  testing::TempDir dir;
  const std::string path = dir.Sub("storage.key");
  const SecretBytes key = SecretBytes::Random(32);
  const SecretBytes pass(std::string("correct horse battery staple"));
  ASSERT_THAT(WriteKeyFile(path, KeyKind::kStorage, key, &pass, kFastCost), IsOk());
  // The key itself is not in the file.
  EXPECT_EQ(ReadAll(path).find(std::string(key.view())), std::string::npos);
  SWARMKV_ASSERT_OK_AND_ASSIGN(SecretBytes got, ReadKeyFile(path, KeyKind::kStorage, &pass));
  EXPECT_TRUE(got.Equals(key));
  const SecretBytes wrong(std::string("wrong"));
  EXPECT_THAT(ReadKeyFile(path, KeyKind::kStorage, &wrong),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("wrong passphrase")));
  EXPECT_THAT(ReadKeyFile(path, KeyKind::kStorage),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("passphrase")));
}

TEST(KeyFileTest, DamagedFilesAreDataLoss) {
  testing::TempDir dir;
  const std::string path = dir.Sub("k");
  {
    std::ofstream out(path, std::ios::binary);
    out << "not a key file";
  }
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  EXPECT_THAT(ReadKeyFile(path, KeyKind::kStorage),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("damaged")));
}

TEST(KeyFileTest, LoadOrCreateIsStable) {
  testing::TempDir dir;
  const std::string path = dir.Sub("k");
  SWARMKV_ASSERT_OK_AND_ASSIGN(SecretBytes a, LoadOrCreateKeyFile(path, KeyKind::kStorage, 32));
  SWARMKV_ASSERT_OK_AND_ASSIGN(SecretBytes b, LoadOrCreateKeyFile(path, KeyKind::kStorage, 32));
  EXPECT_TRUE(a.Equals(b));
  EXPECT_EQ(a.size(), 32u);
}

}  // namespace
}  // namespace swarmkv
