// SignedRecordValidator: the swarm's RecordValidator for signed records (records/record.h): a
// value is valid when it decodes, its signature verifies and it has not expired; the DHT key is
// the record's own; the newer of two is the higher sequence, then the tie rule.
//
// Thread safety: thread-safe. `clock` must outlive it.
#ifndef SWARMKV_RECORDS_RECORD_VALIDATOR_H_
#define SWARMKV_RECORDS_RECORD_VALIDATOR_H_

#include <string>
#include <utility>

#include "base/clock.h"
#include "records/record.h"
#include "replication/record_validator.h"

namespace swarmkv {

class SignedRecordValidator final : public RecordValidator {
 public:
  // `own_publisher`: the public key whose records this node keeps (and republishes).
  SignedRecordValidator(const Clock& clock, std::string own_publisher)
      : clock_(clock), own_publisher_(std::move(own_publisher)) {}

  absl::StatusOr<DhtKey> Validate(absl::string_view value) const override;
  absl::StatusOr<DhtKey> Revalidate(absl::string_view stored) const override;
  bool Better(absl::string_view a, absl::string_view b) const override;
  bool KeepHere(absl::string_view value) const override;

 private:
  // Whether `record` has expired: FAILED_PRECONDITION then, its DHT key otherwise.
  absl::StatusOr<DhtKey> Unexpired(const absl::StatusOr<Record>& record) const;

  const Clock& clock_;
  const std::string own_publisher_;
};

}  // namespace swarmkv

#endif  // SWARMKV_RECORDS_RECORD_VALIDATOR_H_
