// The swarm's state saved on disk (replication/saved_state.h): the routing table, a provider
// record and the republish sweep. What decodes re-encodes to the same bytes; counts stay under
// their caps.
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.h"
#include "replication/saved_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view value(reinterpret_cast<const char*>(data), size);
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  if (auto contacts = swarmkv::DecodeSavedContacts(value, now); contacts.ok()) {
    FUZZ_CHECK(contacts->size() <= swarmkv::kMaxSavedContacts);
    FUZZ_CHECK(swarmkv::EncodeSavedContacts(*contacts) == value);
  }
  constexpr uint64_t kMaxProviders = 20;
  if (auto records = swarmkv::DecodeProviderRecord(value, now, kMaxProviders); records.ok()) {
    FUZZ_CHECK(records->size() <= kMaxProviders);
    // Expiries past int64 seconds are clamped, so only those below re-encode byte for byte.
    bool clamped = false;
    for (const auto& r : *records) clamped |= r.expires == absl::FromUnixSeconds(INT64_MAX);
    if (!clamped) FUZZ_CHECK(swarmkv::EncodeProviderRecord(*records) == value);
  }
  if (auto sweep = swarmkv::DecodeRepublishSweep(value); sweep.ok()) {
    // As above: a start past int64 seconds is clamped; below it, byte for byte.
    if (sweep->started != absl::FromUnixSeconds(INT64_MAX)) {
      FUZZ_CHECK(swarmkv::EncodeRepublishSweep(*sweep) == value);
    }
  }
  return 0;
}
