#include "replication/swarm.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "crypto/hash.h"
#include "crypto/varint.h"
#include "replication/reply_inbox.h"

namespace swarmkv {
namespace {

constexpr absl::string_view kRoutingTableMeta = "routing_table";
// The most contacts a saved table restores: 256 buckets of k, with room to spare.
constexpr uint64_t kMaxSavedContacts = 256 * 64;
constexpr size_t kMaxHaveBatch = 1024;
constexpr size_t kMaxAddressBytes = 300;
// Blocks being placed at once by one Replicate call.
constexpr size_t kReplicationWindow = 8;
// How many blocks a maintenance round reads from the store at a time.
constexpr size_t kMaintenancePage = 1024;

// A failure that says the peer is gone (as opposed to "it answered with an error").
bool PeerUnreachable(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status);
}

std::vector<Contact> WithoutSelf(std::vector<Contact> contacts, const NodeId& self) {
  contacts.erase(std::remove_if(contacts.begin(), contacts.end(),
                                [&](const Contact& c) { return c.id == self; }),
                 contacts.end());
  return contacts;
}

}  // namespace

DhtKey KeyWithCommonPrefix(const DhtKey& key, int prefix, uint64_t salt) {
  // Filler bits that vary with the salt but need no randomness source: a hash.
  std::string seed(reinterpret_cast<const char*>(key.data()), key.size());
  seed.append(reinterpret_cast<const char*>(&salt), sizeof(salt));
  DhtKey out = Sha256(seed);
  for (int bit = 0; bit <= prefix && bit < 256; ++bit) {
    const uint8_t mask = static_cast<uint8_t>(0x80u >> (bit % 8));
    const bool want = bit < prefix ? (key[bit / 8] & mask) != 0 : (key[bit / 8] & mask) == 0;
    out[bit / 8] = static_cast<uint8_t>(want ? (out[bit / 8] | mask) : (out[bit / 8] & ~mask));
  }
  return out;
}

absl::StatusOr<BootstrapEntry> ParseBootstrapEntry(absl::string_view text) {
  BootstrapEntry entry;
  absl::string_view address = text;
  const size_t at = text.find('@');
  if (at != absl::string_view::npos) {
    auto id = NodeId::Parse(text.substr(0, at));
    if (!id.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("bootstrap entry \"", text,
                                                     "\": the part before @ is not a node id (",
                                                     id.status().message(), ")"));
    }
    entry.id = *id;
    address = text.substr(at + 1);
  }
  const size_t colon = address.rfind(':');
  uint32_t port = 0;
  if (colon == absl::string_view::npos || colon == 0 || address.size() > kMaxAddressBytes ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port == 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bootstrap entry \"", text, "\" is not host:port or <node id>@host:port (port 1-65535)"));
  }
  entry.address = std::string(address);
  return entry;
}

Swarm::Swarm(NodeId self, BlockStore& store, Transport& transport, const Clock& clock,
             SwarmOptions options)
    : self_(self),
      store_(store),
      transport_(transport),
      clock_(clock),
      options_(std::move(options)),
      planner_(self, options_.replication_factor),
      table_(self, options_.table) {}

// ----- Routing-table upkeep -----

absl::Status Swarm::OnPeerContact(const Contact& caller) {
  {
    absl::MutexLock lock(&mu_);
    if (IsPenalized(caller.id)) {
      return absl::PermissionDeniedError("this node is ignoring you for sending bad data");
    }
  }
  Learn(caller);
  return absl::OkStatus();
}

bool Swarm::IsPenalized(const NodeId& id) const {
  auto it = penalized_until_.find(id);
  return it != penalized_until_.end() && clock_.Now() < it->second;
}

void Swarm::Learn(const Contact& contact) {
  if (contact.id == self_ || contact.address.empty()) return;
  Admission admission;
  const absl::Time now = clock_.Now();
  {
    absl::MutexLock lock(&mu_);
    if (IsPenalized(contact.id)) return;
    admission = table_.Observe(Contact{contact.id, contact.address, now}, now);
  }
  if (admission.kind != Admission::kPingOldest || !admission.oldest.has_value()) return;
  // A full bucket keeps its oldest contact unless it fails to answer (DESIGN §5).
  const Contact oldest = *admission.oldest;
  transport_.Ping(oldest, [this, oldest, contact](absl::Status status) {
    absl::MutexLock lock(&mu_);
    table_.OnPingResult(oldest.id, status.ok(), contact, clock_.Now());
  });
}

