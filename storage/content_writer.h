// ContentWriter: streams content of any size into a BlockStore, cutting it into chunks,
// encrypting them (DESIGN §3.1), and building a tree of manifest nodes over them. Memory stays
// bounded by one chunk plus one partial manifest node per tree level, whatever the size.
// Format: docs/manifest-format.md.
//
// A writer that is destroyed without Finish() leaves only unpinned blocks and no root: nothing
// is visible, and garbage collection reclaims them.
//
// Thread safety: one writer is used by one thread at a time.
#ifndef SWARMKV_STORAGE_CONTENT_WRITER_H_
#define SWARMKV_STORAGE_CONTENT_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "crypto/capability.h"
#include "storage/block_store.h"
#include "storage/manifest.h"

namespace swarmkv {

inline constexpr size_t kDefaultChunkSize = 256u << 10;
inline constexpr size_t kMaxChunkSize = 1u << 20;
inline constexpr size_t kDefaultFanout = 4096;

struct ContentWriterOptions {
  ContentMode mode = ContentMode::kRandom;
  // Plaintext bytes per chunk: 1 to kMaxChunkSize.
  size_t chunk_size = kDefaultChunkSize;
  // Links per manifest node: 2 to kMaxManifestLinks. Small values only make sense in tests.
  size_t fanout = kDefaultFanout;
  HashFunction hash = HashFunction::kSha2_256;
  // The cluster secret that convergent keys are derived under; required for kConvergent.
  // Not owned; must outlive the writer.
  const SecretBytes* convergence_secret = nullptr;
  // Pin the content when it is finished, under `pin_name`.
  bool pin = false;
  std::string pin_name;
};

struct ContentInfo {
  Capability capability;  // root CID, and the key for encrypted content
  uint64_t size = 0;      // plaintext bytes
  uint64_t chunks = 0;
};

class ContentWriter {
 public:
  // INVALID_ARGUMENT for options out of range, or kConvergent without a 32-byte secret.
  // `store` must outlive the writer.
  static absl::StatusOr<std::unique_ptr<ContentWriter>> Create(BlockStore& store,
                                                               ContentWriterOptions options);
  ~ContentWriter();

  // Appends `data` to the content. Errors from the store are returned as they are.
  absl::Status Write(absl::string_view data);
  // True when Write(`bytes` bytes) would only copy them into the chunk buffer: no crypto and no
  // store write, so a caller on a thread that must not block may do it there.
  bool WriteOnlyBuffers(size_t bytes) const { return buffer_.size() + bytes < options_.chunk_size; }
  // Writes what is left and the root, pins if asked, and returns the capability. With kDeferred
  // the content is durable only after the caller's BlockStore::SyncWrites() (the API overlaps
  // that fsync with replication).
  // REQUIRES: called once; Write is not called after it.
  absl::StatusOr<ContentInfo> Finish(
      absl::Time now = absl::Now(),
      BlockStore::Durability durability = BlockStore::Durability::kPerOptions);

 private:
  struct Child {
    Cid cid;
    uint64_t size;
    SecretBytes key;  // empty in plain mode
  };
  ContentWriter(BlockStore& store, ContentWriterOptions options);
  absl::Status FlushChunk();
  absl::Status AddChild(size_t level, Child child);
  absl::StatusOr<Child> WriteNode(std::vector<Child>& children);
  // Every block goes through here: staged while the content is small, written at once after.
  absl::StatusOr<Cid> WriteBlock(Codec codec, absl::string_view data);
  SecretBytes DeriveKey(absl::string_view domain, absl::string_view plaintext) const;

  BlockStore& store_;
  const ContentWriterOptions options_;
  BlockStore::WriteSession session_;
  std::string buffer_;                      // the chunk being filled
  std::vector<std::vector<Child>> levels_;  // levels_[0]: chunks; above: manifest nodes
  uint64_t size_ = 0;
  uint64_t chunks_ = 0;
  bool finished_ = false;
  // A small content's blocks wait here and go to the store in one write with the pin. Once
  // they pass kMaxStagedBytes they are written and staging stops for this content.
  BlockStore::StagedBlocks staged_;
  bool staging_ = true;
};

}  // namespace swarmkv

#endif  // SWARMKV_STORAGE_CONTENT_WRITER_H_
