// Records: the node's signed mutable records, as the API uses them (DESIGN §6b,
// docs/records.md): set a key of this node's publisher, resolve any publisher's name through the
// swarm, delete with a signed tombstone, list this publisher's keys, and the names held here for
// the KEYS query.
//
// Placement, reads from the closest nodes and read repair are the Swarm's (PutRecord,
// GetRecord); this class signs, numbers and interprets.
//
// Thread safety: thread-safe. Calls wait on the network: call them off the event loop (API
// worker threads). `swarm`, `store`, `publisher` and `clock` must outlive it.
#ifndef SWARMKV_RECORDS_RECORDS_H_
#define SWARMKV_RECORDS_RECORDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/clock.h"
#include "crypto/identity.h"
#include "records/record.h"
#include "records/record_validator.h"
#include "replication/swarm.h"
#include "storage/block_store.h"

namespace swarmkv {

// A record as published, and how many nodes hold it.
struct Published {
  Record record;
  size_t copies = 0;
};

class Records {
 public:
  // Registers its validator with `swarm` (before the node serves peers).
  Records(Swarm& swarm, BlockStore& store, const Identity& publisher, const Clock& clock);

  // Publishes `value` under this publisher's `key` with `sequence` (0: one above the highest
  // the swarm has; otherwise higher than it). FAILED_PRECONDITION when a record with that
  // sequence or a newer one exists;
  // UNAVAILABLE when fewer nodes than the write quorum stored it; INVALID_ARGUMENT or
  // RESOURCE_EXHAUSTED for a bad key or value.
  // With a `secret` (16 to 64 bytes) the value is sealed under it (SealRecordValue): storing
  // nodes see only ciphertext, and resolving it needs the same secret.
  absl::StatusOr<Published> Set(const std::string& key, std::string value, uint64_t sequence = 0,
                                absl::string_view secret = {});
  // A signed tombstone one above the current sequence. NOT_FOUND when there is nothing to delete.
  absl::StatusOr<Published> Delete(const std::string& key);
  // The newest record under `name` the swarm has. NOT_FOUND when there is none, or it was deleted.
  absl::StatusOr<Record> Resolve(const RecordName& name);
  // This publisher's live records held here whose key starts with `prefix`, in key order.
  absl::StatusOr<std::vector<Record>> ListOwn(absl::string_view prefix, size_t limit) const;
  // Names ("<publisher id>/<key>") of the live records held here whose key or name starts with
  // `prefix` (the KEYS query).
  absl::StatusOr<std::vector<std::string>> NamesHeld(absl::string_view prefix, size_t limit) const;

  // Re-signs this publisher's records held here whose lifetime is more than half gone (same
  // sequence and value, a new expiry) and places them again. Yields how many.
  absl::StatusOr<size_t> RepublishDue();

  const NodeId& publisher_id() const { return publisher_.node_id(); }

 private:
  // The newest record under this publisher's `key` anywhere, tombstones included; nullopt when
  // none.
  // `closest` (may be null) receives the nodes the read asked: the put that follows places the
  // record on them without a second lookup.
  absl::StatusOr<std::optional<Record>> Current(const std::string& key,
                                                std::vector<Contact>* closest);
  absl::StatusOr<Published> Publish(const std::string& key, std::string value, uint64_t sequence,
                                    bool tombstone, bool encrypted, std::vector<Contact> closest);
  // Every live record held here, decoded.
  absl::StatusOr<std::vector<Record>> Held() const;

  Swarm& swarm_;
  BlockStore& store_;
  const Identity& publisher_;
  const Clock& clock_;
  SignedRecordValidator validator_;
};

}  // namespace swarmkv

#endif  // SWARMKV_RECORDS_RECORDS_H_
