// Unsigned varints as multiformats defines them (LEB128, at most 9 bytes, minimal encoding).
// Used by CIDs, multihashes and the manifest format (docs/manifest-format.md).
#ifndef SWARMKV_CRYPTO_VARINT_H_
#define SWARMKV_CRYPTO_VARINT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace swarmkv {

// The multiformats limit: 63 bits of value in at most 9 bytes.
inline constexpr uint64_t kMaxVarint = (uint64_t{1} << 63) - 1;

// REQUIRES: value <= kMaxVarint.
void AppendVarint(uint64_t value, std::string* out);

// Reads one varint from the front of `*input` and advances it past it. INVALID_ARGUMENT when the
// input ends inside the varint, it is longer than 9 bytes, or it is not minimally encoded.
// `what` names the field in the error message.
absl::StatusOr<uint64_t> ReadVarint(absl::string_view* input, absl::string_view what);

}  // namespace swarmkv

#endif  // SWARMKV_CRYPTO_VARINT_H_
