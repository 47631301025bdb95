// What the HTTP gateway reads from a client before any content: the Range header (against a
// content size) and, from content anyone may have put, the bytes its type is sniffed from.
// Input: 8 bytes of content size (little-endian), then the header text; the whole input is also
// sniffed as content.
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz/fuzz_check.h"
#include "gateway/content_type.h"
#include "gateway/http_range.h"

SWARMKV_FUZZ_QUIET_LOGS()

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  FUZZ_CHECK(!swarmkv::SniffContentType(input).empty());
  if (size < 8) return 0;
  uint64_t content_size = 0;
  std::memcpy(&content_size, data, 8);
  const absl::string_view header = input.substr(8);
  auto range = swarmkv::ParseRangeHeader(header, content_size);
  if (!range.ok()) {
    FUZZ_CHECK(absl::IsOutOfRange(range.status()));
    return 0;
  }
  if (range->has_value()) {
    // A range always lies inside the content, and is never empty.
    const swarmkv::HttpRange& r = **range;
    FUZZ_CHECK(r.length >= 1);
    FUZZ_CHECK(r.offset < content_size);
    FUZZ_CHECK(r.length <= content_size - r.offset);
  }
  return 0;
}
