// The swarm's state saved on disk (replication/saved_state.h): the routing table and a provider
// record. What decodes re-encodes to the same bytes; counts stay under their caps.
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
  return 0;
}
