// NetworkBlockSource: reads blocks from the local store and, for blocks it lacks, from the swarm
// (Swarm::Fetch): the source a Get of content put on another node reads through. Fetched blocks
// are verified by the Swarm and, when the swarm's options say so, kept in the local store
// unpinned (a cache that maintenance and garbage collection may drop).
//
// It remembers which peers served blocks and asks them first for the next ones, since the
// blocks of one content usually sit together: most blocks then cost one request, not a lookup.
//
// Thread safety: one reader at a time (like ContentReader); `store` and `swarm` must outlive it.
#ifndef SWARMKV_REPLICATION_NETWORK_BLOCK_SOURCE_H_
#define SWARMKV_REPLICATION_NETWORK_BLOCK_SOURCE_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "replication/swarm.h"
#include "storage/block_source.h"
#include "storage/block_store.h"

namespace swarmkv {

class NetworkBlockSource final : public BlockSource {
 public:
  // `swarm` may be null: then only the local store is read.
  NetworkBlockSource(BlockStore& store, Swarm* swarm) : store_(store), swarm_(swarm) {}

  absl::StatusOr<std::string> Get(const Cid& cid) const override;
  // Fetches those of `cids` this store lacks, together, and keeps them for the Gets that follow.
  void WillRead(const std::vector<Cid>& cids) const override;

 private:
  BlockStore& store_;
  Swarm* swarm_;
  // Keeps a fetched block: in the store when caching is on.
  void Keep(const Cid& cid, const std::string& block) const;
  // Takes the hints as the swarm left them (liars dropped, servers appended), newest first.
  void Remember(std::vector<Contact> hints) const;

  // Peers that served this content's blocks, most useful first; a handful at most.
  mutable std::vector<Contact> hints_;
  // Blocks fetched ahead by WillRead and not yet read (at most one read-ahead's worth).
  mutable absl::flat_hash_map<Cid, std::string> ahead_;
};

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_NETWORK_BLOCK_SOURCE_H_
