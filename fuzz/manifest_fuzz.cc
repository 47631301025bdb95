// Manifest blocks (storage/manifest.h): whatever decodes re-encodes to the same block (one
// encoding per manifest: two would give one content two CIDs), and the clear part the decoder
// reports is the encoder's.
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.h"
#include "storage/manifest.h"

SWARMKV_FUZZ_QUIET_LOGS()

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view block(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<swarmkv::DecodedManifest> decoded = swarmkv::DecodeManifest(block);
  if (!decoded.ok()) return 0;
  FUZZ_CHECK(decoded->node.links.size() <= swarmkv::kMaxManifestLinks);
  std::string encoded = swarmkv::EncodeManifestClearPart(decoded->node);
  FUZZ_CHECK(encoded.size() == decoded->clear_part_size);
  swarmkv::AppendManifestSealedKeys(decoded->node.sealed_keys, &encoded);
  FUZZ_CHECK(encoded == block);
  return 0;
}