void Swarm::Forget(const NodeId& id) {
  absl::MutexLock lock(&mu_);
  table_.Remove(id);
}

void Swarm::Penalize(const NodeId& id, absl::string_view why) {
  LogEvent(LogLevel::kWarn, "swarm.peer_penalized", {{"peer", id.ToString()}, {"why", why}});
  absl::MutexLock lock(&mu_);
  table_.Remove(id);
  penalized_until_[id] = clock_.Now() + options_.penalty;
}

std::vector<Contact> Swarm::ClosestKnown(const DhtKey& target, size_t n) const {
  absl::MutexLock lock(&mu_);
  return table_.Closest(target, n);
}

std::vector<Contact> Swarm::Peers() const {
  absl::MutexLock lock(&mu_);
  return table_.All();
}

bool Swarm::Alone() const {
  absl::MutexLock lock(&mu_);
  return !expects_peers_ && table_.size() == 0;
}

size_t Swarm::EffectiveWriteQuorum() const { return Alone() ? 1 : options_.write_quorum; }

// ----- Requests from other nodes -----

std::vector<Contact> Swarm::HandleFindNode(const DhtKey& target) const {
  return ClosestKnown(target, options_.table.k);
}

FindValueResult Swarm::HandleFindValue(const Cid& cid) const {
  return AnswerFindValue(cid, store_.Get(cid));
}

std::optional<FindValueResult> Swarm::HandleFindValueFromMemory(const Cid& cid) const {
  absl::StatusOr<std::string> block = store_.GetCached(cid);
  if (absl::IsUnavailable(block.status())) return std::nullopt;  // needs the disk
  return AnswerFindValue(cid, std::move(block));
}

FindValueResult Swarm::AnswerFindValue(const Cid& cid, absl::StatusOr<std::string> block) const {
  FindValueResult result;
  if (block.ok()) {
    result.block = *std::move(block);
    return result;
  }
  // A damaged local copy is not served (the store logged it); the asker looks elsewhere.
  ProvidersResult others = HandleGetProviders(cid);
  result.providers = std::move(others.providers);
  result.closer = std::move(others.closer);
  return result;
}

ProvidersResult Swarm::HandleGetProviders(const Cid& cid) const {
  ProvidersResult result;
  const DhtKey key = cid.DhtKey();
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  auto it = providers_.find(key);
  if (it != providers_.end()) {
    for (const Provider& p : it->second) {
      if (p.expires > now) result.providers.push_back(p.contact);
    }
  }
  result.closer = table_.Closest(key, options_.table.k);
  return result;
}

absl::Status Swarm::HandleStore(const Contact& caller, const Cid& cid, absl::string_view block) {
  absl::Status status = store_.PutVerified(cid, block);
  if (absl::IsInvalidArgument(status)) Penalize(caller.id, "STORE of bytes not matching the CID");
  return status;
}

void Swarm::HandleAddProvider(const Contact& caller, const Cid& cid) {
  const DhtKey key = cid.DhtKey();
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  auto it = providers_.find(key);
  if (it == providers_.end()) {
    if (providers_.size() >= options_.max_provider_keys) return;  // full: the record is dropped
    it = providers_.emplace(key, std::vector<Provider>{}).first;
  }
  std::vector<Provider>& list = it->second;
  list.erase(std::remove_if(
                 list.begin(), list.end(),
                 [&](const Provider& p) { return p.contact.id == caller.id || p.expires <= now; }),
             list.end());
  if (list.size() >= options_.max_providers_per_key) list.erase(list.begin());
  list.push_back(Provider{caller, now + options_.provider_ttl});
}

