// RecordValidator: how the swarm judges the values it stores under DHT keys for PUT_RECORD (the
// idea of libp2p's record validators). The swarm places, fetches and repairs record values as
// opaque bytes; the module that defines them (records/) says which are valid, under which key
// they belong, and which of two is newer.
//
// Thread safety: implementations are thread-safe.
#ifndef SWARMKV_REPLICATION_RECORD_VALIDATOR_H_
#define SWARMKV_REPLICATION_RECORD_VALIDATOR_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "replication/key_space.h"

namespace swarmkv {

class RecordValidator {
 public:
  virtual ~RecordValidator() = default;
  // The DHT key `value` belongs under, when it is valid. INVALID_ARGUMENT for a value that is
  // malformed or forged (its sender is penalized); FAILED_PRECONDITION for one that is valid but
  // no longer wanted (expired).
  virtual absl::StatusOr<DhtKey> Validate(absl::string_view value) const = 0;
  // The same answer for a value this node stored after validating it, without checking its
  // signature again (the store is sealed at rest): what reads and maintenance sweeps use, so
  // that their cost does not grow with a signature check per record held.
  virtual absl::StatusOr<DhtKey> Revalidate(absl::string_view stored) const = 0;
  // True when `a` should replace `b`; both valid under the same key.
  virtual bool Better(absl::string_view a, absl::string_view b) const = 0;
  // True for a record this node keeps wherever it belongs (its own publisher's: it republishes
  // them); others are handed off like blocks once the responsible nodes hold them.
  virtual bool KeepHere(absl::string_view value) const = 0;
};

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_RECORD_VALIDATOR_H_
