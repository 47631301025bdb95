// Swarm: one node's part in the DHT (DESIGN §5). It drives the protocol core — RoutingTable,
// Lookup, ReplicaPlanner — over a Transport, and answers other nodes' requests from the
// BlockStore. The wire protocol is in docs/wire-protocol.md; how blocks are placed, fetched and
// repaired is in docs/dht.md.
//
// Two sides:
// - Handle*: what the peer service calls when a request arrives, with the caller's proven
//   contact. They answer from memory and the store and never wait on the network.
// - Operations that talk to other nodes (bootstrap, lookups, replication, announcements,
//   fetches, maintenance) run as state machines on the node's event loop (base/event_loop.h):
//   each request goes out through the Transport, its completion is posted back to the loop, and
//   timeouts are timers on the loop, so no thread waits for a reply and the same code runs on
//   real time in the daemon and on virtual time in the simulator. Store work that blocks
//   (reading blocks to send, listing, dropping) runs on the `blocking` executor and posts its
//   result back. Each *Async method may be called from any thread; its `done` runs once, on the
//   loop. The methods of the same names without the suffix start the operation and wait for it
//   (EventLoop::Await), for callers off the loop: API calls on worker threads, and tests.
//
// Thread safety: thread-safe. The routing table, provider records and penalties are guarded by
// one mutex, never held across a transport call. `store`, `transport`, `loop` and `blocking`
// must outlive the Swarm, and the loop must run no task of it after it is destroyed (stop the
// loop first). `blocking` must not be an executor whose threads wait on this Swarm (the daemon
// gives it a pool of its own), or a full pool could wait on itself.
#ifndef SWARMKV_REPLICATION_SWARM_H_
#define SWARMKV_REPLICATION_SWARM_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "base/event_loop.h"
#include "base/executor.h"
#include "crypto/cid.h"
#include "replication/lookup.h"
#include "replication/provider_table.h"
#include "replication/record_validator.h"
#include "replication/replica_planner.h"
#include "replication/republish_schedule.h"
#include "replication/routing_table.h"
#include "replication/settled_pages.h"
#include "replication/transport.h"
#include "rpc/rate_limiter.h"
#include "storage/block_store.h"