absl::StatusOr<std::vector<bool>> Swarm::HandleHave(const std::vector<Cid>& cids) const {
  if (cids.size() > kMaxHaveBatch) {
    return absl::ResourceExhaustedError(
        absl::StrCat("HAVE of ", cids.size(), " CIDs is over the limit of ", kMaxHaveBatch));
  }
  std::vector<bool> have;
  have.reserve(cids.size());
  for (const Cid& cid : cids) {
    SWARMKV_ASSIGN_OR_RETURN(bool held, store_.Has(cid));
    have.push_back(held);
  }
  return have;
}

// ----- Operations on the network -----

namespace {

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

}  // namespace

size_t Swarm::Bootstrap(const std::vector<BootstrapEntry>& entries) {
  auto inbox = std::make_shared<ReplyInbox<NodeId>>();
  for (const BootstrapEntry& entry : entries) {
    Contact contact{entry.id.value_or(self_), entry.address, clock_.Now()};
    if (entry.id.has_value()) {
      const NodeId id = *entry.id;
      auto sink = ReplyInbox<NodeId>::Sink(inbox, contact);
      transport_.Ping(contact, [sink, id](absl::Status status) {
        if (status.ok()) {
          sink(id);
        } else {
          sink(std::move(status));
        }
      });
    } else {
      transport_.Introduce(entry.address, ReplyInbox<NodeId>::Sink(inbox, contact));
    }
  }
  size_t answered = 0;
  for (auto& reply : inbox->TakeAll(entries.size(), options_.lookup.timeout * 2)) {
    if (!reply.result.ok()) {
      LogEvent(LogLevel::kWarn, "swarm.bootstrap_failed",
               {{"address", reply.from.address}, {"status", reply.result.status()}});
      continue;
    }
    ++answered;
    Learn(Contact{*reply.result, reply.from.address, clock_.Now()});
  }
  if (answered > 0) FindClosest(KeyOf(self_));
  return answered;
}

std::vector<Contact> Swarm::FindClosest(const DhtKey& target) {
  Lookup lookup(target, ClosestKnown(target, options_.lookup.k), options_.lookup);
  DriveLookup<std::vector<Contact>>(
      lookup, clock_, options_.lookup.timeout * 2,
      [&](const Contact& to, Transport::Callback<std::vector<Contact>> done) {
        transport_.FindNode(to, target, std::move(done));
      },
      [&](ReplyInbox<std::vector<Contact>>::Reply& reply, auto&) {
        if (!reply.result.ok()) {
          lookup.OnFailure(reply.from.id);
          if (PeerUnreachable(reply.result.status())) Forget(reply.from.id);
          return false;
        }
        Learn(reply.from);
        lookup.OnResponse(reply.from.id, WithoutSelf(*std::move(reply.result), self_));
        return false;
      });
  return lookup.Result();
}

