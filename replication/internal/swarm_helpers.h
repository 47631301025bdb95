// Helpers shared by the Swarm's files (swarm.cc, swarm_lookups.cc, swarm_placement.cc).
#ifndef SWARMKV_REPLICATION_INTERNAL_SWARM_HELPERS_H_
#define SWARMKV_REPLICATION_INTERNAL_SWARM_HELPERS_H_

#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/event_loop.h"
#include "replication/lookup.h"
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

// A transport completion (called on any thread) that runs `done` on the loop.
template <typename T>
std::function<void(absl::StatusOr<T>)> OnLoop(EventLoop& loop,
                                              std::function<void(absl::StatusOr<T>)> done) {
  return [&loop, done = std::move(done)](absl::StatusOr<T> result) {
    loop.Post([done, result = std::move(result)]() mutable { done(std::move(result)); });
  };
}
inline std::function<void(absl::Status)> OnLoopStatus(EventLoop& loop,
                                                      std::function<void(absl::Status)> done) {
  return [&loop, done = std::move(done)](absl::Status status) {
    loop.Post([done, status = std::move(status)] { done(status); });
  };
}

// Runs a Lookup on the loop: sends the queries it asks for, feeds it the replies (through the
// on_reply hook, which may also send queries beside it with Extra, e.g. to providers), wakes at
// its next deadline so overdue queries count as failed, and calls `done` once when it has
// ended: the lookup is done and every Extra query has answered (or, as a safety net, twice the
// query timeout has passed since the lookup was done).
//
// Owned by the callbacks of its own queries and timers (shared_ptr): a lookup lives exactly as
// long as something can still reach it. Thread safety: used on the loop only.
template <typename T>
class LookupDriver : public std::enable_shared_from_this<LookupDriver<T>> {
 public:
  using Reply = absl::StatusOr<T>;
  struct Hooks {
    // Sends one query to `to`; `done` must be called once, on the loop.
    std::function<void(const Contact& to, std::function<void(Reply)> done)> send;
    // A reply to a lookup query (`extra` false) or to an Extra one. Feeds the lookup itself
    // (OnResponse / OnFailure). True ends the lookup at once.
    std::function<bool(LookupDriver& driver, const Contact& from, Reply& reply, bool extra)>
        on_reply;
    std::function<void(LookupDriver& driver)> done;
  };

  static void Start(EventLoop& loop, Lookup lookup, absl::Duration timeout, Hooks hooks) {
    std::shared_ptr<LookupDriver> driver(
        new LookupDriver(loop, std::move(lookup), timeout, std::move(hooks)));
    driver->Pump();
  }

  Lookup& lookup() { return lookup_; }
  // Sends a query beside the lookup; its reply comes to on_reply with `extra` set.
  void Extra(const Contact& to) { Query(to, true); }

 private:
  LookupDriver(EventLoop& loop, Lookup lookup, absl::Duration timeout, Hooks hooks)
      : loop_(loop), lookup_(std::move(lookup)), timeout_(timeout), hooks_(std::move(hooks)) {}

  void Query(const Contact& to, bool extra) {
    ++outstanding_;
    if (extra) ++extras_;
    hooks_.send(to, [self = this->shared_from_this(), to, extra](Reply reply) {
      self->OnReply(to, std::move(reply), extra);
    });
  }

  void OnReply(const Contact& from, Reply reply, bool extra) {
    --outstanding_;
    if (extra) --extras_;
    if (finished_) return;  // a late answer
    if (hooks_.on_reply(*this, from, reply, extra)) {
      Finish();
      return;
    }
    Pump();
  }

  void Pump() {
    if (finished_) return;
    const absl::Time now = loop_.clock().Now();
    for (const Contact& to : lookup_.Next(now)) Query(to, false);
    if (lookup_.Done() && extras_ == 0) return Finish();
    if (outstanding_ == 0) return Finish();  // nothing in flight, nothing left to ask
    absl::Time wake = lookup_.NextDeadline();
    if (lookup_.Done()) {
      // Only Extra queries are left: wait for them, but not forever.
      if (extras_deadline_ == absl::InfiniteFuture()) extras_deadline_ = now + 2 * timeout_;
      if (now >= extras_deadline_) return Finish();
      wake = std::min(wake, extras_deadline_);
    }
    loop_.Cancel(wake_);
    wake_ = wake == absl::InfiniteFuture()
                ? 0
                : loop_.RunAt(wake, [self = this->shared_from_this()] { self->Pump(); });
  }

  void Finish() {
    finished_ = true;
    loop_.Cancel(wake_);
    wake_ = 0;
    // Moved out first: `done` may start other work, and nothing may call back into the hooks.
    Hooks hooks = std::move(hooks_);
    hooks_ = Hooks{};
    hooks.done(*this);
  }

  EventLoop& loop_;
  Lookup lookup_;
  const absl::Duration timeout_;
  Hooks hooks_;
  size_t outstanding_ = 0;  // queries sent and not answered, extras included
  size_t extras_ = 0;
  bool finished_ = false;
  TimerId wake_ = 0;
  absl::Time extras_deadline_ = absl::InfiniteFuture();
};

}  // namespace swarmkv::swarm_internal

#endif  // SWARMKV_REPLICATION_INTERNAL_SWARM_HELPERS_H_
