// PacedTransport: a Transport that slows down when a peer asks it to. A node refuses requests
// past a peer's rate budget with RESOURCE_EXHAUSTED and how long to wait (rpc/retry_after.h);
// this waits that long and asks again, so a busy writer in a small cluster is slowed to what its
// peers take instead of failing its puts below the write quorum. Every peer request is
// idempotent, so asking again is safe. A refusal without a wait (over a size limit, the peer
// full) is the answer at once, as is one after `max_retries`, or once the waits would pass
// `max_wait` for that request.
//
// Thread safety: thread-safe, as the wrapped transport. Waits run on `loop`; `inner` and `loop`
// must outlive it.
#ifndef SWARMKV_REPLICATION_PACED_TRANSPORT_H_
#define SWARMKV_REPLICATION_PACED_TRANSPORT_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "base/event_loop.h"
#include "replication/transport.h"

namespace swarmkv {

struct PacedTransportOptions {
  int max_retries = 8;
  absl::Duration max_wait = absl::Seconds(3);
  // The n-th retry waits at least min_backoff * 2^(n-1), whatever the peer said: many requests
  // told to wait the same few milliseconds would otherwise all come back together.
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
  void Send(std::function<void(std::function<void(Answer)>)> attempt,
            std::function<void(Answer)> done);

  Transport& inner_;
  EventLoop& loop_;
  const PacedTransportOptions options_;
};

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_PACED_TRANSPORT_H_