absl::StatusOr<size_t> Swarm::Replicate(const std::vector<Cid>& blocks) {
  if (blocks.empty()) return 1;
  // Placing a block needs its R closest nodes, not k: a lookup for 2R stops sooner and keeps a
  // margin for nodes that fail to answer.
  LookupOptions lookup_options = options_.lookup;
  lookup_options.k = std::min(options_.lookup.k, 2 * options_.replication_factor);

  // Up to kReplicationWindow blocks are placed at once, all driven from this thread: their
  // lookups' FIND_NODEs and their STOREs share one inbox, each reply tagged with its block.
  struct Job {
    std::optional<Lookup> lookup;
    bool storing = false;
    size_t stores_pending = 0;
    size_t copies = 1;  // the local one
  };
  auto tag = [](size_t block, bool store) { return block * 2 + (store ? 1 : 0); };
  std::vector<Job> jobs(blocks.size());
  using Inbox = ReplyInbox<std::vector<Contact>>;
  auto inbox = std::make_shared<Inbox>();
  std::vector<size_t> ready;  // jobs whose state moved: send what they need next
  size_t next = 0;
  size_t active = 0;
  size_t min_copies = SIZE_MAX;
  absl::Status error;

  auto start_more = [&] {
    while (active < kReplicationWindow && next < blocks.size()) {
      const DhtKey key = blocks[next].DhtKey();
      jobs[next].lookup.emplace(key, ClosestKnown(key, lookup_options.k), lookup_options);
      ready.push_back(next++);
      ++active;
    }
  };
  // Sends the queries a job's lookup asks for; once it is done, the STOREs; once they are all
  // answered, the job is finished.
  auto advance = [&](size_t i) {
    Job& job = jobs[i];
    if (!job.lookup.has_value()) return;  // finished already
    const Cid& cid = blocks[i];
    const DhtKey key = cid.DhtKey();
    if (!job.storing) {
      for (const Contact& c : job.lookup->Next(clock_.Now())) {
        transport_.FindNode(c, key, Inbox::Sink(inbox, c, tag(i, false)));
      }
      if (!job.lookup->Done()) return;
      job.storing = true;
      const std::vector<Contact> closest = job.lookup->Result();
      absl::StatusOr<std::string> data = store_.Get(cid);
      if (!data.ok()) {
        error.Update(data.status());
      } else {
        for (const NodeId& id : planner_.Responsible(key, closest)) {
          auto contact = std::find_if(closest.begin(), closest.end(),
                                      [&](const Contact& c) { return c.id == id; });
          if (contact == closest.end()) continue;  // this node
          ++job.stores_pending;
          transport_.Store(*contact, cid, *data, Inbox::StatusSink(inbox, *contact, tag(i, true)));
        }
      }
    }
    if (job.stores_pending > 0) return;
    min_copies = std::min(min_copies, job.copies);
    job.lookup.reset();
    --active;
    start_more();
  };

  start_more();
  while (active > 0 && error.ok()) {
    while (!ready.empty()) {
      const size_t i = ready.back();
      ready.pop_back();
      advance(i);
    }
    if (active == 0) break;
    auto replies = inbox->Take(options_.lookup.timeout * 2);
    if (replies.empty()) {
      return absl::DeadlineExceededError("replication got no answer in time");
    }
    for (auto& reply : replies) {
      const size_t i = reply.tag / 2;
      Job& job = jobs[i];
      const bool is_store = reply.tag % 2 == 1;
      if (!reply.result.ok() && PeerUnreachable(reply.result.status())) Forget(reply.from.id);
      if (is_store) {
        --job.stores_pending;
        if (reply.result.ok()) {
          ++job.copies;
        } else {
          LogEvent(LogLevel::kWarn, "swarm.store_failed",
                   {{"peer", reply.from.id.ToString()},
                    {"cid", blocks[i].ToString()},
                    {"status", reply.result.status()}});
        }
      } else if (job.lookup.has_value() && !job.storing) {
        if (reply.result.ok()) {
          Learn(reply.from);
          job.lookup->OnResponse(reply.from.id, WithoutSelf(*std::move(reply.result), self_));
        } else {
          job.lookup->OnFailure(reply.from.id);
        }
      } else {
        continue;  // a late FIND_NODE answer for a block already placed
      }
      ready.push_back(i);
    }
  }
  SWARMKV_RETURN_IF_ERROR(error);
  return min_copies;
}

size_t Swarm::Announce(const Cid& cid) {
  const DhtKey key = cid.DhtKey();
  std::vector<Contact> closest = FindClosest(key);
  if (closest.size() > options_.replication_factor) {
    closest.erase(closest.begin() + options_.replication_factor, closest.end());
  }
  auto inbox = std::make_shared<ReplyInbox<Acknowledged>>();
  for (const Contact& c : closest) {
    transport_.AddProvider(c, cid, ReplyInbox<Acknowledged>::StatusSink(inbox, c));
  }
  size_t accepted = 0;
  for (auto& reply : inbox->TakeAll(closest.size(), options_.lookup.timeout * 2)) {
    if (reply.result.ok()) ++accepted;
  }
  return accepted;
}

