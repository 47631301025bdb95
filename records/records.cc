#include "records/records.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace swarmkv {
namespace {

// Records scanned at most by a listing: the records column family of one node.
constexpr size_t kMaxListedRecords = 1 << 20;

}  // namespace

Records::Records(Swarm& swarm, BlockStore& store, const Identity& publisher, const Clock& clock)
    : swarm_(swarm),
      store_(store),
      publisher_(publisher),
      clock_(clock),
      validator_(clock, publisher.public_key()) {
  swarm_.set_record_validator(&validator_);
}

absl::StatusOr<std::optional<Record>> Records::Current(const std::string& key,
                                                       std::vector<Contact>* closest) {
  absl::StatusOr<std::string> found =
      swarm_.GetRecord(RecordDhtKey(publisher_.node_id(), key), closest);
  if (absl::IsNotFound(found.status())) return std::optional<Record>();
  SWARMKV_RETURN_IF_ERROR(found.status());
  // The swarm validated it (signature included) before yielding it.
  SWARMKV_ASSIGN_OR_RETURN(Record record, ParseRecord(*found));
  return std::optional<Record>(std::move(record));
}

absl::StatusOr<Published> Records::Publish(const std::string& key, std::string value,
                                           uint64_t sequence, bool tombstone, bool encrypted,
                                           std::vector<Contact> closest) {
  SWARMKV_ASSIGN_OR_RETURN(Record record,
                           SignRecord(publisher_, key, std::move(value), sequence,
                                      clock_.Now() + kDefaultRecordLifetime, tombstone, encrypted));
  SWARMKV_ASSIGN_OR_RETURN(RecordPlacement placement,
                           swarm_.PutRecord(EncodeRecord(record), std::move(closest)));
  if (!placement.newer.empty()) {
    absl::StatusOr<Record> newer = DecodeRecord(placement.newer);
    return absl::FailedPreconditionError(absl::StrCat(
        "record ", record.Name(), " already has sequence ", newer.ok() ? newer->sequence : 0,
        "; set it without a sequence, or with a higher one"));
  }
  const size_t quorum = swarm_.EffectiveWriteQuorum();
  if (placement.copies < quorum) {
    return absl::UnavailableError(absl::StrCat("record ", record.Name(), " reached ",
                                               placement.copies, " nodes of the ", quorum,
                                               " needed; try again when more peers answer"));
  }
  return Published{std::move(record), placement.copies};
}

absl::StatusOr<Published> Records::Set(const std::string& key, std::string value, uint64_t sequence,
                                       absl::string_view secret) {
  SWARMKV_RETURN_IF_ERROR(CheckRecordFields(key, value, false));
  if (!secret.empty()) {
    if (value.size() + kRecordSealOverhead > kMaxRecordValueBytes) {
      return absl::ResourceExhaustedError(absl::StrCat("an encrypted record value is at most ",
                                                       kMaxRecordValueBytes - kRecordSealOverhead,
                                                       " bytes; this one is ", value.size()));
    }
    SWARMKV_ASSIGN_OR_RETURN(
        value,
        SealRecordValue(secret, absl::StrCat(publisher_.node_id().ToString(), "/", key), value));
  }
  std::vector<Contact> closest;
  SWARMKV_ASSIGN_OR_RETURN(std::optional<Record> current, Current(key, &closest));
  const uint64_t highest = current.has_value() ? current->sequence : 0;
  if (sequence == 0) {
    sequence = highest + 1;
  } else if (sequence <= highest) {
    // The swarm orders equal sequences by a tie rule; a caller who names one means "after".
    return absl::FailedPreconditionError(
        absl::StrCat("record ", publisher_.node_id().ToString(), "/", key, " already has sequence ",
                     highest, "; set it without a sequence, or with a higher one"));
  }
  return Publish(key, std::move(value), sequence, false, !secret.empty(), std::move(closest));
}

