#include "replication/swarm.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "base/host_port.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "crypto/hash.h"
#include "replication/internal/swarm_helpers.h"
#include "replication/possession.h"
#include "replication/saved_state.h"

namespace swarmkv {
namespace {

constexpr absl::string_view kRoutingTableMeta = "routing_table";
// Present once this node has had a peer (DESIGN §5: a member never acknowledges below quorum).
constexpr absl::string_view kJoinedMeta = "joined_swarm";
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
  if (address.size() > kMaxAddressBytes || !ParseHostPort(address).has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bootstrap entry \"", text, "\" is not host:port or <node id>@host:port (port 1-65535)"));
  }
  entry.address = std::string(address);
  return entry;
}

Swarm::Swarm(NodeId self, BlockStore& store, Transport& transport, EventLoop& loop,
             Executor& blocking, SwarmOptions options)
    : self_(self),
      store_(store),
      transport_(transport),
      loop_(loop),
      blocking_(blocking),
      clock_(loop.clock()),
      options_(std::move(options)),
      planner_(self, options_.replication_factor),
      table_(self, options_.table),
      providers_(ProviderLimits{options_.max_providers_per_key, options_.max_provider_keys,
                                options_.max_keys_per_provider}),
      store_budgets_(PeerRateLimits{RateLimit{1e9, 1e9}, options_.store_bytes_per_peer, 4096}),
      republish_(options_.republish_interval,
                 std::max<uint64_t>(1, options_.max_announces_per_round)),
      settled_pages_(options_.placement_recheck) {}

// ----- The loop -----

template <typename T>
T Swarm::Wait(std::function<void(Done<T>)> start, T if_stopped,
              const std::function<void()>& meanwhile) {
  // Shared with the operation: if the loop stops while it runs, this caller leaves, and the
  // operation's end (if it still comes) must find somewhere to write.
  struct Answer {
    absl::Notification ready;
    std::optional<T> value;
  };
  auto answer = std::make_shared<Answer>();
  // Started here: every *Async operation moves onto the loop by itself, so posting the start
  // too would cost the caller one more hop through the loop.
  start([answer](T value) {
    answer->value = std::move(value);
    answer->ready.Notify();
  });
  if (meanwhile) meanwhile();
  if (!loop_.Await(answer->ready)) return if_stopped;
  return *std::move(answer->value);
}

size_t Swarm::Bootstrap(const std::vector<BootstrapEntry>& entries) {
  return Wait<size_t>([&, entries](Done<size_t> done) { BootstrapAsync(entries, done); }, 0);
}

std::vector<Contact> Swarm::FindClosest(const DhtKey& target) {
  return Wait<std::vector<Contact>>(
      [this, target](Done<std::vector<Contact>> done) { FindClosestAsync(target, done); }, {});
}

absl::StatusOr<RecordPlacement> Swarm::PutRecord(std::string record, std::vector<Contact> closest) {
  return Wait<absl::StatusOr<RecordPlacement>>(
      [this, &record, &closest](Done<absl::StatusOr<RecordPlacement>> done) {
        PutRecordAsync(std::move(record), std::move(closest), done);
      },
      absl::UnavailableError("the node is shutting down"));
}

absl::StatusOr<std::string> Swarm::GetRecord(const DhtKey& key, std::vector<Contact>* closest) {
  RecordLookup found =
      Wait<RecordLookup>([this, key](Done<RecordLookup> done) { GetRecordAsync(key, done); },
                         RecordLookup{absl::UnavailableError("the node is shutting down"), {}});
  if (closest != nullptr) *closest = std::move(found.closest);
  return std::move(found.record);
}

RecordMaintenanceReport Swarm::MaintainRecords() {
  return Wait<RecordMaintenanceReport>(
      [this](Done<RecordMaintenanceReport> done) { MaintainRecordsAsync(done); }, {});
}

absl::StatusOr<size_t> Swarm::Replicate(const std::vector<Cid>& blocks,
                                        const std::function<void()>& meanwhile) {
  return Wait<absl::StatusOr<size_t>>(
      [this, blocks](Done<absl::StatusOr<size_t>> done) { ReplicateAsync(blocks, done); },
      absl::UnavailableError("the node is shutting down"), meanwhile);
}

