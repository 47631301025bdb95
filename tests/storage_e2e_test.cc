// End-to-end facts about the store on a real RocksDB in a temp dir (issue #2, §5).
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>

#include "crypto/encoding.h"
#include "crypto/key_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/block_store.h"
#include "storage/content_reader.h"
#include "storage/content_writer.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"
#include "tests/test_content.h"

extern char** environ;

namespace swarmkv {
namespace {

using ::swarmkv::testing::IsOk;
using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;

absl::StatusOr<Digest256> ReadDigest(const BlockStore& store, const Capability& cap) {
  auto reader = ContentReader::Open(store, cap);
  if (!reader.ok()) return reader.status();
  Sha256Hasher hasher;
  std::string piece;
  while (true) {
    auto more = (*reader)->Next(&piece);
    if (!more.ok()) return more.status();
    if (!*more) break;
    hasher.Update(piece);
  }
  return hasher.Finish();
}

class StorageE2eTest : public ::testing::TestWithParam<ContentMode> {
 protected:
  std::unique_ptr<BlockStore> Open() {
    auto store = BlockStore::Open(dir_.Sub("store"), storage_key_);
    EXPECT_TRUE(store.ok()) << store.status();
    return std::move(store).value_or(nullptr);
  }
  ContentWriterOptions Options() {
    ContentWriterOptions o;
    o.mode = GetParam();
    o.convergence_secret = &convergence_;
    return o;
  }