namespace swarmkv {

struct SwarmOptions {
  // R: nodes that hold each block (DESIGN §5).
  size_t replication_factor = 3;
  // Copies, the local one included, a Put needs to succeed. A node that knows no peer and has
  // no bootstrap list is a single-node swarm and needs only its own copy.
  size_t write_quorum = 2;
  RoutingTableOptions table;
  LookupOptions lookup;
  // How long a provider record lives, and how often this node renews its own.
  absl::Duration provider_ttl = absl::Hours(24);
  absl::Duration republish_interval = absl::Hours(12);
  // Renewals are spread over the interval (replication/republish_schedule.h); at most this many
  // pinned roots are announced in one maintenance round, this many at a time.
  uint64_t max_announces_per_round = 4096;
  size_t announces_in_flight = 8;
  // A peer caught lying (bytes that do not hash to the CID it claimed) is dropped from the
  // table and ignored for this long.
  absl::Duration penalty = absl::Minutes(10);
  // Bounds on what other nodes can make this one remember.
  size_t max_providers_per_key = 20;
  size_t max_provider_keys = 1 << 16;
  size_t max_keys_per_provider = 4096;
  // STORE is taken only for blocks this node is responsible for: fewer than
  // replication_factor + store_slack of the nodes it knows are closer to the key (the slack
  // absorbs differences between routing tables).
  size_t store_slack = 3;
  // What one peer may store here (bytes per second, and in a burst), and the share of the
  // store's quota (store.quota_bytes, when set) that other nodes' replicas may fill.
  RateLimit store_bytes_per_peer{4.0 * (1 << 20), 256.0 * (1 << 20)};
  double replica_share_of_quota = 0.8;
  // Keep blocks fetched for a Get (unpinned: later maintenance or GC may drop them).
  bool cache_fetched_blocks = true;
  // Contacts that stopped answering are remembered (at most this many, for at most
  // `dormant_ttl`) and pinged again at every maintenance round, so a swarm split by a
  // partition, or a node restarted with nobody left who knows it, finds itself whole again.
  size_t max_dormant_contacts = 256;
  absl::Duration dormant_ttl = absl::Hours(24);
  // A Get or Put made while the node joins its bootstrap list and knows no peer yet waits for
  // the first one to answer (at most this long) rather than failing for want of peers.
  absl::Duration join_wait = absl::Seconds(5);
  // A maintenance page found with every block where it belongs is not checked again, while
  // the routing table and the page stay as they were, for between half this and this.
  absl::Duration placement_recheck = absl::Hours(1);
};

// A key sharing exactly `prefix` leading bits with `key` (all 256 when prefix >= 256); the other
// bits derive from `salt`. Bucket refresh looks such keys up.
DhtKey KeyWithCommonPrefix(const DhtKey& key, int prefix, uint64_t salt);

// One bootstrap entry: "host:port", or "<node id>@host:port" when the id is known.
struct BootstrapEntry {
  std::optional<NodeId> id;
  std::string address;
};
// INVALID_ARGUMENT for anything but those two forms (port 1..65535, id as printed by `swarmkv id`).
absl::StatusOr<BootstrapEntry> ParseBootstrapEntry(absl::string_view text);

struct MaintenanceReport {
  uint64_t dormant_revived = 0;  // contacts that had stopped answering and answer again
  uint64_t blocks_checked = 0;
  uint64_t pushed = 0;
  uint64_t push_failures = 0;
  uint64_t dropped = 0;
  // Hand-offs not done: a node the block would be left to could not prove it holds it.
  uint64_t drops_unproven = 0;
  uint64_t providers_announced = 0;
  // Blocks in pages that were settled (every block where it belongs) and did not change, so no
  // peer was asked about them (replication/settled_pages.h).
  uint64_t blocks_settled = 0;
};

// What a fetch found, and the hints for the next one: liars dropped, the server appended.
struct FetchOutcome {
  absl::StatusOr<std::string> block;
  std::vector<Contact> hints;
};
struct FetchManyOutcome {
  std::vector<absl::StatusOr<std::string>> blocks;  // in the order asked
  std::vector<Contact> hints;
};

// What one records maintenance round did (Swarm::MaintainRecordsAsync).
struct RecordMaintenanceReport {
  uint64_t records = 0;  // live records held here
  uint64_t expired = 0;  // expired (or no longer valid) records deleted
  uint64_t pushed = 0;   // PUT_RECORDs the responsible nodes accepted
  uint64_t push_failures = 0;
  uint64_t handed_off = 0;  // copies dropped here once every responsible node held them
};

// What a GetRecord found: the best record (NOT_FOUND when none) and the closest nodes it asked.
struct RecordLookup {
  absl::StatusOr<std::string> record;
  std::vector<Contact> closest;
};

// Where a PutRecord left a record.
struct RecordPlacement {
  // Copies now held, this node's included.
  size_t copies = 0;
  // A newer record found instead (here or on a peer); then this one was not stored there.
  std::string newer;
};

class Swarm {
 public:
  template <typename T>
  using Done = std::function<void(T)>;

  Swarm(NodeId self, BlockStore& store, Transport& transport, EventLoop& loop, Executor& blocking,
        SwarmOptions options);

  const NodeId& self() const { return self_; }
  const SwarmOptions& options() const { return options_; }
  EventLoop& loop() { return loop_; }

  // --- Requests from other nodes (never wait on the network) ---

