// PacedTransport: a Transport that slows down when a peer asks it to. A node refuses requests
// past a peer's rate budget with RESOURCE_EXHAUSTED and how long to wait (rpc/retry_after.h);
// this waits that long and asks again, so a busy writer in a small cluster is slowed to what its
// peers take instead of failing its puts below the write quorum. Every peer request is
// idempotent, so asking again is safe.
//
// Once a peer has said "slow down", requests to it wait in one line (the refused first, then
// the rest in the order they came) and leave it one at a time, spaced by the longest wait the
// peer has named since: with an empty budget that is the time it takes to refill one request.
// Without the line, every refused request would come back at about the same moment and all
// but one be refused again, until some ran out of retries (a 2-node test did, under load). The
// line ends when it is empty and its spacing has passed.
//
// A refusal without a wait (over a size limit, the peer full) is the answer at once, as is one
// after `max_retries`, or when the request's turn would come more than `max_wait` after it was
// made; a request that has not been sent by then is answered RESOURCE_EXHAUSTED without being
// sent.
//
// Thread safety: thread-safe, as the wrapped transport. Waits run on `loop`; `inner` and `loop`
// must outlive it.
#ifndef SWARMKV_REPLICATION_PACED_TRANSPORT_H_
#define SWARMKV_REPLICATION_PACED_TRANSPORT_H_

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/event_loop.h"
#include "replication/transport.h"

namespace swarmkv {

struct PacedTransportOptions {
  int max_retries = 8;
  absl::Duration max_wait = absl::Seconds(3);
  // The n-th retry of a request waits at least min_backoff * 2^(n-1), whatever the peer said:
  // a peer that keeps refusing (its budget spent by others too) is asked less and less often.
  absl::Duration min_backoff = absl::Milliseconds(5);
};

class PacedTransport final : public Transport {
 public:
  PacedTransport(Transport& inner, EventLoop& loop, PacedTransportOptions options = {})
      : inner_(inner), loop_(loop), options_(options) {}

  void Ping(const Contact& to, StatusCallback done) override;
  void Introduce(const std::string& address, Callback<NodeId> done) override;
  void FindNode(const Contact& to, const DhtKey& target,
                Callback<std::vector<Contact>> done) override;
  void FindValue(const Contact& to, const Cid& cid, Callback<FindValueResult> done) override;
  void GetProviders(const Contact& to, const Cid& cid, Callback<ProvidersResult> done) override;
  void Store(const Contact& to, const Cid& cid, std::string block, StatusCallback done) override;
  void AddProvider(const Contact& to, const Cid& cid, StatusCallback done) override;
  void Have(const Contact& to, std::vector<Cid> cids, Callback<std::vector<bool>> done) override;
  void Prove(const Contact& to, const Cid& cid, std::string nonce,
             Callback<Digest256> done) override;
  void PutRecord(const Contact& to, std::string record, Callback<std::string> done) override;
  void GetRecord(const Contact& to, const DhtKey& key, Callback<RecordAnswer> done) override;

 private:
  // Sends with `attempt` (which calls the wrapped transport and passes on its answer) until
  // the answer is not a paced refusal, then gives it to `done`.
  template <typename Answer>
  void Send(const std::string& peer, std::function<void(std::function<void(Answer)>)> attempt,
            std::function<void(Answer)> done);

  // The line of requests to one peer that asked to slow down.
  struct Line {
    absl::Time next_turn;    // no request leaves before this
    absl::Duration spacing;  // between two that leave
    std::deque<std::function<void()>> waiting;
    bool release_set = false;  // a Release of this line is due at next_turn
  };

  // Sends with `send` now, when `peer` has no line; else puts it in the line (first, for a
  // request the peer has just refused). False, and nothing queued, when its turn would come
  // after `deadline`.
  bool Enter(const std::string& peer, std::function<void()> send, absl::Time deadline, bool first);
  // The peer refused a request, asking to wait `wait`: starts or stretches its line.
  void SlowDown(const std::string& peer, absl::Duration wait, absl::Duration asked);
  // On the loop at a line's next_turn: lets the first request out, or ends an empty line.
  void Release(const std::string& peer);
  void SetReleaseLocked(const std::string& peer, Line& line) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Transport& inner_;
  EventLoop& loop_;
  const PacedTransportOptions options_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Line> lines_ ABSL_GUARDED_BY(mu_);  // by peer address
};

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_PACED_TRANSPORT_H_
