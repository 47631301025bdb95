// Multihashes (crypto/multihash.h): what decodes re-encodes to the bytes it was read from.
#include <cstdint>
#include <string>

#include "crypto/multihash.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  absl::string_view rest = input;
  absl::StatusOr<swarmkv::Multihash> hash = swarmkv::Multihash::ReadFrom(&rest);
  if (!hash.ok()) return 0;
  FUZZ_CHECK(hash->ToBytes() == input.substr(0, input.size() - rest.size()));
  return 0;
}
