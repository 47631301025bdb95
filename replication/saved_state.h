// The swarm's soft state as the store keeps it between runs (docs/storage-layout.md): the saved
// routing table and where the republish sweep stands (meta values), and the provider records
// (one value per DHT key). Both are read
// back from disk at start, so their decoders treat the bytes as untrusted: DATA_LOSS, saying
// what is wrong, for anything malformed, and bounded counts (fuzz/saved_state_fuzz.cc).
#ifndef SWARMKV_REPLICATION_SAVED_STATE_H_
#define SWARMKV_REPLICATION_SAVED_STATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "replication/provider_table.h"
#include "replication/republish_schedule.h"
#include "replication/routing_table.h"

namespace swarmkv {

// The most contacts a saved table holds: 256 buckets of k, with room to spare.
inline constexpr uint64_t kMaxSavedContacts = 256 * 64;

// varint(n), then n contacts, each 32-byte id | varint(len) | address.
std::string EncodeSavedContacts(const std::vector<Contact>& contacts);
// The contacts, last seen `now`. DATA_LOSS when malformed or over kMaxSavedContacts.
absl::StatusOr<std::vector<Contact>> DecodeSavedContacts(absl::string_view value, absl::Time now);

// varint(n), then n × (contact as above | varint(expiry, Unix seconds)).
std::string EncodeProviderRecord(const std::vector<ProviderTable::Record>& records);
// The records, contacts last seen `now`. DATA_LOSS when malformed or over `max_providers`.
absl::StatusOr<std::vector<ProviderTable::Record>> DecodeProviderRecord(absl::string_view value,
                                                                        absl::Time now,
                                                                        uint64_t max_providers);

// The meta value that holds where the republish sweep stands.
inline constexpr absl::string_view kRepublishSweepMeta = "republish_sweep";
// varint(started, Unix seconds) | varint(listed) | varint(at_end: 0 or 1) | varint(n) | n bytes,
// the last root listed (n = 0: none). REQUIRES: sweep.started is a time (a sweep has begun).
std::string EncodeRepublishSweep(const RepublishSweep& sweep);
// DATA_LOSS when malformed (a CID that does not parse included).
absl::StatusOr<RepublishSweep> DecodeRepublishSweep(absl::string_view value);

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_SAVED_STATE_H_
