#include "storage/verified_block_cache.h"

#include "absl/hash/hash.h"

namespace swarmkv {

VerifiedBlockCache::VerifiedBlockCache(size_t capacity_bytes, size_t max_block_bytes)
    : shard_capacity_(capacity_bytes / kShards), max_block_bytes_(max_block_bytes) {}

std::optional<std::string> VerifiedBlockCache::Get(const Cid& cid) {
  Shard& shard = shards_[absl::Hash<Cid>()(cid) % kShards];
  absl::MutexLock lock(&shard.mu);
  auto it = shard.index.find(cid);
  if (it == shard.index.end()) return std::nullopt;
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  return it->second->data;
}

void VerifiedBlockCache::Insert(const Cid& cid, absl::string_view data, uint64_t generation) {
  if (data.size() > max_block_bytes_ || data.size() > shard_capacity_) return;
  const size_t hash = absl::Hash<Cid>()(cid);
  Shard& shard = shards_[hash % kShards];
  absl::MutexLock lock(&shard.mu);
  // Erase bumps the generation under the shard's lock, so this check and the insert below
  // cannot straddle an erase of this block.
  if (Generation() != generation) return;
  if (shard.index.contains(cid)) return;  // content-addressed: the same bytes
  if (shard.offered_once.erase(hash) == 0) {
    if (shard.offered_once.size() >= kOfferedOncePerShard) shard.offered_once.clear();
    shard.offered_once.insert(hash);
    return;  // first offer: remembered, not copied
  }
  shard.lru.push_front(Entry{cid, std::string(data)});
  shard.index.emplace(cid, shard.lru.begin());
  shard.bytes += data.size();
  while (shard.bytes > shard_capacity_) {
    Entry& oldest = shard.lru.back();
    shard.bytes -= oldest.data.size();
    shard.index.erase(oldest.cid);
    shard.lru.pop_back();
  }
}

void VerifiedBlockCache::Erase(const Cid& cid) {
  Shard& shard = shards_[absl::Hash<Cid>()(cid) % kShards];
  absl::MutexLock lock(&shard.mu);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  auto it = shard.index.find(cid);
  if (it == shard.index.end()) return;
  shard.bytes -= it->second->data.size();
  shard.lru.erase(it->second);
  shard.index.erase(it);
}

}  // namespace swarmkv
