// Text encodings (crypto/encoding.h). The decoders are strict, so each accepts exactly what its
// encoder writes: decode(t) succeeds only when encode(decode(t)) is t (hex and upper-case base32
// up to case).
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "crypto/encoding.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string lower = absl::AsciiStrToLower(input);

  if (absl::StatusOr<std::string> bytes = swarmkv::Base32Decode(input); bytes.ok()) {
    FUZZ_CHECK(swarmkv::Base32Encode(*bytes) == input);
  }
  if (absl::StatusOr<std::string> bytes = swarmkv::Base32Decode(input, /*allow_upper=*/true);
      bytes.ok()) {
    FUZZ_CHECK(swarmkv::Base32Encode(*bytes) == lower);
  }
  if (absl::StatusOr<std::string> bytes = swarmkv::Base64UrlDecode(input); bytes.ok()) {
    FUZZ_CHECK(swarmkv::Base64UrlEncode(*bytes) == input);
  }
  if (absl::StatusOr<std::string> bytes = swarmkv::HexDecode(input); bytes.ok()) {
    FUZZ_CHECK(swarmkv::HexEncode(*bytes) == lower);
  }
  // Every encoder's output decodes back to the input bytes.
  FUZZ_CHECK(*swarmkv::Base32Decode(swarmkv::Base32Encode(input)) == input);
  FUZZ_CHECK(*swarmkv::Base64UrlDecode(swarmkv::Base64UrlEncode(input)) == input);
  FUZZ_CHECK(*swarmkv::HexDecode(swarmkv::HexEncode(input)) == input);
  return 0;
}
