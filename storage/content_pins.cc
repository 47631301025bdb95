#include "storage/content_pins.h"

#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "storage/manifest.h"

namespace swarmkv {
namespace {

// Each distinct block once: a manifest may list one child many times (legitimately, for
// repeated chunks; hostilely, to make a walk of every path explode: issue 15 finding 4). The
// walk keeps one entry per block (the total a manifest declares, 0 for a chunk), so that a
// manifest listed again under another size is caught too.
class ContentWalk {
 public:
  ContentWalk(const BlockSource& store, absl::FunctionRef<absl::Status(const Cid&)> visit)
      : store_(store), visit_(visit) {}

  // `declared`: the size the parent's link gives the content under `cid` (none for the root).
  absl::Status Walk(const Cid& cid, std::optional<uint64_t> declared, int depth) {
    const bool is_manifest = cid.codec() == Codec::kManifest;
    auto [seen, inserted] = visited_.try_emplace(cid, 0);
    if (!inserted) {
      // A chunk's size is checked where it is read; a manifest's here, as it is walked.
      if (is_manifest && declared.has_value() && seen->second != *declared) {
        return Inconsistent(cid, *declared, seen->second);
      }
      return absl::OkStatus();
    }
    if (visited_.size() > kMaxContentBlocks) {
      return absl::ResourceExhaustedError(
          absl::StrCat("content has more than ", kMaxContentBlocks, " blocks"));
    }
    SWARMKV_RETURN_IF_ERROR(visit_(cid));
    if (!is_manifest) return absl::OkStatus();
    if (depth >= kMaxManifestDepth) {
      return absl::DataLossError(
          absl::StrCat("manifest tree is deeper than ", kMaxManifestDepth, " levels"));
    }
    SWARMKV_ASSIGN_OR_RETURN(std::string block, store_.Get(cid));
    SWARMKV_ASSIGN_OR_RETURN(DecodedManifest manifest, DecodeManifest(block));
    if (declared.has_value() && manifest.node.total_size != *declared) {
      return Inconsistent(cid, *declared, manifest.node.total_size);
    }
    visited_[cid] = manifest.node.total_size;  // `seen` may have moved: the visit reentered
    for (const ManifestLink& link : manifest.node.links) {
      SWARMKV_RETURN_IF_ERROR(Walk(link.cid, link.size, depth + 1));
    }
    return absl::OkStatus();
  }

 private:
  static absl::Status Inconsistent(const Cid& cid, uint64_t declared, uint64_t total) {
    return absl::DataLossError(absl::StrCat("manifest ", cid.ToString(), " holds ", total,
                                            " bytes but is linked as ", declared));
  }

  const BlockSource& store_;
  absl::FunctionRef<absl::Status(const Cid&)> visit_;
  absl::flat_hash_map<Cid, uint64_t> visited_;
};

}  // namespace

absl::Status VisitContentBlocks(const BlockSource& store, const Cid& root,
                                absl::FunctionRef<absl::Status(const Cid&)> visit) {
  return ContentWalk(store, visit).Walk(root, std::nullopt, 0);
}

absl::StatusOr<std::vector<Cid>> ListContentBlocks(const BlockSource& store, const Cid& root) {
  std::vector<Cid> out;
  SWARMKV_RETURN_IF_ERROR(VisitContentBlocks(store, root, [&out](const Cid& cid) {
    out.push_back(cid);
    return absl::OkStatus();
  }));
  return out;
}

absl::Status PinContent(BlockStore& store, const Cid& root, absl::string_view name, absl::Time now,
                        BlockStore::Presence presence, BlockStore::Durability durability) {
  auto blocks = ListContentBlocks(store, root);
  if (absl::IsNotFound(blocks.status())) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot pin ", root.ToString(), ": ", blocks.status().message()));
  }
  SWARMKV_RETURN_IF_ERROR(blocks.status());
  return store.Pin(root, *blocks, name, now, presence, durability);
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
