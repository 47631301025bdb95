// The Swarm's part in signed records: PUT_RECORD and GET_RECORD answered, records placed on the
// R closest nodes and read back from them with read repair (docs/records.md). What a record is,
// and which of two wins, is the RecordValidator's business: the swarm moves opaque bytes.
#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "replication/internal/swarm_helpers.h"
#include "replication/swarm.h"

namespace swarmkv {

using swarm_internal::OnLoop;
using swarm_internal::WithoutSelf;

namespace {

absl::Status NoValidator() {
  return absl::UnimplementedError("this node does not keep signed records");
}

absl::string_view KeyBytes(const DhtKey& key) { return DigestView(key); }

}  // namespace

void Swarm::FindRecordHoldersAsync(const DhtKey& key, Done<std::vector<Contact>> done) {
  // Sized like block placement's: the 2R closest that answer are enough to pick the R closest,
  // and a lookup for k = 20 would query every node of a small swarm (measured: a 10-node swarm
  // took three rounds instead of two).
  LookupOptions lookup = options_.lookup;
  lookup.k = std::min(lookup.k, 2 * options_.replication_factor);
  loop_.Post([this, key, lookup, done = std::move(done)] { RunFindNodeLookup(key, lookup, done); });
}

absl::StatusOr<std::string> Swarm::LocalRecord(const DhtKey& key) const {
  absl::StatusOr<std::string> held = store_.GetRecord(KeyBytes(key));
  if (absl::IsNotFound(held.status())) return std::string();
  SWARMKV_RETURN_IF_ERROR(held.status());
  // Checked again on the way out: a record that no longer validates (expired) is not served.
  if (!record_validator_->Revalidate(*held).ok()) return std::string();
  return held;
}

absl::StatusOr<std::string> Swarm::KeepRecord(const DhtKey& key, absl::string_view record) {
  absl::MutexLock lock(&RecordLock(key));
  SWARMKV_ASSIGN_OR_RETURN(std::string held, LocalRecord(key));
  if (!held.empty() && held != record && !record_validator_->Better(record, held)) return held;
  if (held != record) SWARMKV_RETURN_IF_ERROR(store_.PutRecord(KeyBytes(key), record));
  return std::string();
}

absl::StatusOr<std::string> Swarm::HandlePutRecord(const Contact& caller,
                                                   absl::string_view record) {
  if (record_validator_ == nullptr) return NoValidator();
  absl::StatusOr<DhtKey> key = record_validator_->Validate(record);
  if (absl::IsInvalidArgument(key.status())) {
    Penalize(caller.id, "PUT_RECORD of a record that does not verify");
    return key.status();
  }
  SWARMKV_RETURN_IF_ERROR(key.status());
  if (!IsResponsibleFor(*key)) {
    return absl::FailedPreconditionError(
        "this node is not responsible for this record: it knows closer nodes; store it on those");
  }
  return KeepRecord(*key, record);
}

absl::StatusOr<RecordAnswer> Swarm::HandleGetRecord(const DhtKey& key) const {
  if (record_validator_ == nullptr) return NoValidator();
  RecordAnswer answer;
  SWARMKV_ASSIGN_OR_RETURN(answer.record, LocalRecord(key));
  answer.closer = ClosestKnown(key, options_.table.k);
  return answer;
}

void Swarm::PutRecordAsync(std::string record, std::vector<Contact> closest,
                           Done<absl::StatusOr<RecordPlacement>> done) {
  if (record_validator_ == nullptr) return done(NoValidator());
  // The local copy first, durably, off the loop (an fsync).
  blocking_.Post([this, record = std::move(record), closest = std::move(closest),
                  done = std::move(done)]() mutable {
    absl::StatusOr<DhtKey> key = record_validator_->Validate(record);
    absl::StatusOr<std::string> newer =
        key.ok() ? KeepRecord(*key, record) : absl::StatusOr<std::string>(key.status());
    loop_.Post([this, key, newer = std::move(newer), record = std::move(record),
                closest = std::move(closest), done = std::move(done)]() mutable {
      if (!newer.ok()) return done(newer.status());
      if (!newer->empty()) return done(RecordPlacement{0, *std::move(newer)});
      if (!closest.empty()) {
        return PlaceRecord(*key, std::move(record), std::move(closest), done);
      }
      FindRecordHoldersAsync(*key, [this, key = *key, record = std::move(record),
                                    done = std::move(done)](std::vector<Contact> found) mutable {
        PlaceRecord(key, std::move(record), std::move(found), done);
      });
    });
  });
}

void Swarm::PlaceRecord(const DhtKey& key, std::string record, std::vector<Contact> closest,
                        Done<absl::StatusOr<RecordPlacement>> done) {
  closest = WithoutSelf(std::move(closest), self_);
  if (closest.size() > options_.replication_factor) {
    closest.erase(closest.begin() + options_.replication_factor, closest.end());
  }
  struct Tally {
    size_t pending;
    RecordPlacement placement{1, ""};
    Done<absl::StatusOr<RecordPlacement>> done;
  };
  auto tally = std::make_shared<Tally>(Tally{closest.size(), {1, ""}, std::move(done)});
  if (closest.empty()) return tally->done(tally->placement);
  for (const Contact& c : closest) {
    transport_.PutRecord(
        c, record,
        OnLoop<std::string>(loop_, [this, tally, key, record, c](absl::StatusOr<std::string> a) {
          if (a.ok() && a->empty()) ++tally->placement.copies;
          // A "newer record" refuses the put only when it is one: a liar's answer cannot.
          if (a.ok() && !a->empty() && ValidFrom(c, key, *a) &&
              record_validator_->Better(*a, record)) {
            tally->placement.newer = *std::move(a);
          }
          if (--tally->pending == 0) tally->done(std::move(tally->placement));
        }));
  }
}

struct Swarm::RecordRead {
  DhtKey key;
  Done<RecordLookup> done;
  std::vector<Contact> closest;  // the closest nodes asked (where a put that follows goes)
  size_t pending = 0;
  std::string best;  // the best valid record seen so far
  // Who answered what (the local store as this node's own contact), for read repair.
  std::vector<std::pair<Contact, std::string>> answers;
  // Contacts the answers named as closer to the key.
  std::vector<Contact> heard;
  bool looked_up = false;  // the full lookup has run
};

void Swarm::GetRecordAsync(const DhtKey& key, Done<RecordLookup> done) {
  if (record_validator_ == nullptr) return done(RecordLookup{NoValidator(), {}});
  auto read = std::make_shared<RecordRead>();
  read->key = key;
  read->done = std::move(done);
  // First the R closest this node knows, in one round (and its own store): when none of them
  // names a closer node, they are the closest and the read is done, without a lookup (a small
  // swarm, or a well-filled neighbourhood). Otherwise a lookup finds the closest, and those not
  // asked yet are asked.
  loop_.Post([this, read] {
    std::vector<Contact> known =
        WithoutSelf(ClosestKnown(read->key, options_.replication_factor + 1), self_);
    if (known.size() > options_.replication_factor) {
      known.erase(known.begin() + options_.replication_factor, known.end());
    }
    read->closest = known;
    AskForRecord(read, std::move(known), /*with_local=*/true);
  });
}

void Swarm::AskForRecord(std::shared_ptr<RecordRead> read, std::vector<Contact> contacts,
                         bool with_local) {
  read->pending = contacts.size() + (with_local ? 1 : 0);
  if (read->pending == 0) return AfterRecordRound(read);
  for (const Contact& c : contacts) {
    transport_.GetRecord(
        c, read->key, OnLoop<RecordAnswer>(loop_, [this, read, c](absl::StatusOr<RecordAnswer> a) {
          if (!a.ok()) return ConsiderRecord(read, c, a.status());
          read->heard.insert(read->heard.end(), a->closer.begin(), a->closer.end());
          ConsiderRecord(read, c, std::move(a->record));
        }));
  }
  if (!with_local) return;
  blocking_.Post([this, read] {
    absl::StatusOr<std::string> local = LocalRecord(read->key);
    loop_.Post([this, read, local = std::move(local)]() mutable {
      ConsiderRecord(read, Contact{self_, "", absl::InfinitePast()}, std::move(local));
    });
  });
}

bool Swarm::ValidFrom(const Contact& from, const DhtKey& key, absl::string_view record) {
  absl::StatusOr<DhtKey> its_key = record_validator_->Validate(record);
  // A forged record, or one for another key, is a lie; an expired one is only stale.
  const bool lie = its_key.ok() ? *its_key != key : absl::IsInvalidArgument(its_key.status());
  if (lie && from.id != self_) Penalize(from.id, "answered with a record that does not verify");
  return its_key.ok() && !lie;
}

void Swarm::ConsiderRecord(std::shared_ptr<RecordRead> read, const Contact& from,
                           absl::StatusOr<std::string> record) {
  std::string valid;
  if (record.ok() && !record->empty() && ValidFrom(from, read->key, *record)) {
    valid = *std::move(record);
  }
  if (record.ok()) read->answers.emplace_back(from, valid);
  if (!valid.empty() && (read->best.empty() || record_validator_->Better(valid, read->best))) {
    read->best = valid;
  }
  if (--read->pending == 0) AfterRecordRound(read);
}

void Swarm::AfterRecordRound(std::shared_ptr<RecordRead> read) {
  if (read->looked_up) return FinishRecordRead(read);
  // Did an answer name a node closer than the farthest asked (or any, when fewer than R were)?
  const size_t r = options_.replication_factor;
  bool closer_exists = false;
  for (const Contact& c : read->heard) {
    if (c.id == self_) continue;
    const bool asked = std::any_of(read->closest.begin(), read->closest.end(),
                                   [&](const Contact& a) { return a.id == c.id; });
    if (asked) continue;
    if (read->closest.size() < r ||
        Closer(read->key, KeyOf(c.id), KeyOf(read->closest.back().id))) {
      closer_exists = true;
      break;
    }
  }
  if (!closer_exists) return FinishRecordRead(read);
  read->looked_up = true;
  FindRecordHoldersAsync(read->key, [this, read, r](std::vector<Contact> found) {
    found = WithoutSelf(std::move(found), self_);
    if (found.size() > r) found.erase(found.begin() + r, found.end());
    std::vector<Contact> fresh;
    for (const Contact& c : found) {
      const bool asked = std::any_of(read->answers.begin(), read->answers.end(),
                                     [&](const auto& answer) { return answer.first.id == c.id; });
      if (!asked) fresh.push_back(c);
    }
    read->closest = std::move(found);
    AskForRecord(read, std::move(fresh), /*with_local=*/false);
  });
}

void Swarm::FinishRecordRead(std::shared_ptr<RecordRead> read) {
  if (read->best.empty()) {
    return read->done(RecordLookup{absl::NotFoundError("no node holds a record under this name"),
                                   std::move(read->closest)});
  }
  // Read repair: every node asked that holds an older record, or none, is sent the best.
  for (const auto& [contact, held] : read->answers) {
    if (held == read->best) continue;
    if (contact.id == self_) {
      if (!held.empty()) {  // this node held an older one: it keeps the newer
        blocking_.Post([this, read] { KeepRecord(read->key, read->best).IgnoreError(); });
      }
      continue;
    }
    transport_.PutRecord(contact, read->best, [](absl::StatusOr<std::string>) {});
  }
  read->done(RecordLookup{read->best, std::move(read->closest)});
}

// ----- Maintenance -----

namespace {
// Records a round reads from the store at most, and places at once.
constexpr size_t kMaxRecordsPerRound = 1 << 16;
constexpr size_t kRecordWindow = 32;
}  // namespace

struct Swarm::RecordRound {
  struct Held {
    DhtKey key;
    std::string value;
    std::vector<Contact> closest;
    size_t stored = 0;  // closest nodes that answered "held"
  };
  std::vector<Held> records;
  size_t next = 0;       // the next record to push
  size_t in_flight = 0;  // records with PUT_RECORDs out
  RecordMaintenanceReport report;
  Done<RecordMaintenanceReport> done;
};

void Swarm::MaintainRecordsAsync(Done<RecordMaintenanceReport> done) {
  if (record_validator_ == nullptr) {
    loop_.Post([done] { done({}); });
    return;
  }
  auto round = std::make_shared<RecordRound>();
  round->done = std::move(done);
  // The sweep reads and deletes: off the loop.
  blocking_.Post([this, round] {
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> stored =
        store_.ListRecords(kMaxRecordsPerRound);
    if (stored.ok()) {
      for (auto& [key_bytes, value] : *stored) {
        absl::StatusOr<DhtKey> key = record_validator_->Revalidate(value);
        if (!key.ok() || DigestView(*key) != key_bytes) {
          // Under the lock of the key it is stored at (a forged entry's own key may differ).
          absl::MutexLock lock(&RecordLock(DigestFromBytes(key_bytes).value_or(DhtKey{})));
          if (store_.PutRecord(key_bytes, "").ok()) ++round->report.expired;
          continue;
        }
        round->records.push_back(RecordRound::Held{*key, std::move(value), {}, 0});
      }
    }
    round->report.records = round->records.size();
    loop_.Post([this, round] {
      {
        absl::MutexLock lock(&mu_);
        if (records_placed_at_ == table_version_) round->records.clear();  // nothing moved
        records_placed_at_ = table_version_;
      }
      for (RecordRound::Held& held : round->records) {
        held.closest = WithoutSelf(ClosestKnown(held.key, options_.replication_factor + 1), self_);
        if (held.closest.size() > options_.replication_factor) {
          held.closest.erase(held.closest.begin() + options_.replication_factor,
                             held.closest.end());
        }
      }
      PushRecords(round);
    });
  });
}

void Swarm::PushRecords(std::shared_ptr<RecordRound> round) {
  while (round->in_flight < kRecordWindow && round->next < round->records.size()) {
    const size_t index = round->next++;
    RecordRound::Held& held = round->records[index];
    if (held.closest.empty()) continue;
    ++round->in_flight;
    auto pending = std::make_shared<size_t>(held.closest.size());
    for (const Contact& c : held.closest) {
      transport_.PutRecord(c, held.value,
                           OnLoop<std::string>(loop_, [this, round, index, pending,
                                                       c](absl::StatusOr<std::string> a) {
                             // "" (stored) and a newer record held there both mean the node is
                             // covered; an answer that is no valid record for the key (a liar's)
                             // covers nothing, or a hand-off could follow it.
                             const RecordRound::Held& held = round->records[index];
                             if (a.ok() && (a->empty() || ValidFrom(c, held.key, *a))) {
                               ++round->report.pushed;
                               ++round->records[index].stored;
                             } else {
                               ++round->report.push_failures;
                             }
                             if (--*pending > 0) return;
                             --round->in_flight;
                             PushRecords(round);
                           }));
    }
  }
  if (round->in_flight == 0 && round->next >= round->records.size()) FinishRecordRound(round);
}

void Swarm::FinishRecordRound(std::shared_ptr<RecordRound> round) {
  std::vector<RecordRound::Held> leaving;
  for (RecordRound::Held& held : round->records) {
    const bool all_hold =
        held.closest.size() >= options_.replication_factor && held.stored == held.closest.size();
    if (all_hold && !IsResponsibleFor(held.key) && !record_validator_->KeepHere(held.value)) {
      leaving.push_back(std::move(held));
    }
  }
  if (leaving.empty()) return round->done(round->report);
  blocking_.Post([this, round, leaving = std::move(leaving)] {
    for (const RecordRound::Held& held : leaving) {
      absl::MutexLock lock(&RecordLock(held.key));
      // Only the copy that was placed: a newer one that arrived since stays until next round.
      absl::StatusOr<std::string> now = store_.GetRecord(KeyBytes(held.key));
      if (now.ok() && *now == held.value && store_.PutRecord(KeyBytes(held.key), "").ok()) {
        ++round->report.handed_off;
      }
    }
    loop_.Post([round] { round->done(round->report); });
  });
}

}  // namespace swarmkv
