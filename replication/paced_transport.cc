#include "replication/paced_transport.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "rpc/retry_after.h"

namespace swarmkv {
namespace {

const absl::Status& StatusOf(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& answer) {
  return answer.status();
}

}  // namespace

template <typename Answer>
void PacedTransport::Send(std::function<void(std::function<void(Answer)>)> attempt,
                          std::function<void(Answer)> done) {
  struct Request : std::enable_shared_from_this<Request> {
    Request(PacedTransport& transport, std::function<void(std::function<void(Answer)>)> attempt,
            std::function<void(Answer)> done)
        : transport(transport), attempt(std::move(attempt)), done(std::move(done)) {}

    void Try() {
      attempt([self = this->shared_from_this()](Answer answer) { self->Heard(std::move(answer)); });
    }

    void Heard(Answer answer) {
      const std::optional<absl::Duration> asked = RetryAfter(StatusOf(answer));
      const PacedTransportOptions& options = transport.options_;
      if (!asked.has_value() || retries >= options.max_retries) return done(std::move(answer));
      const absl::Duration wait = std::max(*asked, options.min_backoff * (1 << retries));
      if (waited + wait > options.max_wait) return done(std::move(answer));
      ++retries;
      waited += wait;
      transport.loop_.RunAfter(wait, [self = this->shared_from_this()] { self->Try(); });
    }

    PacedTransport& transport;
    const std::function<void(std::function<void(Answer)>)> attempt;
    const std::function<void(Answer)> done;
    int retries = 0;
    absl::Duration waited;
  };
  std::make_shared<Request>(*this, std::move(attempt), std::move(done))->Try();
}

void PacedTransport::Ping(const Contact& to, StatusCallback done) {
  Send<absl::Status>([this, to](StatusCallback heard) { inner_.Ping(to, std::move(heard)); },
                     std::move(done));
}

void PacedTransport::Introduce(const std::string& address, Callback<NodeId> done) {
  Send<absl::StatusOr<NodeId>>(
      [this, address](Callback<NodeId> heard) { inner_.Introduce(address, std::move(heard)); },
      std::move(done));
}

void PacedTransport::FindNode(const Contact& to, const DhtKey& target,
                              Callback<std::vector<Contact>> done) {
  Send<absl::StatusOr<std::vector<Contact>>>(
      [this, to, target](Callback<std::vector<Contact>> heard) {
        inner_.FindNode(to, target, std::move(heard));
      },
      std::move(done));
}

void PacedTransport::FindValue(const Contact& to, const Cid& cid, Callback<FindValueResult> done) {
  Send<absl::StatusOr<FindValueResult>>(
      [this, to, cid](Callback<FindValueResult> heard) {
        inner_.FindValue(to, cid, std::move(heard));
      },
      std::move(done));
}

void PacedTransport::GetProviders(const Contact& to, const Cid& cid,
                                  Callback<ProvidersResult> done) {
  Send<absl::StatusOr<ProvidersResult>>(
      [this, to, cid](Callback<ProvidersResult> heard) {
        inner_.GetProviders(to, cid, std::move(heard));
      },
      std::move(done));
}

void PacedTransport::Store(const Contact& to, const Cid& cid, std::string block,
                           StatusCallback done) {
  // Each attempt sends its own copy of the block (the wrapped transport takes it by value).
  auto shared = std::make_shared<const std::string>(std::move(block));
  Send<absl::Status>(
      [this, to, cid, shared](StatusCallback heard) {
        inner_.Store(to, cid, *shared, std::move(heard));
      },
      std::move(done));
}

void PacedTransport::AddProvider(const Contact& to, const Cid& cid, StatusCallback done) {
  Send<absl::Status>(
      [this, to, cid](StatusCallback heard) { inner_.AddProvider(to, cid, std::move(heard)); },
      std::move(done));
}

void PacedTransport::Have(const Contact& to, std::vector<Cid> cids,
                          Callback<std::vector<bool>> done) {
  auto shared = std::make_shared<const std::vector<Cid>>(std::move(cids));
  Send<absl::StatusOr<std::vector<bool>>>(
      [this, to, shared](Callback<std::vector<bool>> heard) {
        inner_.Have(to, *shared, std::move(heard));
      },
      std::move(done));
}

void PacedTransport::Prove(const Contact& to, const Cid& cid, std::string nonce,
                           Callback<Digest256> done) {
  Send<absl::StatusOr<Digest256>>(
      [this, to, cid, nonce = std::move(nonce)](Callback<Digest256> heard) {
        inner_.Prove(to, cid, nonce, std::move(heard));
      },
      std::move(done));
}

void PacedTransport::PutRecord(const Contact& to, std::string record, Callback<std::string> done) {
  Send<absl::StatusOr<std::string>>(
      [this, to, record = std::move(record)](Callback<std::string> heard) {
        inner_.PutRecord(to, record, std::move(heard));
      },
      std::move(done));
}

void PacedTransport::GetRecord(const Contact& to, const DhtKey& key, Callback<RecordAnswer> done) {
  Send<absl::StatusOr<RecordAnswer>>(
      [this, to, key](Callback<RecordAnswer> heard) {
        inner_.GetRecord(to, key, std::move(heard));
      },
      std::move(done));
}

}  // namespace swarmkv