size_t Swarm::Announce(const Cid& cid) {
  return Wait<size_t>([this, cid](Done<size_t> done) { AnnounceAsync(cid, done); }, 0);
}

absl::StatusOr<std::string> Swarm::Fetch(const Cid& cid, std::vector<Contact>* hints) {
  std::vector<Contact> given = hints != nullptr ? *hints : std::vector<Contact>{};
  FetchOutcome outcome = Wait<FetchOutcome>(
      [this, cid, given](Done<FetchOutcome> done) { FetchAsync(cid, given, done); },
      FetchOutcome{absl::UnavailableError("the node is shutting down"), given});
  if (hints != nullptr) *hints = std::move(outcome.hints);
  return std::move(outcome.block);
}

std::vector<absl::StatusOr<std::string>> Swarm::FetchMany(const std::vector<Cid>& cids,
                                                          std::vector<Contact>* hints) {
  FetchManyOutcome outcome = Wait<FetchManyOutcome>(
      [this, cids, given = *hints](Done<FetchManyOutcome> done) {
        FetchManyAsync(cids, given, done);
      },
      FetchManyOutcome{std::vector<absl::StatusOr<std::string>>(
                           cids.size(), absl::UnavailableError("the node is shutting down")),
                       *hints});
  *hints = std::move(outcome.hints);
  return std::move(outcome.blocks);
}

MaintenanceReport Swarm::Maintain() {
  return Wait<MaintenanceReport>([this](Done<MaintenanceReport> done) { MaintainAsync(done); }, {});
}

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
  // Only host:port addresses are ever remembered (and so dialled): never a "unix:" target.
  if (contact.id == self_ || !ParseHostPort(contact.address).has_value()) return;
  Admission admission;
  const absl::Time now = clock_.Now();
  {
    absl::MutexLock lock(&mu_);
    if (IsPenalized(contact.id)) return;
    admission = table_.Observe(Contact{contact.id, contact.address, now}, now);
    if (admission.kind == Admission::kAdded) {
      ++table_version_;
      dormant_.erase(contact.id);
      if (!joined_) MarkJoinedLocked();
    }
  }
  if (admission.kind == Admission::kAdded) EndJoin();
  if (admission.kind != Admission::kPingOldest || !admission.oldest.has_value()) return;
  // A full bucket keeps its oldest contact unless it fails to answer (DESIGN §5).
  const Contact oldest = *admission.oldest;
  transport_.Ping(oldest, [this, oldest, contact](absl::Status status) {
    absl::MutexLock lock(&mu_);
    table_.OnPingResult(oldest.id, status.ok(), contact, clock_.Now());
    ++table_version_;
  });
}

void Swarm::MarkJoinedLocked() {
  joined_ = true;
  expects_peers_ = true;
  // Once per node's life. A failed write costs only the guarantee across a restart, and the
  // store logs it.
  store_.PutMeta(kJoinedMeta, "1").IgnoreError();
}

void Swarm::Forget(const NodeId& id) {
  absl::MutexLock lock(&mu_);
  std::optional<Contact> known = table_.Find(id);
  if (!known.has_value()) return;
  table_.Remove(id);
  ++table_version_;
  if (dormant_.size() >= options_.max_dormant_contacts) {
    auto oldest = std::min_element(
        dormant_.begin(), dormant_.end(),
        [](const auto& a, const auto& b) { return a.second.since < b.second.since; });
    dormant_.erase(oldest);
  }
  dormant_.insert_or_assign(id, Dormant{*known, clock_.Now()});
}

uint64_t Swarm::routing_table_version() const {
  absl::MutexLock lock(&mu_);
  return table_version_;
}

