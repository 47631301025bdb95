#include "api/content_put.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "storage/content_pins.h"

namespace swarmkv {
namespace {

absl::StatusOr<ContentMode> ModeFromProto(v1::EncryptionMode mode) {
  switch (mode) {
    case v1::ENCRYPTION_MODE_UNSPECIFIED:
    case v1::ENCRYPTION_MODE_RANDOM:
      return ContentMode::kRandom;
    case v1::ENCRYPTION_MODE_CONVERGENT:
      return ContentMode::kConvergent;
    case v1::ENCRYPTION_MODE_PLAIN:
      return ContentMode::kPlain;
    default:
      return absl::InvalidArgumentError(absl::StrCat("unknown encryption mode ", mode));
  }
}

// Makes the content durable here and places it on the swarm at the same time (the local fsync
// and the network round trips overlap); returns the nodes that hold a copy of every block.
absl::StatusOr<uint32_t> SyncAndReplicate(Swarm& swarm, BlockStore& store, const Cid& root,
                                          bool pinned) {
  SWARMKV_ASSIGN_OR_RETURN(std::vector<Cid> blocks, ListContentBlocks(store, root));
  absl::Status synced;
  absl::StatusOr<size_t> copies =
      swarm.Replicate(blocks, [&store, &synced] { synced = store.SyncWrites(); });
  SWARMKV_RETURN_IF_ERROR(synced);
  SWARMKV_RETURN_IF_ERROR(copies.status());
  // Pinned content that did not reach all its responsible nodes is announced, so readers find
  // this node until maintenance has placed it (the republish sweep renews every pinned root's
  // record later anyway). Content on all of them is found there: an announcement would cost a
  // lookup and R requests for nothing (a third of a small put's peer requests). Not waited for:
  // a provider record is a hint, and the put is acknowledged on its copies.
  if (pinned && !swarm.FullyPlaced(*copies)) swarm.AnnounceAsync(root, [](size_t) {});
  const size_t quorum = swarm.EffectiveWriteQuorum();
  if (*copies < quorum) {
    return absl::UnavailableError(
        absl::StrCat("content ", root.ToString(), " is stored on this node but only ", *copies,
                     " node(s) hold a copy, below the write quorum of ", quorum,
                     "; too few peers answered (retry, or check `swarmkv peers`)"));
  }
  return static_cast<uint32_t>(*copies);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ContentWriter>> CreateContentWriter(ServiceContext& context,
                                                                   const v1::PutHeader& header) {
  SWARMKV_ASSIGN_OR_RETURN(ContentMode mode, ModeFromProto(header.mode()));
  ContentWriterOptions options;
  options.mode = mode;
  if (header.chunk_size() != 0) options.chunk_size = header.chunk_size();
  options.convergence_secret = &context.convergence_secret;
  options.pin = header.pin();
  options.pin_name = header.name();
  return ContentWriter::Create(context.store, std::move(options));
}

absl::StatusOr<PlacedContent> FinishAndPlace(ServiceContext& context, ContentWriter& writer,
                                             bool pinned) {
  // Keeps garbage collection and hand-offs away from the new blocks until they are replicated.
  BlockStore::WriteSession session = context.store.BeginWriteSession();
  SWARMKV_ASSIGN_OR_RETURN(ContentInfo info,
                           writer.Finish(absl::Now(), BlockStore::Durability::kDeferred));
  uint32_t replicas = 1;
  if (context.swarm != nullptr) {
    SWARMKV_ASSIGN_OR_RETURN(
        replicas, SyncAndReplicate(*context.swarm, context.store, info.capability.root(), pinned));
  } else {
    SWARMKV_RETURN_IF_ERROR(context.store.SyncWrites());
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