  // A proven peer spoke to us: it joins or refreshes the routing table. PERMISSION_DENIED for a
  // penalized peer, whose requests are then refused.
  absl::Status OnPeerContact(const Contact& caller);
  std::vector<Contact> HandleFindNode(const DhtKey& target) const;
  FindValueResult HandleFindValue(const Cid& cid) const;
  // The same answer when it needs no disk read (the block is in memory, or not held at all);
  // nullopt otherwise. Lets the peer service answer hot blocks on its gRPC thread.
  std::optional<FindValueResult> HandleFindValueFromMemory(const Cid& cid) const;
  ProvidersResult HandleGetProviders(const Cid& cid) const;
  // Verifies and stores a replica. INVALID_ARGUMENT (and a penalty for `caller`) when the bytes
  // do not hash to `cid`; RESOURCE_EXHAUSTED over the block size limit.
  absl::Status HandleStore(const Contact& caller, const Cid& cid, absl::string_view block);
  void HandleAddProvider(const Contact& caller, const Cid& cid);
  absl::StatusOr<std::vector<bool>> HandleHave(const std::vector<Cid>& cids) const;
  // Whether this node is among the nodes responsible for `cid` by its routing table: fewer than
  // replication_factor + store_slack of the nodes it knows are closer to the key.
  bool IsResponsible(const Cid& cid) const;
  // PROVE: this node's proof that it holds `cid` (replication/possession.h). NOT_FOUND when it
  // does not; INVALID_ARGUMENT for a nonce outside 16..64 bytes.
  absl::StatusOr<Digest256> HandleProve(const Cid& cid, absl::string_view nonce) const;

  // Signed records (PUT_RECORD, GET_RECORD; replication/record_validator.h, docs/records.md).
  // REQUIRES: set before the node serves peers; without a validator both are UNIMPLEMENTED.
  void set_record_validator(const RecordValidator* validator) { record_validator_ = validator; }
  // Validates and stores a record a peer sent, when this node is responsible for its key.
  // Yields "" when it is stored (or already was), or the newer record held instead.
  // INVALID_ARGUMENT (and a penalty for `caller`) for a forged or malformed record.
  absl::StatusOr<std::string> HandlePutRecord(const Contact& caller, absl::string_view record);
  absl::StatusOr<RecordAnswer> HandleGetRecord(const DhtKey& key) const;
  // Whether this node is among the nodes responsible for `key` (see IsResponsible).
  bool IsResponsibleFor(const DhtKey& key) const;

  // --- Operations on the network (state machines on the loop) ---

  // Stores `record` here, durably, and on the R nodes closest to its key. Yields where it went;
  // INVALID_ARGUMENT for a record the validator refuses.
  // `closest`: the nodes to place it on, when a GetRecord just found them; empty: a lookup.
  void PutRecordAsync(std::string record, std::vector<Contact> closest,
                      Done<absl::StatusOr<RecordPlacement>> done);
  // The best valid record under `key` among this node's and the R closest nodes' (NOT_FOUND
  // when none has one); nodes that answered with an older one, or none, are sent it (read
  // repair).
  void GetRecordAsync(const DhtKey& key, Done<RecordLookup> done);

  // Contacts the entries, then looks up this node's own id to fill the table. Yields how many
  // entries answered.
  void BootstrapAsync(std::vector<BootstrapEntry> entries, Done<size_t> done);
  // The k closest live nodes to `target` the network knows, closest first (an iterative
  // FIND_NODE lookup). Never includes this node.
  void FindClosestAsync(const DhtKey& target, Done<std::vector<Contact>> done);
  // Sends each block (already in the local store) to the R nodes closest to its key. Yields
  // the copies of the least-replicated block, the local one included.
  void ReplicateAsync(std::vector<Cid> blocks, Done<absl::StatusOr<size_t>> done);
  // ADD_PROVIDER for `cid` to the R nodes closest to its key. Yields how many accepted.
  void AnnounceAsync(const Cid& cid, Done<size_t> done);
  // The block from the network, verified. `hints` are asked first (peers that served related
  // blocks). NOT_FOUND when peers answered but none has it; UNAVAILABLE when no peer answered
  // at all (NOT_FOUND when Alone()).
  void FetchAsync(const Cid& cid, std::vector<Contact> hints, Done<FetchOutcome> done);
  // Several blocks at once: in one parallel round each is asked of the known node closest to
  // its key (or of the first hint); any not served that way are fetched one by one as by Fetch.
  void FetchManyAsync(std::vector<Cid> cids, std::vector<Contact> hints,
                      Done<FetchManyOutcome> done);
  // Records maintenance (docs/records.md): deletes expired records; when the routing table has
  // changed since the last round, sends each record to the R closest known nodes (repair) and
  // drops copies this node is no longer responsible for once all of them hold it (hand-off;
  // never the records the validator says to keep here).
  void MaintainRecordsAsync(Done<RecordMaintenanceReport> done);
  // One maintenance round (DESIGN §5): refresh membership (RefreshMembershipAsync) and one
  // bucket (in turn), push blocks to responsible nodes that lack them, hand off blocks this node
  // is no longer responsible for, republish provider records of pinned content when due, expire
  // old ones.
  void MaintainAsync(Done<MaintenanceReport> done);
  // Only the membership part of a round: contacts that stopped answering are tried again and a
  // self-lookup run. `done` gets how many dormant contacts answered. For the housekeeper to
  // keep the table current while a long round is still placing blocks.
  void RefreshMembershipAsync(Done<size_t> done);