Swarm::Restored Swarm::Restore(bool has_bootstrap_list) {
  Restored restored;
  auto providers = LoadProviderRecords();
  if (providers.ok()) {
    restored.providers = *providers;
  } else {
    LogEvent(LogLevel::kWarn, "swarm.providers_restore_failed", {{"status", providers.status()}});
  }
  auto contacts = LoadRoutingTable();
  if (contacts.ok()) {
    restored.contacts = *contacts;
  } else {
    LogEvent(LogLevel::kWarn, "swarm.restore_failed", {{"status", contacts.status()}});
  }
  auto joined = store_.GetMeta(kJoinedMeta);
  if (!joined.ok() && !absl::IsNotFound(joined.status())) {
    LogEvent(LogLevel::kWarn, "swarm.restore_failed", {{"status", joined.status()}});
  }
  std::optional<RepublishSweep> sweep;
  if (auto saved = store_.GetMeta(kRepublishSweepMeta); saved.ok()) {
    auto decoded = DecodeRepublishSweep(*saved);
    if (decoded.ok()) {
      sweep = *decoded;
    } else {
      LogEvent(LogLevel::kWarn, "swarm.restore_failed", {{"status", decoded.status()}});
    }
  } else if (!absl::IsNotFound(saved.status())) {
    LogEvent(LogLevel::kWarn, "swarm.restore_failed", {{"status", saved.status()}});
  }
  absl::MutexLock lock(&mu_);
  if (sweep.has_value()) republish_.Restore(*sweep);
  // When unsure whether it was a member (the read failed), it counts as one: the quorum is the
  // safe side.
  joined_ = !absl::IsNotFound(joined.status()) || table_.size() > 0;
  expects_peers_ = has_bootstrap_list || joined_ || restored.contacts > 0;
  joining_ = has_bootstrap_list && table_.size() == 0;
  return restored;
}

bool Swarm::WaitForJoin(std::function<void()> then) {
  // Runs once, whichever comes first: the release or the time limit.
  auto ran = std::make_shared<std::atomic<bool>>(false);
  std::function<void()> once = [ran, then = std::move(then)] {
    if (!ran->exchange(true)) then();
  };
  {
    absl::MutexLock lock(&mu_);
    if (!joining_ || table_.size() > 0) return false;
    join_waiters_.push_back(once);
  }
  loop_.RunAfter(options_.join_wait, std::move(once));
  return true;
}

void Swarm::EndJoin() {
  std::vector<std::function<void()>> waiters;
  {
    absl::MutexLock lock(&mu_);
    joining_ = false;
    waiters.swap(join_waiters_);
  }
  for (std::function<void()>& waiter : waiters) loop_.Post(std::move(waiter));
}

void Swarm::Penalize(const NodeId& id, absl::string_view why) {
  LogEvent(LogLevel::kWarn, "swarm.peer_penalized", {{"peer", id.ToString()}, {"why", why}});
  absl::MutexLock lock(&mu_);
  table_.Remove(id);
  dormant_.erase(id);
  ++table_version_;
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

bool Swarm::FullyPlaced(size_t copies) const {
  absl::MutexLock lock(&mu_);
  return copies >= std::min(options_.replication_factor, table_.size() + 1);
}

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
  result.providers = providers_.Live(key, now);
  result.closer = table_.Closest(key, options_.table.k);
  return result;
}

absl::Status Swarm::HandleStore(const Contact& caller, const Cid& cid, absl::string_view block) {
  // Issue 15 finding 2: any peer could fill this node's disk with blocks it was never
  // responsible for, and under a quota GC then made room for them by deleting honest replicas.
  absl::StatusOr<bool> have = store_.Has(cid);
  if (have.ok() && *have) return absl::OkStatus();  // nothing new: no check, no charge
  if (!IsResponsible(cid)) {
    return absl::FailedPreconditionError(
        absl::StrCat("this node is not responsible for ", cid.ToString(), ": it knows ",
                     options_.replication_factor + options_.store_slack,
                     " or more nodes closer to it; store it on those"));
  }
  {
    absl::MutexLock lock(&mu_);
    if (!store_budgets_.Allow(caller.id, block.size(), clock_.Now())) {
      return absl::ResourceExhaustedError(
          "this peer's storage budget on this node is spent for now; slow down");
    }
  }
  if (const uint64_t quota = store_.options().quota_bytes; quota != 0) {
    const uint64_t room =
        static_cast<uint64_t>(static_cast<double>(quota) * options_.replica_share_of_quota);
    if (store_.Stats().stored_bytes + block.size() > room) {
      return absl::ResourceExhaustedError(
          "this node's store is at its quota for other nodes' replicas; store it elsewhere");
    }
  }
  absl::Status status = store_.PutVerified(cid, block);
  if (absl::IsInvalidArgument(status)) Penalize(caller.id, "STORE of bytes not matching the CID");
  return status;
}

