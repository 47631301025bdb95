#include "storage/content_pins.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "storage/manifest.h"

namespace swarmkv {
namespace {

// Visits each distinct block once: a manifest may list one child many times (legitimately, for
// repeated chunks; hostilely, to make a walk of every path explode: issue 15 finding 4).
absl::Status Walk(const BlockSource& store, const Cid& cid, int depth,
                  absl::flat_hash_set<Cid>* visited, std::vector<Cid>* out) {
  if (!visited->insert(cid).second) return absl::OkStatus();
  if (out->size() >= kMaxContentBlocks) {
    return absl::ResourceExhaustedError(
        absl::StrCat("content has more than ", kMaxContentBlocks, " blocks"));
  }
  out->push_back(cid);
  if (cid.codec() != Codec::kManifest) return absl::OkStatus();
  if (depth >= kMaxManifestDepth) {
    return absl::DataLossError(
        absl::StrCat("manifest tree is deeper than ", kMaxManifestDepth, " levels"));
  }
  SWARMKV_ASSIGN_OR_RETURN(std::string block, store.Get(cid));
  SWARMKV_ASSIGN_OR_RETURN(DecodedManifest manifest, DecodeManifest(block));
  for (const ManifestLink& link : manifest.node.links) {
    SWARMKV_RETURN_IF_ERROR(Walk(store, link.cid, depth + 1, visited, out));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Cid>> ListContentBlocks(const BlockSource& store, const Cid& root) {
  std::vector<Cid> out;
  absl::flat_hash_set<Cid> visited;
  SWARMKV_RETURN_IF_ERROR(Walk(store, root, 0, &visited, &out));
  return out;
}

absl::Status PinContent(BlockStore& store, const Cid& root, absl::string_view name, absl::Time now,
                        BlockStore::Presence presence) {
  auto blocks = ListContentBlocks(store, root);
  if (absl::IsNotFound(blocks.status())) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot pin ", root.ToString(), ": ", blocks.status().message()));
  }
  SWARMKV_RETURN_IF_ERROR(blocks.status());
  return store.Pin(root, *blocks, name, now, presence);
}

absl::Status UnpinContent(BlockStore& store, const Cid& root) {
  SWARMKV_ASSIGN_OR_RETURN(bool pinned, store.IsPinned(root));
  if (!pinned) {
    return absl::NotFoundError(absl::StrCat("content ", root.ToString(), " is not pinned"));
  }
  SWARMKV_ASSIGN_OR_RETURN(std::vector<Cid> blocks, ListContentBlocks(store, root));
  return store.Unpin(root, blocks);
}

}  // namespace swarmkv
