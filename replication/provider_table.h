// ProviderTable: the provider records other nodes asked this one to keep (ADD_PROVIDER), with
// bounds that keep one provider, or many made-up ones, from crowding out honest records (issue
// 15 finding 6: one identity filled all 65,536 keys in about 50 s, and honest ADD_PROVIDER calls
// were answered OK and dropped from then on, even after a restart):
// - per key, at most `per_key` providers (the oldest record goes);
// - per provider, at most `keys_per_provider` keys (its own oldest record goes);
// - at most `keys` keys: when full, the key whose freshest record is oldest goes, so a new record
//   always gets in.
// Pure: `now` is passed in.
//
// Thread safety: not thread-safe; the Swarm guards it.
#ifndef SWARMKV_REPLICATION_PROVIDER_TABLE_H_
#define SWARMKV_REPLICATION_PROVIDER_TABLE_H_

#include <cstddef>
#include <set>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "replication/key_space.h"
#include "replication/routing_table.h"

namespace swarmkv {

struct ProviderLimits {
  size_t per_key = 20;
  size_t keys = 1 << 16;
  size_t keys_per_provider = 4096;
};

class ProviderTable {
 public:
  struct Record {
    Contact contact;
    absl::Time expires;
  };

  explicit ProviderTable(ProviderLimits limits) : limits_(limits) {}

  // Adds (or renews) `provider`'s record for `key`. Returns every key whose records changed
  // (evictions included), for the caller to persist.
  std::vector<DhtKey> Add(const DhtKey& key, const Contact& provider, absl::Time expires);
  // Drops records that expired by `now`; returns the keys that changed.
  std::vector<DhtKey> Expire(absl::Time now);
  // The providers of `key` whose records are live at `now`.
  std::vector<Contact> Live(const DhtKey& key, absl::Time now) const;
  // The records of `key` (empty when none), as they are persisted.
  const std::vector<Record>& Records(const DhtKey& key) const;
  size_t keys() const { return lists_.size(); }

 private:
  // Erases record `index` of `key`'s list (and its index entries); the key stays (Reindex).
  void EraseRecord(const DhtKey& key, size_t index);
  // After `key`'s list changed: its freshness entry, or the key itself when its list is empty.
  void Reindex(const DhtKey& key);
  // Removes `provider`'s record of `key`, if any; true when there was one.
  bool Remove(const DhtKey& key, const NodeId& provider);

  const ProviderLimits limits_;
  absl::flat_hash_map<DhtKey, std::vector<Record>> lists_;
  // Each key by its freshest record's expiry (the key evicted first is the stalest).
  absl::flat_hash_map<DhtKey, absl::Time> freshest_;
  std::set<std::pair<absl::Time, DhtKey>> by_freshness_;
  // Each provider's records, oldest first.
  absl::flat_hash_map<NodeId, std::set<std::pair<absl::Time, DhtKey>>> by_provider_;
};

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_PROVIDER_TABLE_H_
