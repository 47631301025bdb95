// Lookup: one iterative Kademlia lookup as a state machine (DESIGN §5; rust-libp2p's kad model).
// It never sends anything itself: Next(now) names the contacts to query, and the owner feeds
// back OnResponse / OnFailure. Queries not answered by their deadline count as failed.
//
// It ends when the k closest contacts seen (failed ones excluded) have all answered, or when
// nothing is left to ask. At most `alpha` queries are in flight at any time.
//
// Thread safety: not thread-safe; owned by the node's protocol loop.
#ifndef SWARMKV_REPLICATION_LOOKUP_H_
#define SWARMKV_REPLICATION_LOOKUP_H_

#include <cstddef>
#include <vector>

#include "absl/time/time.h"
#include "replication/key_space.h"
#include "replication/routing_table.h"

namespace swarmkv {

struct LookupOptions {
  size_t k = 20;                              // result size
  size_t alpha = 3;                           // queries in flight
  absl::Duration timeout = absl::Seconds(5);  // per query
};

class Lookup {
 public:
  // `seeds`: the owner's closest known contacts to `target`.
  Lookup(const DhtKey& target, const std::vector<Contact>& seeds, LookupOptions options);

  // Expires overdue queries, then returns the contacts to query now (each at most once over the
  // whole lookup); they count as in flight until answered or failed.
  std::vector<Contact> Next(absl::Time now);
  // `from` answered with contacts closer to the target (unknown ones join the candidates).
  void OnResponse(const NodeId& from, const std::vector<Contact>& closer);
  // `from` failed (error, or no answer the owner gave up on).
  void OnFailure(const NodeId& from);

  bool Done() const;
  // The k closest contacts that answered, closest first.
  std::vector<Contact> Result() const;
  size_t in_flight() const { return in_flight_; }
  // The earliest deadline of a query in flight (InfiniteFuture when none): when to call Next.
  absl::Time NextDeadline() const;
  size_t queries_sent() const { return queries_sent_; }
  const DhtKey& target() const { return target_; }

 private:
  enum class State { kCandidate, kInFlight, kSucceeded, kFailed };
  struct Peer {
    Contact contact;
    State state;
    absl::Time deadline;
  };
  void Add(const Contact& contact);
  Peer* FindPeer(const NodeId& id);

  DhtKey target_;
  LookupOptions options_;
  std::vector<Peer> peers_;  // closest to the target first
  size_t in_flight_ = 0;
  size_t queries_sent_ = 0;
};

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_LOOKUP_H_
