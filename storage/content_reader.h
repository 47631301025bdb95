// ContentReader: streams content back out of a BlockStore by capability, verifying every block
// against its CID and decrypting it, optionally only a byte range. Memory stays bounded by one
// chunk plus one manifest node per tree level.
//
// Error codes:
//   NOT_FOUND           a block of the content is not in the store
//   FAILED_PRECONDITION the content is encrypted and the capability has no key
//   PERMISSION_DENIED   the key in the capability does not open the content
//   DATA_LOSS           a block is damaged, or the content's structure is inconsistent
//   INVALID_ARGUMENT    the byte range starts past the end
//
// Thread safety: one reader is used by one thread at a time.
#ifndef SWARMKV_STORAGE_CONTENT_READER_H_
#define SWARMKV_STORAGE_CONTENT_READER_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crypto/capability.h"
#include "storage/block_store.h"
#include "storage/manifest.h"

namespace swarmkv {

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = std::numeric_limits<uint64_t>::max();  // to the end
};

class ContentReader {
 public:
  // Reads the root and checks the key. `store` (local or network-backed) must outlive the reader.
  static absl::StatusOr<std::unique_ptr<ContentReader>> Open(const BlockSource& store,
                                                             const Capability& capability,
                                                             ByteRange range = {});

  // Plaintext size of the whole content (not of the range).
  uint64_t size() const { return size_; }
  ContentMode mode() const { return mode_; }

  // Bytes the range covers (it was clipped to the content at Open).
  uint64_t range_size() const { return range_.length; }

  // Replaces `*piece` with the next piece of plaintext (at most one chunk) and returns true, or
  // returns false at the end of the range.
  absl::StatusOr<bool> Next(std::string* piece);

  // Appends the rest of the range to `*out`.
  absl::Status ReadRest(std::string* out);

 private:
  struct Frame {
    std::vector<ManifestLink> links;
    SecretBytes keys;  // 32 bytes per link; empty for plain content
    size_t next = 0;
    size_t hinted = 0;  // links before this one were announced to the source (WillRead)
  };
  ContentReader(const BlockSource& store, const Cid& root, ByteRange range)
      : store_(store), range_(range), root_(root) {}
  // Reads, checks and opens manifest `cid`; `key` may be empty for plain content.
  absl::Status PushNode(const Cid& cid, uint64_t expected_size, const SecretBytes& key,
                        bool is_root);
  absl::StatusOr<std::string> ReadChunk(const ManifestLink& link, const SecretBytes& key) const;

  const BlockSource& store_;
  ByteRange range_;
  const Cid root_;
  uint64_t size_ = 0;
  ContentMode mode_ = ContentMode::kPlain;
  std::vector<Frame> stack_;
  uint64_t position_ = 0;  // plaintext offset of the next link to visit
  bool root_is_chunk_ = false;
  bool done_ = false;
};

}  // namespace swarmkv

#endif  // SWARMKV_STORAGE_CONTENT_READER_H_
