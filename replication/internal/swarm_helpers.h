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
#include "absl/synchronization/mutex.h"
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

// Runs a Lookup: sends the queries it asks for, feeds it the replies (through the on_reply
// hook, which may also ask queries beside it with Extra, e.g. to providers), wakes on the loop at
// its next deadline so overdue queries count as failed, and calls `done` once when it has ended:
// the lookup is done and every Extra query has answered (or, as a safety net, twice the query
// timeout has passed since the lookup was done).
//
// Replies are handled on whatever thread delivers them (a gRPC completion thread in the daemon,
// the loop in the simulator): the driver is a strand, one step at a time under its own mutex, so
// a reply costs no hop through the loop (measured: with every reply posted to the loop, 16
// concurrent remote gets ran 20-40 % slower on 2 cores than before the loop). Queries are sent
// and `done` is called outside the mutex, so a transport that completes a call at once cannot
// deadlock it.
//
// Owned by the callbacks of its own queries and timers (shared_ptr): a lookup lives exactly as
// long as something can still reach it. Thread safety: thread-safe.
template <typename T>
class LookupDriver : public std::enable_shared_from_this<LookupDriver<T>> {
 public:
  using Reply = absl::StatusOr<T>;
  struct Hooks {
    // Sends one query to `to`; `done` must be called once, on any thread.
    std::function<void(const Contact& to, std::function<void(Reply)> done)> send;
    // A reply to a lookup query (`extra` false) or to an Extra one, with the driver's mutex
    // held: it feeds the lookup (OnResponse / OnFailure) and must not block. True ends the
    // lookup at once.
    std::function<bool(LookupDriver& driver, const Contact& from, Reply& reply, bool extra)>
        on_reply;
    // Once, without the mutex, on the thread that ended the lookup.
    std::function<void(LookupDriver& driver)> done;
  };

  static void Start(EventLoop& loop, Lookup lookup, absl::Duration timeout, Hooks hooks) {
    std::shared_ptr<LookupDriver> driver(
        new LookupDriver(loop, std::move(lookup), timeout, std::move(hooks)));
    driver->Step([&driver] {
      driver->mu_.AssertHeld();  // Step runs it under mu_; says so to the lock analysis
      driver->PumpLocked();
    });
  }

  // REQUIRES: inside on_reply, or after the lookup ended (in done, without the mutex: nothing
  // else reaches the lookup then, which the lock analysis cannot see).
  Lookup& lookup() ABSL_NO_THREAD_SAFETY_ANALYSIS { return lookup_; }
  // Asks `to` beside the lookup; its reply comes to on_reply with `extra` set. REQUIRES: inside
  // on_reply (the query leaves when the step ends).
  void Extra(const Contact& to) {
    mu_.AssertHeld();  // on_reply runs under mu_ (the hooks cannot name it for the analysis)
    QueryLocked(to, true);
  }

 private:
  LookupDriver(EventLoop& loop, Lookup lookup, absl::Duration timeout, Hooks hooks)
      : loop_(loop), timeout_(timeout), lookup_(std::move(lookup)), hooks_(std::move(hooks)) {}

  // Runs `step` under the mutex, then sends the queries it asked for and, if the lookup ended,
  // calls `done`. (A plain std::function, not a template: the replies' callbacks call Step
  // again, and a template would instantiate itself without end.)
  void Step(const std::function<void()>& step) {
    std::vector<std::pair<Contact, bool>> sends;
    decltype(hooks_.send) send;
    decltype(hooks_.done) done;
    {
      absl::MutexLock lock(&mu_);
      step();
      sends.swap(to_send_);
      if (!sends.empty()) send = hooks_.send;
      if (finished_ && hooks_.done) {
        done = std::move(hooks_.done);
        hooks_ = Hooks{};  // nothing calls back into them any more
      }
    }
    for (const auto& [to, extra] : sends) {
      send(to, [self = this->shared_from_this(), to = to, extra = extra](Reply reply) {
        self->Step([&] {
          self->mu_.AssertHeld();
          self->OnReplyLocked(to, reply, extra);
        });
      });
    }
    if (done) done(*this);
  }

  void QueryLocked(const Contact& to, bool extra) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ++outstanding_;
    if (extra) ++extras_;
    to_send_.emplace_back(to, extra);
  }

  void OnReplyLocked(const Contact& from, Reply& reply, bool extra)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    --outstanding_;
    if (extra) --extras_;
    if (finished_) return;  // a late answer
    if (hooks_.on_reply(*this, from, reply, extra)) return FinishLocked();
    PumpLocked();
  }

  void PumpLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    const absl::Time now = loop_.clock().Now();
    for (const Contact& to : lookup_.Next(now)) QueryLocked(to, false);
    if (lookup_.Done() && extras_ == 0) return FinishLocked();
    if (outstanding_ == 0) return FinishLocked();  // nothing in flight, nothing left to ask
    absl::Time wake = lookup_.NextDeadline();
    if (lookup_.Done()) {
      // Only Extra queries are left: wait for them, but not forever.
      if (extras_deadline_ == absl::InfiniteFuture()) extras_deadline_ = now + 2 * timeout_;
      if (now >= extras_deadline_) return FinishLocked();
      wake = std::min(wake, extras_deadline_);
    }
    if (wake == wake_at_) return;
    loop_.Cancel(wake_);
    wake_at_ = wake;
    wake_ =
        wake == absl::InfiniteFuture() ? 0 : loop_.RunAt(wake, [self = this->shared_from_this()] {
          self->Step([&] {
            self->mu_.AssertHeld();
            self->wake_ = 0;
            self->wake_at_ = absl::InfiniteFuture();
            self->PumpLocked();
          });
        });
  }

  void FinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    finished_ = true;
    loop_.Cancel(wake_);
    wake_ = 0;
  }

  EventLoop& loop_;
  const absl::Duration timeout_;

  absl::Mutex mu_;
  Lookup lookup_ ABSL_GUARDED_BY(mu_);
  Hooks hooks_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<Contact, bool>> to_send_ ABSL_GUARDED_BY(mu_);
  size_t outstanding_ ABSL_GUARDED_BY(mu_) = 0;  // queries sent and not answered, extras too
  size_t extras_ ABSL_GUARDED_BY(mu_) = 0;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  TimerId wake_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time wake_at_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  absl::Time extras_deadline_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
};

}  // namespace swarmkv::swarm_internal

#endif  // SWARMKV_REPLICATION_INTERNAL_SWARM_HELPERS_H_
