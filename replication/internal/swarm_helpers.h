// Helpers shared by the Swarm's files (swarm.cc, swarm_lookups.cc, swarm_placement.cc).
#ifndef SWARMKV_REPLICATION_INTERNAL_SWARM_HELPERS_H_
#define SWARMKV_REPLICATION_INTERNAL_SWARM_HELPERS_H_

#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "replication/lookup.h"
#include "replication/reply_inbox.h"
#include "replication/routing_table.h"

namespace swarmkv::swarm_internal {

// A failure that says the peer is gone (as opposed to "it answered with an error").
inline bool PeerUnreachable(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status);
}

inline std::vector<Contact> WithoutSelf(std::vector<Contact> contacts, const NodeId& self) {
  contacts.erase(std::remove_if(contacts.begin(), contacts.end(),
                                [&](const Contact& c) { return c.id == self; }),
                 contacts.end());
  return contacts;
}

// Runs `lookup` to its end: sends each query the lookup asks for with `send`, and hands every
// reply to `on_reply`, which feeds the lookup and returns true to stop early. Queries that
// `on_reply` sends on its own (through `extra`, e.g. to providers) are waited for too: the
// lookup may end before they answer.
template <typename T, typename Send, typename OnReply>
void DriveLookup(Lookup& lookup, const Clock& clock, absl::Duration timeout, Send send,
                 OnReply on_reply) {
  constexpr uint64_t kLookupQuery = 0;
  constexpr uint64_t kExtraQuery = 1;
  auto inbox = std::make_shared<ReplyInbox<T>>();
  size_t outstanding = 0;
  size_t extras = 0;
  auto query = [&](const Contact& to, uint64_t kind) {
    ++outstanding;
    if (kind == kExtraQuery) ++extras;
    send(to, ReplyInbox<T>::Sink(inbox, to, kind));
  };
  auto extra = [&](const Contact& to) { query(to, kExtraQuery); };
  for (;;) {
    for (const Contact& to : lookup.Next(clock.Now())) query(to, kLookupQuery);
    if (outstanding == 0) return;
    if (lookup.Done() && lookup.in_flight() == 0 && extras == 0) return;
    auto replies = inbox->Take(timeout);
    for (auto& reply : replies) {
      --outstanding;
      if (reply.tag == kExtraQuery) --extras;
      if (on_reply(reply, extra)) return;
    }
    if (lookup.Done() && extras == 0) return;
    if (replies.empty() && lookup.Done()) return;  // safety net: extras that never answer
  }
}

}  // namespace swarmkv::swarm_internal

#endif  // SWARMKV_REPLICATION_INTERNAL_SWARM_HELPERS_H_
