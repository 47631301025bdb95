#include "records/record_validator.h"

#include "absl/strings/str_cat.h"
#include "records/record.h"

namespace swarmkv {

absl::StatusOr<DhtKey> SignedRecordValidator::Validate(absl::string_view value) const {
  return Unexpired(DecodeRecord(value));
}

absl::StatusOr<DhtKey> SignedRecordValidator::Revalidate(absl::string_view stored) const {
  return Unexpired(ParseRecord(stored));
}

absl::StatusOr<DhtKey> SignedRecordValidator::Unexpired(
    const absl::StatusOr<Record>& record) const {
  if (!record.ok()) return record.status();
  if (record->expires_at <= absl::ToUnixSeconds(clock_.Now())) {
    return absl::FailedPreconditionError(absl::StrCat("record ", record->Name(), " has expired"));
  }
  return record->dht_key();
}

bool SignedRecordValidator::KeepHere(absl::string_view value) const {
  absl::StatusOr<Record> record = DecodeRecord(value);
  return record.ok() && record->publisher == own_publisher_;
}

bool SignedRecordValidator::Better(absl::string_view a, absl::string_view b) const {
  // Both were validated on their way in (signatures included): parsed, not verified again.
  absl::StatusOr<Record> ra = ParseRecord(a), rb = ParseRecord(b);
  if (!ra.ok()) return false;
  if (!rb.ok()) return true;
  return Supersedes(*ra, *rb);
}

}  // namespace swarmkv
