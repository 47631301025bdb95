#include "replication/paced_transport.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
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
void PacedTransport::Send(const std::string& peer,
                          std::function<void(std::function<void(Answer)>)> attempt,
                          std::function<void(Answer)> done) {
  struct Request : std::enable_shared_from_this<Request> {
    Request(PacedTransport& transport, std::string peer,
            std::function<void(std::function<void(Answer)>)> attempt,
            std::function<void(Answer)> done, absl::Time deadline)
        : transport(transport),
          peer(std::move(peer)),
          attempt(std::move(attempt)),
          done(std::move(done)),
          deadline(deadline) {}

    std::function<void()> Sender() {
      return [self = this->shared_from_this()] {
        self->attempt([self](Answer answer) { self->Heard(std::move(answer)); });
      };
    }

    void Heard(Answer answer) {
      const std::optional<absl::Duration> asked = RetryAfter(StatusOf(answer));
      const PacedTransportOptions& options = transport.options_;
      if (!asked.has_value() || retries >= options.max_retries) return done(std::move(answer));
      const absl::Duration wait = std::max(*asked, options.min_backoff * (1 << retries));
      ++retries;
      transport.SlowDown(peer, wait, *asked);
      if (!transport.Enter(peer, Sender(), deadline, /*first=*/true)) done(std::move(answer));
    }

    PacedTransport& transport;
    const std::string peer;
    const std::function<void(std::function<void(Answer)>)> attempt;
    const std::function<void(Answer)> done;
    const absl::Time deadline;
    int retries = 0;
  };
  auto request = std::make_shared<Request>(*this, peer, std::move(attempt), std::move(done),
                                           loop_.clock().Now() + options_.max_wait);
  if (!Enter(peer, request->Sender(), request->deadline, /*first=*/false)) {
    request->done(Answer(WithRetryAfter(
        absl::ResourceExhaustedError(absl::StrCat(
            "not sent to ", peer, ": it asked this node to slow down, and the requests already ",
            "waiting for it would take longer than ", absl::FormatDuration(options_.max_wait))),
        options_.max_wait)));
  }
}

bool PacedTransport::Enter(const std::string& peer, std::function<void()> send, absl::Time deadline,
                           bool first) {
  {
    absl::MutexLock lock(&mu_);
    auto found = lines_.find(peer);
    if (found != lines_.end()) {
      Line& line = found->second;
      const absl::Time now = loop_.clock().Now();
      if (!line.waiting.empty() || now < line.next_turn) {
        const absl::Time turn =
            std::max(line.next_turn, now) +
            line.spacing * static_cast<int64_t>(first ? 0 : line.waiting.size());
        if (turn > deadline) return false;
        if (first) {
          line.waiting.push_front(std::move(send));
        } else {
          line.waiting.push_back(std::move(send));
        }
        SetReleaseLocked(peer, line);
        return true;
      }
      // The line is empty and its turn has come: this request leaves now, the next one after
      // the spacing.
      line.next_turn = now + line.spacing;
      SetReleaseLocked(peer, line);
    }
  }
  send();
  return true;
}

void PacedTransport::SlowDown(const std::string& peer, absl::Duration wait, absl::Duration asked) {
  absl::MutexLock lock(&mu_);
  const absl::Time now = loop_.clock().Now();
  auto [it, started] = lines_.try_emplace(peer);
  Line& line = it->second;
  if (started) line.next_turn = now;
  line.next_turn = std::max(line.next_turn, now + wait);
  line.spacing =
      std::clamp(asked, std::max(line.spacing, absl::Microseconds(1)), options_.max_wait);
  SetReleaseLocked(peer, line);
}

