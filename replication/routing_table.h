// RoutingTable: the Kademlia contact table of one node (DESIGN §5), free of I/O and of the
// clock: `now` is passed in, and decisions come back as values for the caller to carry out
// (STYLE rules 3, 5, 6).
//
// 256 buckets by common-prefix length with the owner, each holding at most k contacts in
// least-recently-seen order (head = oldest). A live contact is never evicted for a new one: a
// full bucket answers kPingOldest, the caller pings that contact and reports back with
// OnPingResult; only a dead oldest makes room. Against eclipse attacks, one /24 (IPv4) may hold
// at most `max_per_subnet_per_bucket` contacts in a bucket and `max_per_subnet` in the table.
//
// Thread safety: not thread-safe; owned by the node's protocol loop.
#ifndef SWARMKV_REPLICATION_ROUTING_TABLE_H_
#define SWARMKV_REPLICATION_ROUTING_TABLE_H_

#include <array>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "replication/key_space.h"

namespace swarmkv {

// The longest contact address ("host:port") accepted from anywhere.
inline constexpr size_t kMaxAddressBytes = 300;

struct Contact {
  NodeId id;
  std::string address;  // "host:port"
  absl::Time last_seen;
};

struct RoutingTableOptions {
  size_t k = 20;                         // contacts per bucket (libp2p's value)
  size_t max_per_subnet_per_bucket = 2;  // libp2p: 2 per IP group per bucket
  size_t max_per_subnet = 3;             // libp2p: 3 per IP group in the table
  // Apply the subnet limits to loopback and private (RFC 1918, IPv6 ULA) addresses too. Off by
  // default: eclipse attacks come from the Internet, while a private cluster (Docker Compose,
  // a LAN, nodes on one host) legitimately puts every node in one /24.
  bool limit_private_networks = false;
};

// What Observe decided.
struct Admission {
  enum Kind {
    kAdded,       // new contact stored
    kRefreshed,   // known contact moved to the tail (most recently seen)
    kPingOldest,  // bucket full: ping `oldest`, then call OnPingResult
    kRejected,    // self, or over a subnet limit
  };
  Kind kind;
  std::optional<Contact> oldest;  // set for kPingOldest
};

class RoutingTable {
 public:
  RoutingTable(NodeId self, RoutingTableOptions options = {});

  const NodeId& self() const { return self_; }
  const RoutingTableOptions& options() const { return options_; }

  // A message came from `contact` at `now` (a response, a request, or a ping answer).
  Admission Observe(const Contact& contact, absl::Time now);
  // The answer to a kPingOldest: when the oldest is alive it stays (moved to the tail) and the
  // newcomer is dropped; when it is dead it is evicted and the newcomer takes its place.
  void OnPingResult(const NodeId& oldest, bool alive, const Contact& newcomer, absl::Time now);
  // A contact stopped answering (after the caller's retries): removed.
  void Remove(const NodeId& id);

  // Up to `n` contacts closest to `target`, closest first.
  std::vector<Contact> Closest(const DhtKey& target, size_t n) const;
  std::optional<Contact> Find(const NodeId& id) const;
  size_t size() const { return size_; }
  // Every contact, bucket by bucket, oldest first (to save and restore the table).
  std::vector<Contact> All() const;

 private:
  int BucketIndex(const NodeId& id) const;
  bool OverSubnetLimit(int bucket, const std::string& address) const;

  NodeId self_;
  RoutingTableOptions options_;
  std::array<std::deque<Contact>, 256> buckets_;
  absl::flat_hash_map<std::string, size_t> per_subnet_;  // /24 -> contacts in the table
  size_t size_ = 0;
};

// The /24 of an IPv4 "a.b.c.d:port" address ("a.b.c"), or the host part for anything else.
std::string SubnetOf(const std::string& address);
// True for loopback and private addresses: 127/8, 10/8, 172.16/12, 192.168/16, "localhost",
// [::1] and fc00::/7.
bool IsPrivateAddress(const std::string& address);

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_ROUTING_TABLE_H_
