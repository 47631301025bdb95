// Pinning whole content: walks the manifest tree under a root (no key needed: links are in the
// clear) and pins or unpins every block of it in one atomic store write.
#ifndef SWARMKV_STORAGE_CONTENT_PINS_H_
#define SWARMKV_STORAGE_CONTENT_PINS_H_

#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "crypto/cid.h"
#include "storage/block_store.h"

namespace swarmkv {

// Deepest manifest tree accepted. 3 levels of 4096-link nodes over 256 KiB chunks already
// address 16 PiB; the limit stops a hostile manifest from recursing without end.
inline constexpr int kMaxManifestDepth = 8;

// Most distinct blocks one content may have: 4 Mi blocks, 1 TiB in 256 KiB chunks (a walk's
// memory is about 100 bytes a block: 400 MiB at that size).
inline constexpr size_t kMaxContentBlocks = size_t{1} << 22;

// Calls `visit` for every distinct block of the content under `root`, root included, each once,
// in tree order of its first occurrence (so a manifest listing one child many times costs one
// visit), and stops at the first error `visit` returns. NOT_FOUND when a manifest node is
// missing from the store; DATA_LOSS for a damaged or malformed one, or one whose total is not
// the size its parent's link declares; RESOURCE_EXHAUSTED over kMaxContentBlocks.
absl::Status VisitContentBlocks(const BlockSource& store, const Cid& root,
                                absl::FunctionRef<absl::Status(const Cid&)> visit);
// The same blocks, as a list.
absl::StatusOr<std::vector<Cid>> ListContentBlocks(const BlockSource& store, const Cid& root);

// FAILED_PRECONDITION when a block of the content is missing (see BlockStore::Presence).
absl::Status PinContent(BlockStore& store, const Cid& root, absl::string_view name, absl::Time now,
                        BlockStore::Presence presence = BlockStore::Presence::kCheck,
                        BlockStore::Durability durability = BlockStore::Durability::kPerOptions);
// NOT_FOUND when `root` is not pinned.
absl::Status UnpinContent(BlockStore& store, const Cid& root);

}  // namespace swarmkv

#endif  // SWARMKV_STORAGE_CONTENT_PINS_H_