void PacedTransport::Release(const std::string& peer) {
  std::function<void()> send;
  {
    absl::MutexLock lock(&mu_);
    auto found = lines_.find(peer);
    if (found == lines_.end()) return;
    Line& line = found->second;
    line.release_set = false;
    const absl::Time now = loop_.clock().Now();
    if (now < line.next_turn) return SetReleaseLocked(peer, line);  // the peer refused again
    if (line.waiting.empty()) {
      lines_.erase(found);
      return;
    }
    send = std::move(line.waiting.front());
    line.waiting.pop_front();
    line.next_turn = now + line.spacing;
    SetReleaseLocked(peer, line);
  }
  send();
}

void PacedTransport::SetReleaseLocked(const std::string& peer, Line& line) {
  if (line.release_set) return;
  line.release_set = true;
  loop_.RunAt(line.next_turn, [this, peer] { Release(peer); });
}

void PacedTransport::Ping(const Contact& to, StatusCallback done) {
  Send<absl::Status>(
      to.address, [this, to](StatusCallback heard) { inner_.Ping(to, std::move(heard)); },
      std::move(done));
}

void PacedTransport::Introduce(const std::string& address, Callback<NodeId> done) {
  Send<absl::StatusOr<NodeId>>(
      address,
      [this, address](Callback<NodeId> heard) { inner_.Introduce(address, std::move(heard)); },
      std::move(done));
}

void PacedTransport::FindNode(const Contact& to, const DhtKey& target,
                              Callback<std::vector<Contact>> done) {
  Send<absl::StatusOr<std::vector<Contact>>>(
      to.address,
      [this, to, target](Callback<std::vector<Contact>> heard) {
        inner_.FindNode(to, target, std::move(heard));
      },
      std::move(done));
}

void PacedTransport::FindValue(const Contact& to, const Cid& cid, Callback<FindValueResult> done) {
  Send<absl::StatusOr<FindValueResult>>(
      to.address,
      [this, to, cid](Callback<FindValueResult> heard) {
        inner_.FindValue(to, cid, std::move(heard));
      },
      std::move(done));
}

void PacedTransport::GetProviders(const Contact& to, const Cid& cid,
                                  Callback<ProvidersResult> done) {
  Send<absl::StatusOr<ProvidersResult>>(
      to.address,
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
      to.address,
      [this, to, cid, shared](StatusCallback heard) {
        inner_.Store(to, cid, *shared, std::move(heard));
      },
      std::move(done));
}

void PacedTransport::AddProvider(const Contact& to, const Cid& cid, StatusCallback done) {
  Send<absl::Status>(
      to.address,
      [this, to, cid](StatusCallback heard) { inner_.AddProvider(to, cid, std::move(heard)); },
      std::move(done));
}

void PacedTransport::Have(const Contact& to, std::vector<Cid> cids,
                          Callback<std::vector<bool>> done) {
  auto shared = std::make_shared<const std::vector<Cid>>(std::move(cids));
  Send<absl::StatusOr<std::vector<bool>>>(
      to.address,
      [this, to, shared](Callback<std::vector<bool>> heard) {
        inner_.Have(to, *shared, std::move(heard));
      },
      std::move(done));
}

void PacedTransport::Prove(const Contact& to, const Cid& cid, std::string nonce,
                           Callback<Digest256> done) {
  Send<absl::StatusOr<Digest256>>(
      to.address,
      [this, to, cid, nonce = std::move(nonce)](Callback<Digest256> heard) {
        inner_.Prove(to, cid, nonce, std::move(heard));
      },
      std::move(done));
}

void PacedTransport::PutRecord(const Contact& to, std::string record, Callback<std::string> done) {
  Send<absl::StatusOr<std::string>>(
      to.address,
      [this, to, record = std::move(record)](Callback<std::string> heard) {
        inner_.PutRecord(to, record, std::move(heard));
      },
      std::move(done));
}

void PacedTransport::GetRecord(const Contact& to, const DhtKey& key, Callback<RecordAnswer> done) {
  Send<absl::StatusOr<RecordAnswer>>(
      to.address,
      [this, to, key](Callback<RecordAnswer> heard) {
        inner_.GetRecord(to, key, std::move(heard));
      },
      std::move(done));
}

}  // namespace swarmkv