absl::StatusOr<Published> Records::Delete(const std::string& key) {
  SWARMKV_RETURN_IF_ERROR(CheckRecordFields(key, "", true));
  std::vector<Contact> closest;
  SWARMKV_ASSIGN_OR_RETURN(std::optional<Record> current, Current(key, &closest));
  if (!current.has_value() || current->tombstone) {
    return absl::NotFoundError(
        absl::StrCat("no record ", publisher_.node_id().ToString(), "/", key, " to delete"));
  }
  return Publish(key, "", current->sequence + 1, true, false, std::move(closest));
}

absl::StatusOr<Record> Records::Resolve(const RecordName& name) {
  const NodeId publisher = name.publisher.value_or(publisher_.node_id());
  const std::string full = absl::StrCat(publisher.ToString(), "/", name.key);
  absl::StatusOr<std::string> found = swarm_.GetRecord(RecordDhtKey(publisher, name.key));
  if (absl::IsNotFound(found.status())) {
    return absl::NotFoundError(absl::StrCat("no record ", full));
  }
  SWARMKV_RETURN_IF_ERROR(found.status());
  // The swarm validated it (signature included) before yielding it.
  SWARMKV_ASSIGN_OR_RETURN(Record record, ParseRecord(*found));
  if (record.tombstone) {
    return absl::NotFoundError(
        absl::StrCat("record ", full, " was deleted (sequence ", record.sequence, ")"));
  }
  return record;
}

absl::StatusOr<size_t> Records::RepublishDue() {
  SWARMKV_ASSIGN_OR_RETURN(auto stored, store_.ListRecords(kMaxListedRecords));
  const absl::Time now = clock_.Now();
  size_t republished = 0;
  for (const auto& [dht_key, value] : stored) {
    absl::StatusOr<Record> record = ParseRecord(value);  // verified when stored
    if (!record.ok() || record->publisher != publisher_.public_key()) continue;
    const absl::Time expires = absl::FromUnixSeconds(record->expires_at);
    if (expires <= now || expires - now > kDefaultRecordLifetime / 2) continue;
    // Tombstones too: a deletion must outlive the copies it overrides.
    SWARMKV_ASSIGN_OR_RETURN(
        Record renewed,
        SignRecord(publisher_, record->key, record->value, record->sequence,
                   now + kDefaultRecordLifetime, record->tombstone, record->encrypted));
    SWARMKV_ASSIGN_OR_RETURN(RecordPlacement placement, swarm_.PutRecord(EncodeRecord(renewed)));
    if (placement.newer.empty()) ++republished;
  }
  return republished;
}

absl::StatusOr<std::vector<Record>> Records::Held() const {
  SWARMKV_ASSIGN_OR_RETURN(auto stored, store_.ListRecords(kMaxListedRecords));
  // Parsed, not verified again: every record was verified before it was stored, and the store
  // is sealed at rest. A KEYS query from any peer lands here: a signature check per record held
  // (about 60 us each) would let one query cost seconds on a node with many records.
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  std::vector<Record> out;
  for (const auto& [dht_key, value] : stored) {
    absl::StatusOr<Record> record = ParseRecord(value);
    if (record.ok() && !record->tombstone && record->expires_at > now) {
      out.push_back(*std::move(record));
    }
  }
  return out;
}

absl::StatusOr<std::vector<Record>> Records::ListOwn(absl::string_view prefix, size_t limit) const {
  SWARMKV_ASSIGN_OR_RETURN(std::vector<Record> held, Held());
  std::vector<Record> out;
  for (Record& r : held) {
    if (r.publisher == publisher_.public_key() && absl::StartsWith(r.key, prefix)) {
      out.push_back(std::move(r));
    }
  }
  std::sort(out.begin(), out.end(), [](const Record& a, const Record& b) { return a.key < b.key; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

absl::StatusOr<std::vector<std::string>> Records::NamesHeld(absl::string_view prefix,
                                                            size_t limit) const {
  SWARMKV_ASSIGN_OR_RETURN(std::vector<Record> held, Held());
  std::vector<std::string> names;
  for (const Record& r : held) {
    std::string name = r.Name();
    if (absl::StartsWith(r.key, prefix) || absl::StartsWith(name, prefix)) {
      names.push_back(std::move(name));
    }
  }
  std::sort(names.begin(), names.end());
  if (names.size() > limit) names.resize(limit);
  return names;
}

}  // namespace swarmkv
