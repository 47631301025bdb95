#include "replication/provider_table.h"

#include <algorithm>

namespace swarmkv {

const std::vector<ProviderTable::Record>& ProviderTable::Records(const DhtKey& key) const {
  static const std::vector<Record>* const kNone = new std::vector<Record>;
  auto it = lists_.find(key);
  return it == lists_.end() ? *kNone : it->second;
}

std::vector<Contact> ProviderTable::Live(const DhtKey& key, absl::Time now) const {
  std::vector<Contact> out;
  for (const Record& record : Records(key)) {
    if (record.expires > now) out.push_back(record.contact);
  }
  return out;
}

void ProviderTable::EraseRecord(const DhtKey& key, size_t index) {
  std::vector<Record>& list = lists_[key];
  const Record& record = list[index];
  auto mine = by_provider_.find(record.contact.id);
  if (mine != by_provider_.end()) {
    mine->second.erase({record.expires, key});
    if (mine->second.empty()) by_provider_.erase(mine);
  }
  list.erase(list.begin() + static_cast<std::ptrdiff_t>(index));
}

void ProviderTable::Reindex(const DhtKey& key) {
  if (auto old = freshest_.find(key); old != freshest_.end()) {
    by_freshness_.erase({old->second, key});
    freshest_.erase(old);
  }
  auto list = lists_.find(key);
  if (list == lists_.end()) return;
  if (list->second.empty()) {
    lists_.erase(list);
    return;
  }
  absl::Time freshest = absl::InfinitePast();
  for (const Record& record : list->second) freshest = std::max(freshest, record.expires);
  freshest_[key] = freshest;
  by_freshness_.insert({freshest, key});
}

bool ProviderTable::Remove(const DhtKey& key, const NodeId& provider) {
  auto list = lists_.find(key);
  if (list == lists_.end()) return false;
  for (size_t i = 0; i < list->second.size(); ++i) {
    if (list->second[i].contact.id == provider) {
      EraseRecord(key, i);
      return true;
    }
  }
  return false;
}

std::vector<DhtKey> ProviderTable::Add(const DhtKey& key, const Contact& provider,
                                       absl::Time expires) {
  std::vector<DhtKey> changed{key};
  Remove(key, provider.id);  // a renewal replaces the old record
  // The provider's own oldest record makes room for its new one.
  if (auto mine = by_provider_.find(provider.id);
      mine != by_provider_.end() && mine->second.size() >= limits_.keys_per_provider) {
    const DhtKey oldest = mine->second.begin()->second;
    Remove(oldest, provider.id);
    Reindex(oldest);
    changed.push_back(oldest);
  }
  // A new key in a full table: the stalest key goes.
  if (!lists_.contains(key) && lists_.size() >= limits_.keys && !by_freshness_.empty()) {
    const DhtKey stalest = by_freshness_.begin()->second;
    std::vector<Record>& list = lists_[stalest];
    while (!list.empty()) EraseRecord(stalest, list.size() - 1);
    Reindex(stalest);
    changed.push_back(stalest);
  }
  std::vector<Record>& list = lists_[key];
  if (list.size() >= limits_.per_key) {
    // The record closest to expiry goes.
    size_t oldest = 0;
    for (size_t i = 1; i < list.size(); ++i) {
      if (list[i].expires < list[oldest].expires) oldest = i;
    }
    EraseRecord(key, oldest);
  }
  lists_[key].push_back(Record{provider, expires});
  by_provider_[provider.id].insert({expires, key});
  Reindex(key);
  return changed;
}

std::vector<DhtKey> ProviderTable::Expire(absl::Time now) {
  std::vector<DhtKey> changed;
  for (auto& [key, list] : lists_) {
    for (const Record& record : list) {
      if (record.expires <= now) {
        changed.push_back(key);
        break;
      }
    }
  }
  for (const DhtKey& key : changed) {
    std::vector<Record>& list = lists_[key];
    for (size_t i = list.size(); i-- > 0;) {
      if (list[i].expires <= now) EraseRecord(key, i);
    }
    Reindex(key);
  }
  return changed;
}

}  // namespace swarmkv