  // Runs `then` on the loop once the node knows a peer, or the join under way (a bootstrap
  // while the table is empty) has ended, or SwarmOptions::join_wait has passed; returns false,
  // and does nothing, when no join is under way or a peer is known.
  bool WaitForJoin(std::function<void()> then);

  // The same, waiting for the answer. REQUIRES: not called on the loop. When the loop has
  // stopped: no answers (0, empty, UNAVAILABLE).
  size_t Bootstrap(const std::vector<BootstrapEntry>& entries);
  std::vector<Contact> FindClosest(const DhtKey& target);
  // `meanwhile` (may be empty) runs on the calling thread while the blocks are placed: the API
  // makes the local copy durable then, so its fsync and the network round trips overlap.
  absl::StatusOr<size_t> Replicate(const std::vector<Cid>& blocks,
                                   const std::function<void()>& meanwhile = nullptr);
  size_t Announce(const Cid& cid);
  // `hints` (may be null) are asked first and updated as FetchOutcome says.
  absl::StatusOr<std::string> Fetch(const Cid& cid, std::vector<Contact>* hints = nullptr);
  std::vector<absl::StatusOr<std::string>> FetchMany(const std::vector<Cid>& cids,
                                                     std::vector<Contact>* hints);
  MaintenanceReport Maintain();
  absl::StatusOr<RecordPlacement> PutRecord(std::string record, std::vector<Contact> closest = {});
  // `closest` (may be null) receives the nodes asked, for a PutRecord that follows.
  absl::StatusOr<std::string> GetRecord(const DhtKey& key, std::vector<Contact>* closest = nullptr);
  RecordMaintenanceReport MaintainRecords();

  // A single node: no bootstrap list and no peer known. Its store is all there is, so a Put
  // needs only its own copy and a missing block is NOT_FOUND without asking anyone.
  bool Alone() const;
  // The copies a Put needs now (see SwarmOptions::write_quorum).
  size_t EffectiveWriteQuorum() const;
  // Whether content every block of which has `copies` copies is on as many nodes as it should
  // be: R, or every node this one knows (itself included) when it knows fewer.
  bool FullyPlaced(size_t copies) const;
  // Whether a bootstrap list was given: the node is meant to be in a swarm.
  void set_expects_peers(bool expects) { expects_peers_ = expects; }

  // What Restore brought back.
  struct Restored {
    size_t contacts = 0;
    size_t providers = 0;
  };
  // At start, before any operation: brings back what an earlier run of this node kept (its
  // routing table, its provider records, where its republish sweep stands, and whether it has
  // ever been part of a swarm; each
  // failure is logged and that part starts empty). The node then expects peers, and needs its
  // write quorum, when it has a bootstrap list, or restored a table, or has ever had a peer: a
  // node that was a member never counts itself a lone node again, whatever its table holds.
  Restored Restore(bool has_bootstrap_list);

