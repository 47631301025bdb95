#include "api/node_status.h"

#include <string>

#include "base/status_macros.h"
#include "storage/content_pins.h"
#include "storage/manifest.h"

#ifndef SWARMKV_VERSION
#define SWARMKV_VERSION "dev"
#endif

namespace swarmkv {

void FillInfo(const ServiceContext& context, v1::InfoResponse* response) {
  response->set_node_id(context.identity.node_id().ToString());
  response->set_version(SWARMKV_VERSION);
  for (const std::string& address : context.options.api_addresses) {
    response->add_api_addresses(address);
  }
  const BlockStoreStats stats = context.store.Stats();
  v1::StoreInfo* store = response->mutable_store();
  store->set_blocks(stats.blocks);
  store->set_stored_bytes(stats.stored_bytes);
  store->set_pinned_roots(stats.pinned_roots);
  store->set_quota_bytes(context.store.options().quota_bytes);
  for (const std::string& address : context.options.peer_addresses) {
    response->add_peer_addresses(address);
  }
  if (context.swarm != nullptr) {
    response->set_known_peers(static_cast<uint32_t>(context.swarm->Peers().size()));
  }
  if (context.scrubber != nullptr) {
    FillScrubCounts(context.scrubber->Totals(), response->mutable_scrub());
  }
}

absl::Status FillPeers(const ServiceContext& context, v1::PeersResponse* response) {
  if (context.swarm == nullptr) {
    return absl::UnavailableError(
        "peer networking is off on this node (set [peer] listen, or --peer-listen)");
  }
  for (const Contact& contact : context.swarm->Peers()) {
    v1::Peer* peer = response->add_peers();
    peer->set_node_id(contact.id.ToString());
    peer->add_addresses(contact.address);
    peer->set_last_seen_unix(absl::ToUnixSeconds(contact.last_seen));
  }
  return absl::OkStatus();
}

absl::Status FillStat(BlockStore& store, const Cid& root, v1::StatResponse* response) {
  response->set_cid(root.ToString());
  response->set_codec(std::string(CodecName(root.codec())));
  SWARMKV_ASSIGN_OR_RETURN(bool pinned, store.IsPinned(root));
  response->set_pinned(pinned);
  // One read decides presence: with a swarm, maintenance may hand a block off at any moment,
  // so a separate "is it there" check could disagree with the read that follows it.
  absl::StatusOr<std::string> block = store.Get(root);
  response->set_present(block.ok());
  if (absl::IsNotFound(block.status())) return absl::OkStatus();
  SWARMKV_RETURN_IF_ERROR(block.status());
  if (root.codec() == Codec::kRaw) {
    response->set_size(block->size());
    response->set_mode(std::string(ContentModeName(ContentMode::kPlain)));
    response->set_blocks(1);
    return absl::OkStatus();
  }
  SWARMKV_ASSIGN_OR_RETURN(DecodedManifest manifest, DecodeManifest(*block));
  response->set_size(manifest.node.total_size);
  response->set_mode(std::string(ContentModeName(manifest.node.mode)));
  uint64_t blocks = 0;
  const absl::Status walked = VisitContentBlocks(store, root, [&blocks](const Cid&) {
    ++blocks;
    return absl::OkStatus();
  });
  if (walked.ok()) response->set_blocks(blocks);
  return absl::OkStatus();
}

void FillScrubCounts(const ScrubCounts& counts, v1::ScrubCounts* out) {
  out->set_blocks_checked(counts.blocks_checked);
  out->set_bytes_checked(counts.bytes_checked);
  out->set_damaged(counts.damaged);
  out->set_repaired(counts.repaired);
  out->set_lost(counts.lost);
  out->set_passes(counts.passes);
}

}  // namespace swarmkv