absl::StatusOr<std::string> Swarm::Fetch(const Cid& cid, std::vector<Contact>* hints) {
  bool answered = false;
  size_t asked = 0;
  std::optional<std::string> found;
  std::optional<Contact> served_by;

  // Checks one FIND_VALUE reply; true when it carried the block.
  auto accept = [&](ReplyInbox<FindValueResult>::Reply& reply) {
    if (!reply.result.ok()) {
      if (PeerUnreachable(reply.result.status())) Forget(reply.from.id);
      return false;
    }
    answered = true;
    Learn(reply.from);
    if (!reply.result->block.has_value()) return false;
    if (!cid.Matches(*reply.result->block)) {
      Penalize(reply.from.id, "FIND_VALUE answer not matching the CID");
      reply.result = absl::DataLossError("bytes do not match the CID");
      return false;
    }
    found = std::move(*reply.result->block);
    served_by = reply.from;
    return true;
  };

  // Peers that served this content's other blocks probably hold this one too: one hop.
  if (hints != nullptr) {
    for (const Contact& hint : *hints) {
      auto inbox = std::make_shared<ReplyInbox<FindValueResult>>();
      transport_.FindValue(hint, cid, ReplyInbox<FindValueResult>::Sink(inbox, hint));
      ++asked;
      auto replies = inbox->Take(options_.lookup.timeout * 2);
      if (!replies.empty() && accept(replies.front())) return *std::move(found);
    }
  }

  const DhtKey key = cid.DhtKey();
  const std::vector<Contact> seeds = ClosestKnown(key, options_.lookup.k);
  if (seeds.empty() && asked == 0 && Alone()) {
    // A single node, not meant to be in a swarm: its store is all there is.
    return absl::NotFoundError(
        absl::StrCat("block ", cid.ToString(), " is not in this store (this node has no peers)"));
  }
  if (seeds.empty() && asked == 0) {
    return absl::UnavailableError(absl::StrCat("block ", cid.ToString(),
                                               " is not here and this node knows no peers "
                                               "(check the bootstrap list)"));
  }
  Lookup lookup(key, seeds, options_.lookup);
  absl::flat_hash_set<NodeId> providers_asked;
  DriveLookup<FindValueResult>(
      lookup, clock_, options_.lookup.timeout * 2,
      [&](const Contact& to, Transport::Callback<FindValueResult> done) {
        ++asked;
        transport_.FindValue(to, cid, std::move(done));
      },
      [&](ReplyInbox<FindValueResult>::Reply& reply, auto& extra) {
        const bool is_provider_query = providers_asked.contains(reply.from.id);
        if (accept(reply)) return true;
        if (is_provider_query) return false;
        if (!reply.result.ok()) {
          lookup.OnFailure(reply.from.id);
          return false;
        }
        // Providers are asked directly, once each, beside the lookup.
        for (const Contact& p : reply.result->providers) {
          if (p.id == self_ || !providers_asked.insert(p.id).second) continue;
          extra(p);
        }
        lookup.OnResponse(reply.from.id, WithoutSelf(std::move(reply.result->closer), self_));
        return false;
      });
  if (found.has_value()) {
    if (hints != nullptr && served_by.has_value()) hints->push_back(*served_by);
    return *std::move(found);
  }
  if (!answered) {
    return absl::UnavailableError(
        absl::StrCat("no peer answered for block ", cid.ToString(), " (", asked, " asked)"));
  }
  return absl::NotFoundError(
      absl::StrCat("block ", cid.ToString(), " is on none of the ", asked, " nodes asked"));
}

std::vector<absl::StatusOr<std::string>> Swarm::FetchMany(const std::vector<Cid>& cids,
                                                          std::vector<Contact>* hints) {
  std::vector<absl::StatusOr<std::string>> out(cids.size(), absl::NotFoundError("not fetched yet"));
  std::vector<bool> done(cids.size(), false);
  // One parallel round: each block is asked of the node this one knows closest to its key
  // (where it is stored), or else of the first hint (where its siblings came from).
  auto inbox = std::make_shared<ReplyInbox<FindValueResult>>();
  size_t sent = 0;
  for (size_t i = 0; i < cids.size(); ++i) {
    std::vector<Contact> closest = ClosestKnown(cids[i].DhtKey(), 1);
    if (closest.empty() && hints->empty()) continue;
    const Contact peer = closest.empty() ? hints->front() : closest.front();
    transport_.FindValue(peer, cids[i], ReplyInbox<FindValueResult>::Sink(inbox, peer, i));
    ++sent;
  }
  for (auto& reply : inbox->TakeAll(sent, options_.lookup.timeout * 2)) {
    if (!reply.result.ok() || !reply.result->block.has_value()) continue;
    const size_t i = reply.tag;
    if (!cids[i].Matches(*reply.result->block)) {
      Penalize(reply.from.id, "FIND_VALUE answer not matching the CID");
      hints->erase(std::remove_if(hints->begin(), hints->end(),
                                  [&](const Contact& c) { return c.id == reply.from.id; }),
                   hints->end());
      continue;
    }
    out[i] = std::move(*reply.result->block);
    done[i] = true;
  }
  // The rest one by one, with lookups.
  for (size_t i = 0; i < cids.size(); ++i) {
    if (!done[i]) out[i] = Fetch(cids[i], hints);
  }
  return out;
}

