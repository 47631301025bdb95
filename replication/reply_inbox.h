// ReplyInbox: hands transport replies, which arrive on any thread, to the one thread running an
// operation (a lookup, a round of STOREs). The operation sends requests with Sink() callbacks
// and takes replies as they come.
//
// Shared ownership (shared_ptr) is deliberate: a lookup may end while some of its queries are
// still in flight, and their callbacks must find a live inbox to drop their late reply into.
#ifndef SWARMKV_REPLICATION_REPLY_INBOX_H_
#define SWARMKV_REPLICATION_REPLY_INBOX_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "replication/routing_table.h"

namespace swarmkv {

// The value of a reply that carries nothing but its status.
struct Acknowledged {};

template <typename T>
class ReplyInbox {
 public:
  struct Reply {
    Contact from;
    absl::StatusOr<T> result;
    uint64_t tag;  // what the sender said the request was for
  };

  // A completion callback for a request sent to `to`; `tag` comes back with the reply, so one
  // inbox can serve several requests of different purposes.
  static std::function<void(absl::StatusOr<T>)> Sink(const std::shared_ptr<ReplyInbox>& inbox,
                                                     Contact to, uint64_t tag = 0) {
    return [inbox, to = std::move(to), tag](absl::StatusOr<T> result) {
      absl::MutexLock lock(&inbox->mu_);
      inbox->replies_.push_back(Reply{to, std::move(result), tag});
    };
  }
  // The same for status-only requests (a success carries T{}).
  static std::function<void(absl::Status)> StatusSink(const std::shared_ptr<ReplyInbox>& inbox,
                                                      Contact to, uint64_t tag = 0) {
    auto sink = Sink(inbox, std::move(to), tag);
    return [sink](absl::Status status) {
      if (status.ok()) {
        sink(T{});
      } else {
        sink(std::move(status));
      }
    };
  }

  // Waits for `expected` replies and returns them; fewer when a wait for the next one exceeds
  // `timeout` (the same safety net as Take).
  std::vector<Reply> TakeAll(size_t expected, absl::Duration timeout) {
    std::vector<Reply> all;
    while (all.size() < expected) {
      std::vector<Reply> some = Take(timeout);
      if (some.empty()) break;
      for (Reply& reply : some) all.push_back(std::move(reply));
    }
    return all;
  }

  // Waits until at least one reply is there and takes all of them. Returns none after
  // `timeout`: a safety net only, as every transport call completes by its own deadline.
  std::vector<Reply> Take(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(
                             +[](std::vector<Reply>* r) { return !r->empty(); }, &replies_),
                         timeout);
    return std::exchange(replies_, {});
  }

 private:
  absl::Mutex mu_;
  std::vector<Reply> replies_ ABSL_GUARDED_BY(mu_);
};

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_REPLY_INBOX_H_
