#include "replication/lookup.h"

#include <algorithm>

namespace swarmkv {

Lookup::Lookup(const DhtKey& target, const std::vector<Contact>& seeds, LookupOptions options)
    : target_(target), options_(options) {
  for (const Contact& c : seeds) Add(c);
}

void Lookup::Add(const Contact& contact) {
  if (FindPeer(contact.id) != nullptr) return;
  auto at =
      std::lower_bound(peers_.begin(), peers_.end(), contact, [&](const Peer& p, const Contact& c) {
        return Closer(target_, KeyOf(p.contact.id), KeyOf(c.id));
      });
  peers_.insert(at, Peer{contact, State::kCandidate, absl::InfiniteFuture()});
}

Lookup::Peer* Lookup::FindPeer(const NodeId& id) {
  for (Peer& p : peers_) {
    if (p.contact.id == id) return &p;
  }
  return nullptr;
}

std::vector<Contact> Lookup::Next(absl::Time now) {
  for (Peer& p : peers_) {
    if (p.state == State::kInFlight && p.deadline <= now) {
      p.state = State::kFailed;
      --in_flight_;
    }
  }
  std::vector<Contact> out;
  // Only the k closest contacts that have not failed are worth asking.
  size_t considered = 0;
  for (Peer& p : peers_) {
    if (in_flight_ >= options_.alpha || considered >= options_.k) break;
    if (p.state == State::kFailed) continue;
    ++considered;
    if (p.state != State::kCandidate) continue;
    p.state = State::kInFlight;
    p.deadline = now + options_.timeout;
    ++in_flight_;
    ++queries_sent_;
    out.push_back(p.contact);
  }
  return out;
}

void Lookup::OnResponse(const NodeId& from, const std::vector<Contact>& closer) {
  Peer* peer = FindPeer(from);
  if (peer == nullptr || peer->state == State::kSucceeded || peer->state == State::kCandidate) {
    return;  // never asked, or answered already: ignore
  }
  if (peer->state == State::kInFlight) --in_flight_;
  peer->state = State::kSucceeded;  // a late answer still counts
  // Cap what one response may add, so a hostile peer cannot flood the lookup.
  size_t added = 0;
  for (const Contact& c : closer) {
    if (added++ >= options_.k) break;
    Add(c);
  }
}

void Lookup::OnFailure(const NodeId& from) {
  Peer* peer = FindPeer(from);
  if (peer == nullptr || peer->state != State::kInFlight) return;
  peer->state = State::kFailed;
  --in_flight_;
}

bool Lookup::Done() const {
  size_t considered = 0;
  for (const Peer& p : peers_) {
    if (considered >= options_.k) break;
    if (p.state == State::kFailed) continue;
    ++considered;
    if (p.state != State::kSucceeded) return false;
  }
  return true;
}

std::vector<Contact> Lookup::Result() const {
  std::vector<Contact> out;
  for (const Peer& p : peers_) {
    if (out.size() >= options_.k) break;
    if (p.state == State::kSucceeded) out.push_back(p.contact);
  }
  return out;
}

absl::Time Lookup::NextDeadline() const {
  absl::Time earliest = absl::InfiniteFuture();
  for (const Peer& p : peers_) {
    if (p.state == State::kInFlight) earliest = std::min(earliest, p.deadline);
  }
  return earliest;
}

}  // namespace swarmkv