MaintenanceReport Swarm::Maintain() {
  MaintenanceReport report;
  // The neighbourhood first: a self-lookup finds nodes that joined near us.
  FindClosest(KeyOf(self_));
  // Then one bucket per round, in turn: a lookup of a key in its range keeps the far parts of
  // the table current (Kademlia's bucket refresh).
  uint64_t round = 0;
  int deepest = 0;
  {
    absl::MutexLock lock(&mu_);
    round = maintenance_rounds_++;
    for (const Contact& c : table_.Closest(KeyOf(self_), 1)) {
      deepest = CommonPrefixLength(KeyOf(self_), KeyOf(c.id));
    }
  }
  const int bucket_prefix =
      static_cast<int>(round % static_cast<uint64_t>(std::min(deepest + 2, 256)));
  FindClosest(KeyWithCommonPrefix(KeyOf(self_), bucket_prefix, round));

  std::optional<Cid> after;
  for (;;) {
    auto page = store_.ListBlocks(after.has_value() ? &*after : nullptr, kMaintenancePage);
    if (!page.ok()) {
      LogEvent(LogLevel::kError, "swarm.maintenance_failed", {{"status", page.status()}});
      break;
    }
    if (page->empty()) break;
    after = page->back();
    report.blocks_checked += page->size();

    // Who should hold each block, by this node's table (it knows its own neighbourhood best,
    // and blocks it holds are near it), and one HAVE per peer for all its blocks.
    std::vector<BlockPlacement> placements(page->size());
    absl::flat_hash_map<NodeId, std::vector<size_t>> asked_of;
    absl::flat_hash_map<NodeId, Contact> contacts;
    for (size_t i = 0; i < page->size(); ++i) {
      BlockPlacement& placement = placements[i];
      placement.key = (*page)[i].DhtKey();
      placement.closest = ClosestKnown(placement.key, options_.replication_factor + 1);
      for (const Contact& c : placement.closest) contacts.emplace(c.id, c);
      for (const NodeId& id : planner_.Responsible(placement.key, placement.closest)) {
        if (id != self_) asked_of[id].push_back(i);
      }
    }
    auto inbox = std::make_shared<ReplyInbox<std::vector<bool>>>();
    for (const auto& [id, indexes] : asked_of) {
      std::vector<Cid> cids;
      for (size_t i : indexes) cids.push_back((*page)[i]);
      transport_.Have(contacts.at(id), std::move(cids),
                      ReplyInbox<std::vector<bool>>::Sink(inbox, contacts.at(id)));
    }
    absl::flat_hash_set<NodeId> unreachable;
    for (auto& reply : inbox->TakeAll(asked_of.size(), options_.lookup.timeout * 2)) {
      const std::vector<size_t>& indexes = asked_of[reply.from.id];
      if (!reply.result.ok() || reply.result->size() != indexes.size()) {
        if (!reply.result.ok() && PeerUnreachable(reply.result.status())) {
          unreachable.insert(reply.from.id);
        }
        continue;
      }
      for (size_t j = 0; j < indexes.size(); ++j) {
        if ((*reply.result)[j]) placements[indexes[j]].holders.insert(reply.from.id);
      }
    }
    // Dead peers leave the table, and the plan is made without them.
    for (const NodeId& id : unreachable) Forget(id);

    auto stores = std::make_shared<ReplyInbox<Acknowledged>>();
    size_t stores_sent = 0;
    for (size_t i = 0; i < page->size(); ++i) {
      const Cid& cid = (*page)[i];
      BlockPlacement& placement = placements[i];
      if (!unreachable.empty()) {
        placement.closest = ClosestKnown(placement.key, options_.replication_factor + 1);
      }
      auto pinned = store_.IsBlockPinned(cid);
      placement.pinned = !pinned.ok() || *pinned;  // when unsure, keep it
      std::optional<std::string> data;
      for (const ReplicaAction& action : planner_.Plan(placement)) {
        if (action.kind == ReplicaAction::kDrop) {
          if (store_.DropBlock(cid).ok()) ++report.dropped;
          continue;
        }
        if (!data.has_value()) {
          auto block = store_.Get(cid);
          if (!block.ok()) break;  // damaged here: nothing to push (the store logged it)
          data = *std::move(block);
        }
        auto contact = std::find_if(placement.closest.begin(), placement.closest.end(),
                                    [&](const Contact& c) { return c.id == action.peer; });
        if (contact == placement.closest.end()) continue;
        transport_.Store(*contact, cid, *data,
                         ReplyInbox<Acknowledged>::StatusSink(stores, *contact));
        ++stores_sent;
      }
    }
    for (auto& reply : stores->TakeAll(stores_sent, options_.lookup.timeout * 2)) {
      if (reply.result.ok()) {
        ++report.pushed;
      } else {
        ++report.push_failures;
      }
    }
  }

  // Provider records: renew ours when due, expire everyone's old ones.
  const absl::Time now = clock_.Now();
  bool republish = false;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = providers_.begin(); it != providers_.end();) {
      auto& list = it->second;
      list.erase(std::remove_if(list.begin(), list.end(),
                                [&](const Provider& p) { return p.expires <= now; }),
                 list.end());
      if (list.empty()) {
        providers_.erase(it++);
      } else {
        ++it;
      }
    }
    for (auto it = penalized_until_.begin(); it != penalized_until_.end();) {
      if (it->second <= now) {
        penalized_until_.erase(it++);
      } else {
        ++it;
      }
    }
    if (now - last_republish_ >= options_.republish_interval) {
      republish = true;
      last_republish_ = now;
    }
  }
  if (republish) {
    auto pins = store_.ListPins();
    if (pins.ok()) {
      for (const PinnedRoot& pin : *pins) {
        if (Announce(pin.root) > 0) ++report.providers_announced;
      }
    }
  }
  return report;
}

