// Varints (crypto/varint.h): a decoded value re-encodes to exactly the bytes it was read from
// (the decoder accepts minimal encodings only), and the input advances by that many bytes.
#include <cstdint>
#include <string>

#include "crypto/varint.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  absl::string_view rest = input;
  absl::StatusOr<uint64_t> value = swarmkv::ReadVarint(&rest, "fuzz");
  if (!value.ok()) {
    FUZZ_CHECK(rest == input);  // nothing consumed on failure
    return 0;
  }
  FUZZ_CHECK(*value <= swarmkv::kMaxVarint);
  std::string encoded;
  swarmkv::AppendVarint(*value, &encoded);
  FUZZ_CHECK(encoded == input.substr(0, input.size() - rest.size()));
  return 0;
}
