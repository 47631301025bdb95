// Sealed values (crypto/aead.h, records' sealed values): bytes nobody sealed under the key never
// open, whatever they are; what is sealed opens to itself; any one changed byte makes it fail.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>

#include "crypto/aead.h"
#include "fuzz/fuzz_check.h"
#include "records/record.h"

SWARMKV_FUZZ_QUIET_LOGS()

namespace {
const swarmkv::SecretBytes& Key() {
  static const swarmkv::SecretBytes key(std::string(swarmkv::kAeadKeyBytes, '\x2a'));
  return key;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string ad = in.ConsumeRandomLengthString(64);
  const size_t flip = in.ConsumeIntegral<size_t>();
  const std::string bytes = in.ConsumeRemainingBytesAsString();

  std::string out;
  FUZZ_CHECK(!swarmkv::OpenWithRandomNonce(Key(), bytes, ad, &out));
  FUZZ_CHECK(!swarmkv::OpenWithSingleUseKey(Key(), bytes, ad, &out));
  FUZZ_CHECK(!swarmkv::OpenRecordValue(std::string(32, 's'), ad, bytes).ok());

  for (const bool random_nonce : {true, false}) {
    std::string sealed;
    if (random_nonce) {
      swarmkv::SealWithRandomNonce(Key(), bytes, ad, &sealed);
    } else {
      swarmkv::SealWithSingleUseKey(Key(), bytes, ad, &sealed);
    }
    const auto open = [&](const std::string& s) {
      return random_nonce ? swarmkv::OpenWithRandomNonce(Key(), s, ad, &out)
                          : swarmkv::OpenWithSingleUseKey(Key(), s, ad, &out);
    };
    FUZZ_CHECK(open(sealed) && out == bytes);
    sealed[flip % sealed.size()] ^= 0x01;
    FUZZ_CHECK(!open(sealed));
  }
  return 0;
}
