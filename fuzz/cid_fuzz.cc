// CIDs (crypto/cid.h), binary and text:
// - binary: FromBytes(b).ToBytes() == b; ReadFrom consumes exactly the CID's bytes;
// - text: Parse(t).ToString() == t (only canonical text parses), and Parse(ToString()) round
//   trips for every CID decoded from bytes;
// - differential: the CID computed for the input as a raw block carries the SHA-256 digest that
//   libsodium (an implementation independent of the OpenSSL one Cid::Compute uses) computes.
#include <sodium.h>

#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "crypto/cid.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);

  absl::StatusOr<swarmkv::Cid> binary = swarmkv::Cid::FromBytes(input);
  if (binary.ok()) {
    FUZZ_CHECK(binary->ToBytes() == input);
    absl::StatusOr<swarmkv::Cid> reparsed = swarmkv::Cid::Parse(binary->ToString());
    FUZZ_CHECK(reparsed.ok() && *reparsed == *binary);
  }
  absl::string_view rest = input;
  absl::StatusOr<swarmkv::Cid> prefix = swarmkv::Cid::ReadFrom(&rest);
  if (prefix.ok()) FUZZ_CHECK(prefix->ToBytes() == input.substr(0, input.size() - rest.size()));

  // One spelling per CID in each case: "b" + lower case, or "B" + upper case.
  absl::StatusOr<swarmkv::Cid> text = swarmkv::Cid::Parse(input);
  if (text.ok()) FUZZ_CHECK(text->ToString() == absl::AsciiStrToLower(input));
  if (text.ok() && input[0] == 'b') FUZZ_CHECK(text->ToString() == input);

  const swarmkv::Cid computed = swarmkv::Cid::Compute(swarmkv::Codec::kRaw, input);
  unsigned char reference[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(reference, data, size);
  FUZZ_CHECK(computed.Matches(input));
  const swarmkv::Digest256& digest = computed.multihash().digest();
  FUZZ_CHECK(std::equal(digest.begin(), digest.end(), reference));
  return 0;
}