  testing::TempDir dir_;
  SecretBytes storage_key_ = SecretBytes::Random(32);
  SecretBytes convergence_ = SecretBytes::Random(32);
};

TEST_P(StorageE2eTest, RoundTripsOfEverySizeThroughReopen) {
  const uint64_t chunk = kDefaultChunkSize;
  const std::vector<uint64_t> sizes = {0, 1, chunk, chunk + 1, 100ull << 20};
  std::vector<std::string> uris;
  {
    auto store = Open();
    for (size_t i = 0; i < sizes.size(); ++i) {
      auto writer = std::move(ContentWriter::Create(*store, Options())).value();
      ASSERT_THAT(WriteTestContent(i + 1, sizes[i], *writer), IsOk());
      SWARMKV_ASSERT_OK_AND_ASSIGN(ContentInfo info, writer->Finish());
      EXPECT_EQ(info.size, sizes[i]);
      EXPECT_EQ(info.chunks, std::max<uint64_t>(1, (sizes[i] + chunk - 1) / chunk));
      uris.push_back(info.capability.ToUri());
    }
  }
  auto store = Open();  // everything comes back after a clean close and reopen
  for (size_t i = 0; i < sizes.size(); ++i) {
    SWARMKV_ASSERT_OK_AND_ASSIGN(Capability cap, Capability::Parse(uris[i]));
    SWARMKV_ASSERT_OK_AND_ASSIGN(Digest256 digest, ReadDigest(*store, cap));
    EXPECT_EQ(digest, TestContentDigest(i + 1, sizes[i])) << "size " << sizes[i];
  }
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_P(StorageE2eTest, NoPlaintextOrKeyAtRest) {
  // A marker that cannot occur by chance, repeated through several chunks.
  const std::string marker = "SWARMKV-PLAINTEXT-MARKER-" + HexEncode(SecretBytes::Random(8).view());
  std::string content;
  while (content.size() < 3 * kDefaultChunkSize) content += marker + " ";
  std::string key_b64;
  std::string key_raw;
  {
    auto store = Open();
    auto writer = std::move(ContentWriter::Create(*store, Options())).value();
    ASSERT_THAT(writer->Write(content), IsOk());
    SWARMKV_ASSERT_OK_AND_ASSIGN(ContentInfo info, writer->Finish());
    if (info.capability.has_key()) {
      key_raw = std::string(info.capability.key().view());
      key_b64 = Base64UrlEncode(key_raw);
    }
    // And a small one, stored as a single block in plain mode.
    auto small = std::move(ContentWriter::Create(*store, Options())).value();
    ASSERT_THAT(small->Write(marker), IsOk());
    ASSERT_THAT(small->Finish(), IsOk());
  }
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const std::string bytes = ReadFile(entry.path());
    EXPECT_EQ(bytes.find(marker), std::string::npos) << "plaintext in " << entry.path();
    // Any 16-byte window of the marker would do; check a shorter one too.
    EXPECT_EQ(bytes.find(marker.substr(5, 16)), std::string::npos) << entry.path();
    if (!key_raw.empty()) {
      EXPECT_EQ(bytes.find(key_raw), std::string::npos) << "content key in " << entry.path();
      EXPECT_EQ(bytes.find(key_b64), std::string::npos) << "content key in " << entry.path();
    }
    EXPECT_EQ(bytes.find(std::string(convergence_.view())), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.find(std::string(storage_key_.view())), std::string::npos) << entry.path();
  }
  EXPECT_GT(files, 3);  // RocksDB wrote its WAL, manifest and options files
}

TEST_P(StorageE2eTest, BadCapabilitiesFailClearlyAndLoseNothing) {
  auto store = Open();
  auto writer = std::move(ContentWriter::Create(*store, Options())).value();
  ASSERT_THAT(WriteTestContent(5, 1000, *writer), IsOk());
  SWARMKV_ASSERT_OK_AND_ASSIGN(ContentInfo info, writer->Finish());
  const std::string uri = info.capability.ToUri();

  EXPECT_THAT(Capability::Parse(uri.substr(0, uri.size() - 4)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  EXPECT_THAT(Capability::Parse("swarmkv://bafy-not-a-cid"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("CID")));
  if (info.capability.has_key()) {
    const Capability wrong(info.capability.root(), SecretBytes::Random(32));
    EXPECT_THAT(ReadDigest(*store, wrong),
                StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("does not open")));
  }
  SWARMKV_ASSERT_OK_AND_ASSIGN(Digest256 digest, ReadDigest(*store, info.capability));
  EXPECT_EQ(digest, TestContentDigest(5, 1000));
}

INSTANTIATE_TEST_SUITE_P(AllModes, StorageE2eTest,
                         ::testing::Values(ContentMode::kRandom, ContentMode::kConvergent,
                                           ContentMode::kPlain),
                         [](const auto& info) { return std::string(ContentModeName(info.param)); });

TEST(StorageCrashTest, EveryAcknowledgedPutSurvivesSigkill) {
  testing::TempDir dir;
  const SecretBytes key = SecretBytes::Random(32);
  ASSERT_THAT(WriteKeyFile(dir.Sub("storage.key"), KeyKind::kStorage, key), IsOk());

  int out[2];
  ASSERT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::string helper = SWARMKV_CRASH_WRITER;
  std::string data = dir.path();
  char* argv[] = {helper.data(), data.data(), nullptr};
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, helper.c_str(), &actions, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);

  // Read acknowledgements until enough arrived, then kill the writer mid-stream.
  FILE* acks = fdopen(out[0], "r");
  std::vector<std::pair<uint64_t, std::string>> acknowledged;
  char line[512];
  while (acknowledged.size() < 25 && std::fgets(line, sizeof(line), acks) != nullptr) {
    std::istringstream in(line);
    uint64_t seed;
    std::string uri;
    in >> seed >> uri;
    acknowledged.emplace_back(seed, uri);
  }
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "the writer exited by itself: " << wstatus;
  // Lines it printed before dying were acknowledged too.
  while (std::fgets(line, sizeof(line), acks) != nullptr) {
    std::istringstream in(line);
    uint64_t seed;
    std::string uri;
    if (in >> seed >> uri) acknowledged.emplace_back(seed, uri);
  }
  std::fclose(acks);
  ASSERT_GE(acknowledged.size(), 25u);

  SWARMKV_ASSERT_OK_AND_ASSIGN(auto store, BlockStore::Open(dir.Sub("store"), key));
  for (const auto& [seed, uri] : acknowledged) {
    SWARMKV_ASSERT_OK_AND_ASSIGN(Capability cap, Capability::Parse(uri));
    SWARMKV_ASSERT_OK_AND_ASSIGN(Digest256 digest, ReadDigest(*store, cap));
    EXPECT_EQ(digest, TestContentDigest(seed, TestContentSize(seed))) << "seed " << seed;
    EXPECT_TRUE(*store->IsPinned(cap.root()));
  }
  // The writer may have committed one more put whose acknowledgement it never got to print:
  // durable but unacknowledged, which is allowed. Nothing beyond that one.
  EXPECT_GE(store->Stats().pinned_roots, acknowledged.size());
  EXPECT_LE(store->Stats().pinned_roots, acknowledged.size() + 1);
}

}  // namespace
}  // namespace swarmkv
