// Capability URIs (crypto/capability.h): whatever parses prints as a URI that parses to the same
// root and key.
#include <cstdint>
#include <string>

#include "crypto/capability.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<swarmkv::Capability> parsed = swarmkv::Capability::Parse(input);
  if (!parsed.ok()) return 0;
  absl::StatusOr<swarmkv::Capability> again = swarmkv::Capability::Parse(parsed->ToUri());
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->root() == parsed->root());
  FUZZ_CHECK(again->has_key() == parsed->has_key());
  if (parsed->has_key()) FUZZ_CHECK(again->key().view() == parsed->key().view());
  return 0;
}
