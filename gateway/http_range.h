// The `Range` header of a GET (RFC 9110 §14): one byte range of content of a known size.
#ifndef SWARMKV_GATEWAY_HTTP_RANGE_H_
#define SWARMKV_GATEWAY_HTTP_RANGE_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace swarmkv {

struct HttpRange {
  uint64_t offset = 0;
  uint64_t length = 0;  // at least 1
};

// The range `header` asks for in content of `size` bytes, clamped to the content; nullopt to
// serve the whole content (no header, another unit, several ranges, or a header that does not
// parse: RFC 9110 lets a server ignore those); OUT_OF_RANGE when no byte of the range exists
// (answered with 416).
absl::StatusOr<std::optional<HttpRange>> ParseRangeHeader(absl::string_view header, uint64_t size);

}  // namespace swarmkv

#endif  // SWARMKV_GATEWAY_HTTP_RANGE_H_