// ----- Saved routing table -----

absl::Status Swarm::SaveRoutingTable() {
  std::string value;
  const std::vector<Contact> contacts = Peers();
  AppendVarint(contacts.size(), &value);
  for (const Contact& c : contacts) {
    value.append(reinterpret_cast<const char*>(c.id.bytes().data()), c.id.bytes().size());
    AppendVarint(c.address.size(), &value);
    value.append(c.address);
  }
  return store_.PutMeta(kRoutingTableMeta, value);
}

absl::StatusOr<size_t> Swarm::LoadRoutingTable() {
  auto value = store_.GetMeta(kRoutingTableMeta);
  if (absl::IsNotFound(value.status())) return 0;
  SWARMKV_RETURN_IF_ERROR(value.status());
  absl::string_view in = *value;
  SWARMKV_ASSIGN_OR_RETURN(uint64_t count, ReadVarint(&in, "saved routing table"));
  if (count > kMaxSavedContacts) return absl::DataLossError("saved routing table is too large");
  const absl::Time now = clock_.Now();
  size_t restored = 0;
  absl::MutexLock lock(&mu_);
  for (uint64_t i = 0; i < count; ++i) {
    Digest256 id;
    if (in.size() < id.size()) return absl::DataLossError("saved routing table is truncated");
    std::copy(in.begin(), in.begin() + id.size(), id.begin());
    in.remove_prefix(id.size());
    SWARMKV_ASSIGN_OR_RETURN(uint64_t length, ReadVarint(&in, "saved routing table"));
    if (length > kMaxAddressBytes || in.size() < length) {
      return absl::DataLossError("saved routing table is malformed");
    }
    Contact contact{NodeId(id), std::string(in.substr(0, length)), now};
    in.remove_prefix(length);
    if (table_.Observe(contact, now).kind == Admission::kAdded) ++restored;
  }
  return restored;
}

}  // namespace swarmkv