  // The routing table, saved in the store's meta so a restarted node rejoins at once.
  absl::Status SaveRoutingTable();
  // Returns how many contacts were restored.
  absl::StatusOr<size_t> LoadRoutingTable();
  // Changes with every contact added to or removed from the table: the daemon saves the
  // table whenever it moved since the last save.
  uint64_t routing_table_version() const;
  // Provider records are kept in the store's `providers` column family as they change; this
  // reads back the unexpired ones (at start). Returns how many providers were restored.
  absl::StatusOr<size_t> LoadProviderRecords();
  std::vector<Contact> Peers() const;

 private:
  // Observe a contact we heard from directly; carries out a kPingOldest.
  void Learn(const Contact& contact);
  // A contact failed a request: out of the table, into the dormant list.
  void Forget(const NodeId& id);
  // Pings the dormant contacts; those that answer rejoin the table. Yields how many did.
  void ReviveDormant(Done<size_t> done);
  // The first peer ever: persisted, so this node never again counts itself alone.
  void MarkJoinedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Penalize(const NodeId& id, absl::string_view why);
  bool IsPenalized(const NodeId& id) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<Contact> ClosestKnown(const DhtKey& target, size_t n) const;
  FindValueResult AnswerFindValue(const Cid& cid, absl::StatusOr<std::string> block) const;
  // Feeds one FIND_NODE answer (or failure) from `from` to `lookup`: the peer is learned, or
  // forgotten when unreachable.
  void OnFindNodeReply(Lookup& lookup, const Contact& from,
                       absl::StatusOr<std::vector<Contact>> result);
  // A FIND_NODE lookup for `target`, sized by `options`, on the loop; yields its result.
  void RunFindNodeLookup(const DhtKey& target, const LookupOptions& options,
                         Done<std::vector<Contact>> done);
  // Starts an operation with `start` (an *Async call, which moves onto the loop itself), runs
  // `meanwhile` (when set) on this thread, and waits for what the operation yields
  // (`if_stopped` when the loop stops first).
  template <typename T>
  T Wait(std::function<void(Done<T>)> start, T if_stopped,
         const std::function<void()>& meanwhile = nullptr);
  // The lookup that finds where a block or a provider record goes: its R closest nodes. A
  // lookup for k = 20 would query every node of a small swarm; the R closest that answer are
  // all placement needs (one that fails is replaced by the next candidate).
  LookupOptions PlacementLookup() const;
  // A Replicate in progress (swarm_placement.cc).
  struct ReplicationRun;
  // The steps of a maintenance round (swarm_placement.cc).
  struct MaintenanceRound;
  void RefreshNextBucket(std::shared_ptr<MaintenanceRound> round);
  // Pings the peers the settled pages rely on (one that does not answer leaves the table).
  void PingSettledPeers(std::shared_ptr<MaintenanceRound> round);
  void MaintainPage(std::shared_ptr<MaintenanceRound> round);
  void MaintainProviders(std::shared_ptr<MaintenanceRound> round);
  struct MaintenancePage;
  // Remembers a page whose every block is where it belongs (replication/settled_pages.h).
  void SettlePage(const MaintenancePage& page);
  // Drops this node's copy of page->drops[index] once every node it is left to has proven it
  // holds the block.
  void ProveAndDrop(std::shared_ptr<MaintenanceRound> round, std::shared_ptr<MaintenancePage> page,
                    size_t index);
  // Checks one FIND_VALUE answer from `from` for block `cid`: learns or forgets the peer, and
  // returns the block when the answer carries one that matches. A peer that sent other bytes is
  // penalized and removed from `hints` (which may be null); `*answered` is set when it answered.
  std::optional<std::string> OnFindValueReply(const Cid& cid, const Contact& from,
                                              absl::StatusOr<FindValueResult>& result,
                                              std::vector<Contact>* hints, bool* answered);
  // Stores a valid `record` under `key` unless a better one is held: yields "" or that one.
  absl::StatusOr<std::string> KeepRecord(const DhtKey& key, absl::string_view record);
  // The record held here under `key`, "" when none (or a damaged one, which is dropped).
  absl::StatusOr<std::string> LocalRecord(const DhtKey& key) const;
  // The closest nodes to a record's key, by a lookup sized for placement (2R, not k).
  void FindRecordHoldersAsync(const DhtKey& key, Done<std::vector<Contact>> done);
  // Sends `record` to the R closest of `closest` (not this node) and counts who holds it.
  void PlaceRecord(const DhtKey& key, std::string record, std::vector<Contact> closest,
                   Done<absl::StatusOr<RecordPlacement>> done);
  // Whether `record`, which `from` sent for `key`, is valid there. A forged one, or one for
  // another key, penalizes its sender; an expired one is only stale.
  bool ValidFrom(const Contact& from, const DhtKey& key, absl::string_view record);
  // A GET_RECORD in progress (swarm_records.cc).
  struct RecordRead;
  // The steps of a GetRecord: ask `contacts` (and the local store), weigh each answer, look up
  // the closest nodes when an answer named closer ones, then finish with read repair.
  void AskForRecord(std::shared_ptr<RecordRead> read, std::vector<Contact> contacts,
                    bool with_local);
  void ConsiderRecord(std::shared_ptr<RecordRead> read, const Contact& from,
                      absl::StatusOr<std::string> record);
  void AfterRecordRound(std::shared_ptr<RecordRead> read);
  void FinishRecordRead(std::shared_ptr<RecordRead> read);
  // A records maintenance round placing records (swarm_records.cc).
  struct RecordRound;
  void PushRecords(std::shared_ptr<RecordRound> round);
  void FinishRecordRound(std::shared_ptr<RecordRound> round);
  // Writes providers_[key] to the store (deleting the record, and the key, when empty).
  void PersistProvidersLocked(const DhtKey& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The join under way has ended (a peer is known, or every bootstrap entry has answered or
  // failed): posts every WaitForJoin waiter to the loop.
  void EndJoin();

  // Constant after construction.
  const NodeId self_;
  BlockStore& store_;
  Transport& transport_;
  EventLoop& loop_;
  Executor& blocking_;
  const Clock& clock_;
  const SwarmOptions options_;
  const ReplicaPlanner planner_;

  std::atomic<bool> expects_peers_{false};

  mutable absl::Mutex mu_;
  RoutingTable table_ ABSL_GUARDED_BY(mu_);
  ProviderTable providers_ ABSL_GUARDED_BY(mu_);
  PeerRateLimiter store_budgets_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<NodeId, absl::Time> penalized_until_ ABSL_GUARDED_BY(mu_);
  RepublishSchedule republish_ ABSL_GUARDED_BY(mu_);
  SettledPages settled_pages_ ABSL_GUARDED_BY(mu_);
  struct Dormant {
    Contact contact;
    absl::Time since;  // when it stopped answering
  };
  absl::flat_hash_map<NodeId, Dormant> dormant_ ABSL_GUARDED_BY(mu_);
  uint64_t table_version_ ABSL_GUARDED_BY(mu_) = 0;
  bool joined_ ABSL_GUARDED_BY(mu_) = false;
  // A bootstrap is under way while the table is empty, and the operations waiting for it
  // (WaitForJoin). From Restore with a bootstrap list, so a call made before the housekeeper's
  // first bootstrap starts waits too.
  bool joining_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::function<void()>> join_waiters_ ABSL_GUARDED_BY(mu_);
  uint64_t maintenance_rounds_ ABSL_GUARDED_BY(mu_) = 0;

  const RecordValidator* record_validator_ = nullptr;
  // The routing table's version when records were last placed; placement runs again only
  // after it has moved (a node joined or left the neighbourhoods).
  std::optional<uint64_t> records_placed_at_ ABSL_GUARDED_BY(mu_);
  // Serialize each record's read-compare-write (a newer record must never be overwritten by an
  // older one arriving at the same time); striped by key, so writes of different records, and
  // their fsyncs, go on together (the store's group commit then shares the syncs).
  std::array<absl::Mutex, 64> record_locks_;
  absl::Mutex& RecordLock(const DhtKey& key) {
    return record_locks_[key[0] % record_locks_.size()];
  }
};

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_SWARM_H_
