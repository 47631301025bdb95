#include "node/convergence_secret.h"

#include <sys/stat.h>

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "node/data_dir.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::IsOk;
using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kSecretHex[] = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";

std::string WriteFile(const swarmkv::testing::TempDir& temp, const std::string& text,
                      mode_t mode = 0600) {
  const std::string path = temp.Sub("secret");
  std::ofstream(path, std::ios::trunc) << text;
  chmod(path.c_str(), mode);
  return path;
}

TEST(ConvergenceSecretTest, ReadsHexWithSurroundingWhitespace) {
  swarmkv::testing::TempDir temp;
  absl::StatusOr<SecretBytes> secret =
      ReadConvergenceSecretFile(WriteFile(temp, std::string("  ") + kSecretHex + "\n"));
  ASSERT_THAT(secret.status(), IsOk());
  ASSERT_EQ(secret->size(), kConvergenceSecretBytes);
  EXPECT_EQ(secret->data()[0], 0x00);
  EXPECT_EQ(secret->data()[31], 0xff);
}

TEST(ConvergenceSecretTest, AllowsTheGroupBitsKubernetesSetsButNotOthers) {
  swarmkv::testing::TempDir temp;
  EXPECT_THAT(ReadConvergenceSecretFile(WriteFile(temp, kSecretHex, 0440)).status(), IsOk());
  EXPECT_THAT(ReadConvergenceSecretFile(WriteFile(temp, kSecretHex, 0644)).status(),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("chmod o-rwx")));
}

TEST(ConvergenceSecretTest, RefusesWhatIsNotThirtyTwoHexBytes) {
  swarmkv::testing::TempDir temp;
  for (const std::string& text :
       {std::string(""), std::string(kSecretHex).substr(2), std::string(kSecretHex) + "00",
        std::string(kSecretHex).replace(5, 1, "x"), std::string(4096, 'a')}) {
    EXPECT_THAT(ReadConvergenceSecretFile(WriteFile(temp, text)).status(),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("openssl rand -hex 32")))
        << text.size();
  }
  EXPECT_THAT(ReadConvergenceSecretFile(temp.Sub("missing")).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("missing")));
}

// The Compose finding: identical content put in convergent mode on two nodes got two CIDs,
// because each node made its own secret. Two data dirs given one secret now hold the same one,
// and make no convergence.key of their own.
TEST(ConvergenceSecretTest, DataDirsGivenTheClusterSecretShareItAndMakeNoneOfTheirOwn) {
  swarmkv::testing::TempDir temp;
  absl::StatusOr<SecretBytes> shared = ReadConvergenceSecretFile(WriteFile(temp, kSecretHex));
  ASSERT_THAT(shared.status(), IsOk());
  absl::StatusOr<DataDir> a = DataDir::Open(temp.Sub("a"), {}, nullptr, &*shared);
  absl::StatusOr<DataDir> b = DataDir::Open(temp.Sub("b"), {}, nullptr, &*shared);
  ASSERT_THAT(a.status(), IsOk());
  ASSERT_THAT(b.status(), IsOk());
  EXPECT_EQ(a->convergence_secret().view(), shared->view());
  EXPECT_EQ(b->convergence_secret().view(), shared->view());
  struct stat info;
  EXPECT_NE(stat((temp.Sub("a") + "/convergence.key").c_str(), &info), 0);

  absl::StatusOr<DataDir> own = DataDir::Open(temp.Sub("c"));
  ASSERT_THAT(own.status(), IsOk());
  EXPECT_NE(own->convergence_secret().view(), shared->view());
}

}  // namespace
}  // namespace swarmkv
