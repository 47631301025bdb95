#include "api/content_put.h"

#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "storage/content_pins.h"

namespace swarmkv {
namespace {

// Returns the nodes that hold a copy of every block.
absl::StatusOr<uint32_t> Replicate(Swarm& swarm, BlockStore& store, const Cid& root, bool pinned) {
  SWARMKV_ASSIGN_OR_RETURN(std::vector<Cid> blocks, ListContentBlocks(store, root));
  SWARMKV_ASSIGN_OR_RETURN(size_t copies, swarm.Replicate(blocks));
  // Pinned content is announced: its holder serves it even once the blocks' responsible nodes
  // change.
  if (pinned) swarm.Announce(root);
  const size_t quorum = swarm.EffectiveWriteQuorum();
  if (copies < quorum) {
    return absl::UnavailableError(
        absl::StrCat("content ", root.ToString(), " is stored on this node but only ", copies,
                     " node(s) hold a copy, below the write quorum of ", quorum,
                     "; too few peers answered (retry, or check `swarmkv peers`)"));
  }
  return static_cast<uint32_t>(copies);
}

}  // namespace

absl::StatusOr<PlacedContent> FinishAndPlace(ServiceContext& context, ContentWriter& writer,
                                             bool pinned) {
  // Keeps garbage collection and hand-offs away from the new blocks until they are replicated.
  BlockStore::WriteSession session = context.store.BeginWriteSession();
  SWARMKV_ASSIGN_OR_RETURN(ContentInfo info, writer.Finish());
  uint32_t replicas = 1;
  if (context.swarm != nullptr) {
    SWARMKV_ASSIGN_OR_RETURN(
        replicas, Replicate(*context.swarm, context.store, info.capability.root(), pinned));
  }
  // Debug, not info: one line per put would flood a busy node's log (etcd and Kubo log no
  // routine request either); counts and latencies are in /metrics.
  LogEvent(LogLevel::kDebug, "api.put",
           {{"cid", info.capability.root().ToString()},
            {"bytes", info.size},
            {"chunks", info.chunks},
            {"replicas", replicas}});
  return PlacedContent{std::move(info), replicas};
}

void FillPutResponse(const PlacedContent& placed, v1::PutResponse* response) {
  const Capability& capability = placed.info.capability;
  response->set_cid(capability.root().ToString());
  if (capability.has_key()) {
    const SecretBytes& key = capability.key();
    response->set_key(key.view().data(), key.size());
  }
  response->set_capability(capability.ToUri());
  response->set_size(placed.info.size);
  response->set_chunks(placed.info.chunks);
  response->set_replicas(placed.replicas);
}

}  // namespace swarmkv