void Swarm::HandleAddProvider(const Contact& caller, const Cid& cid) {
  const DhtKey key = cid.DhtKey();
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  // Bounded per key, per provider and in all; a new record always gets in (provider_table.h).
  for (const DhtKey& changed : providers_.Add(key, caller, now + options_.provider_ttl)) {
    PersistProvidersLocked(changed);
  }
}

// A key's providers as stored (replication/saved_state.h); no providers: the record is deleted.
void Swarm::PersistProvidersLocked(const DhtKey& key) {
  const std::vector<ProviderTable::Record>& records = providers_.Records(key);
  const std::string value = records.empty() ? std::string() : EncodeProviderRecord(records);
  // Soft state: a failed write costs a republish at most, and the store logs it.
  store_
      .PutProviderRecord(absl::string_view(reinterpret_cast<const char*>(key.data()), key.size()),
                         value)
      .IgnoreError();
}

absl::StatusOr<size_t> Swarm::LoadProviderRecords() {
  SWARMKV_ASSIGN_OR_RETURN(auto records, store_.ListProviderRecords(options_.max_provider_keys));
  const absl::Time now = clock_.Now();
  size_t loaded = 0;
  absl::MutexLock lock(&mu_);
  for (const auto& [key_bytes, value] : records) {
    const std::optional<DhtKey> stored_key = DigestFromBytes(key_bytes);
    if (!stored_key.has_value()) return absl::DataLossError("a provider record key is malformed");
    const DhtKey& key = *stored_key;
    SWARMKV_ASSIGN_OR_RETURN(std::vector<ProviderTable::Record> saved,
                             DecodeProviderRecord(value, now, options_.max_providers_per_key));
    for (const ProviderTable::Record& record : saved) {
      if (record.expires <= now) continue;
      // Through the same bounds as a live ADD_PROVIDER (a table saved under other limits).
      providers_.Add(key, record.contact, record.expires);
      ++loaded;
    }
  }
  return loaded;
}

bool Swarm::IsResponsible(const Cid& cid) const { return IsResponsibleFor(cid.DhtKey()); }

bool Swarm::IsResponsibleFor(const DhtKey& key) const {
  const size_t window = options_.replication_factor + options_.store_slack;
  absl::MutexLock lock(&mu_);
  size_t closer = 0;
  for (const Contact& c : table_.Closest(key, window)) {
    if (Closer(key, KeyOf(c.id), KeyOf(self_))) ++closer;
  }
  return closer < window;
}

absl::StatusOr<Digest256> Swarm::HandleProve(const Cid& cid, absl::string_view nonce) const {
  if (nonce.size() < kMinNonceBytes || nonce.size() > kMaxNonceBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("a PROVE nonce is ", kMinNonceBytes, " to ", kMaxNonceBytes, " bytes"));
  }
  absl::StatusOr<std::string> block = store_.Get(cid);
  if (!block.ok()) return block.status();
  return PossessionProof(nonce, *block);
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

// ----- Saved routing table -----

absl::Status Swarm::SaveRoutingTable() {
  return store_.PutMeta(kRoutingTableMeta, EncodeSavedContacts(Peers()));
}

absl::StatusOr<size_t> Swarm::LoadRoutingTable() {
  auto value = store_.GetMeta(kRoutingTableMeta);
  if (absl::IsNotFound(value.status())) return 0;
  SWARMKV_RETURN_IF_ERROR(value.status());
  const absl::Time now = clock_.Now();
  SWARMKV_ASSIGN_OR_RETURN(std::vector<Contact> contacts, DecodeSavedContacts(*value, now));
  size_t restored = 0;
  absl::MutexLock lock(&mu_);
  for (const Contact& contact : contacts) {
    if (!ParseHostPort(contact.address).has_value()) continue;  // saved by an older version
    if (table_.Observe(contact, now).kind == Admission::kAdded) ++restored;
  }
  if (restored > 0) ++table_version_;
  return restored;
}

}  // namespace swarmkv
