// Manifest nodes: the interior blocks of chunked content (codec Codec::kManifest). Format and
// rationale: docs/manifest-format.md.
//
// A node lists its children in order (raw chunks or other manifest nodes) with the plaintext
// size under each, in the clear, so any node can enumerate, replicate, pin and verify content it
// cannot read. For encrypted content the node also carries the children's keys, sealed under the
// node's own key with the clear part as associated data.
#ifndef SWARMKV_STORAGE_MANIFEST_H_
#define SWARMKV_STORAGE_MANIFEST_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/cid.h"

namespace swarmkv {

// How content is encrypted (DESIGN §3.1).
enum class ContentMode : uint8_t {
  kPlain = 0,       // public; chunks are the plaintext (IPFS-compatible raw CIDs)
  kRandom = 1,      // fresh random keys: the default
  kConvergent = 2,  // keys derived from the content and a cluster secret: identical content
                    // gives identical blocks (dedup), at the cost described in the docs
};

absl::string_view ContentModeName(ContentMode mode);
// So test names and failure messages show "random", not a byte dump.
inline std::ostream& operator<<(std::ostream& os, ContentMode mode) {
  return os << ContentModeName(mode);
}
// Parses "plain", "random" or "convergent".
absl::StatusOr<ContentMode> ParseContentMode(absl::string_view name);

struct ManifestLink {
  Cid cid;
  uint64_t size;  // plaintext bytes of the content under this link
};

// Most links one node may hold; keeps a node (~80 bytes a link) well under kMaxBlockBytes.
inline constexpr size_t kMaxManifestLinks = 8192;

struct ManifestNode {
  ContentMode mode = ContentMode::kPlain;
  uint32_t chunk_size = 0;  // the chunk size the content was cut with
  uint64_t total_size = 0;  // sum of the links' sizes
  std::vector<ManifestLink> links;
  // Encrypted modes: AEAD(node key, 32-byte child keys in link order, ad = clear part).
  std::string sealed_keys;
};

// Everything but the sealed keys: the associated data of the sealed section.
// REQUIRES: links.size() <= kMaxManifestLinks.
std::string EncodeManifestClearPart(const ManifestNode& node);
// Appends the sealed section to a clear part from EncodeManifestClearPart.
void AppendManifestSealedKeys(absl::string_view sealed_keys, std::string* clear_part);

struct DecodedManifest {
  ManifestNode node;
  size_t clear_part_size = 0;  // block.substr(0, clear_part_size) is the associated data
};
// DATA_LOSS, saying what is wrong, for anything malformed: it came from a verified block, so
// the content itself is bad.
absl::StatusOr<DecodedManifest> DecodeManifest(absl::string_view block);

}  // namespace swarmkv

#endif  // SWARMKV_STORAGE_MANIFEST_H_
