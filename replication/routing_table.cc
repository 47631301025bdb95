#include "replication/routing_table.h"

#include <algorithm>
#include <cstdio>

namespace swarmkv {

std::string SubnetOf(const std::string& address) {
  const size_t colon = address.rfind(':');
  const std::string host = address.substr(0, colon);
  // IPv4 dotted quad: keep the first three octets.
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return host;
    }
  }
  if (dots != 3) return host;
  return host.substr(0, host.rfind('.'));
}

RoutingTable::RoutingTable(NodeId self, RoutingTableOptions options)
    : self_(self), options_(options) {}

int RoutingTable::BucketIndex(const NodeId& id) const {
  return 255 - std::min(255, CommonPrefixLength(KeyOf(self_), KeyOf(id)));
}

bool IsPrivateAddress(const std::string& address) {
  const std::string host = address.substr(0, address.rfind(':'));
  if (host == "localhost" || host == "[::1]") return true;
  if (host.size() > 2 && host[0] == '[' && (host[1] == 'f' || host[1] == 'F') &&
      (host[2] == 'c' || host[2] == 'd' || host[2] == 'C' || host[2] == 'D')) {
    return true;  // fc00::/7
  }
  int a = 0, b = 0, c = 0, d = 0;
  char tail = 0;
  if (std::sscanf(host.c_str(), "%d.%d.%d.%d%c", &a, &b, &c, &d, &tail) != 4) return false;
  return a == 127 || a == 10 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168);
}

bool RoutingTable::OverSubnetLimit(int bucket, const std::string& address) const {
  if (!options_.limit_private_networks && IsPrivateAddress(address)) return false;
  const std::string subnet = SubnetOf(address);
  auto it = per_subnet_.find(subnet);
  if (it != per_subnet_.end() && it->second >= options_.max_per_subnet) return true;
  size_t in_bucket = 0;
  for (const Contact& c : buckets_[bucket]) {
    if (SubnetOf(c.address) == subnet) ++in_bucket;
  }
  return in_bucket >= options_.max_per_subnet_per_bucket;
}

Admission RoutingTable::Observe(const Contact& contact, absl::Time now) {
  if (contact.id == self_) return {Admission::kRejected, std::nullopt};
  const int index = BucketIndex(contact.id);
  std::deque<Contact>& bucket = buckets_[index];
  auto it = std::find_if(bucket.begin(), bucket.end(),
                         [&](const Contact& c) { return c.id == contact.id; });
  if (it != bucket.end()) {
    Contact refreshed = *it;
    refreshed.last_seen = now;
    if (refreshed.address != contact.address) {
      // A known id at a new address: keep the old one unless the new subnet has room, so a
      // peer cannot walk an honest entry into a crowded subnet.
      bucket.erase(it);
      --per_subnet_[SubnetOf(refreshed.address)];
      if (!OverSubnetLimit(index, contact.address)) refreshed.address = contact.address;
      ++per_subnet_[SubnetOf(refreshed.address)];
      bucket.push_back(refreshed);
      return {Admission::kRefreshed, std::nullopt};
    }
    bucket.erase(it);
    bucket.push_back(refreshed);
    return {Admission::kRefreshed, std::nullopt};
  }
  if (OverSubnetLimit(index, contact.address)) return {Admission::kRejected, std::nullopt};
  if (bucket.size() >= options_.k) return {Admission::kPingOldest, bucket.front()};
  Contact added = contact;
  added.last_seen = now;
  bucket.push_back(added);
  ++per_subnet_[SubnetOf(added.address)];
  ++size_;
  return {Admission::kAdded, std::nullopt};
}

void RoutingTable::OnPingResult(const NodeId& oldest, bool alive, const Contact& newcomer,
                                absl::Time now) {
  const int index = BucketIndex(oldest);
  std::deque<Contact>& bucket = buckets_[index];
  auto it =
      std::find_if(bucket.begin(), bucket.end(), [&](const Contact& c) { return c.id == oldest; });
  if (it == bucket.end()) {
    // Gone meanwhile: there may be room now.
    Observe(newcomer, now);
    return;
  }
  if (alive) {
    Contact kept = *it;
    kept.last_seen = now;
    bucket.erase(it);
    bucket.push_back(kept);
    return;
  }
  Remove(oldest);
  Observe(newcomer, now);
}

void RoutingTable::Remove(const NodeId& id) {
  std::deque<Contact>& bucket = buckets_[BucketIndex(id)];
  auto it =
      std::find_if(bucket.begin(), bucket.end(), [&](const Contact& c) { return c.id == id; });
  if (it == bucket.end()) return;
  auto subnet = per_subnet_.find(SubnetOf(it->address));
  if (subnet != per_subnet_.end() && --subnet->second == 0) per_subnet_.erase(subnet);
  bucket.erase(it);
  --size_;
}

std::vector<Contact> RoutingTable::Closest(const DhtKey& target, size_t n) const {
  std::vector<Contact> all;
  all.reserve(size_);
  for (const auto& bucket : buckets_) all.insert(all.end(), bucket.begin(), bucket.end());
  const size_t keep = std::min(n, all.size());
  std::partial_sort(
      all.begin(), all.begin() + keep, all.end(),
      [&](const Contact& a, const Contact& b) { return Closer(target, KeyOf(a.id), KeyOf(b.id)); });
  all.erase(all.begin() + keep, all.end());
  return all;
}

std::optional<Contact> RoutingTable::Find(const NodeId& id) const {
  const std::deque<Contact>& bucket = buckets_[BucketIndex(id)];
  for (const Contact& c : bucket) {
    if (c.id == id) return c;
  }
  return std::nullopt;
}

std::vector<Contact> RoutingTable::All() const {
  std::vector<Contact> all;
  all.reserve(size_);
  for (const auto& bucket : buckets_) all.insert(all.end(), bucket.begin(), bucket.end());
  return all;
}

}  // namespace swarmkv
