// Text encodings of binary values: RFC 4648 base32 (the multibase `b` alphabet, lower case, no
// padding) for CIDs and node ids, and base64url without padding for keys in capability URIs.
// Decoders are strict: they accept exactly the strings their encoder produces.
#ifndef SWARMKV_CRYPTO_ENCODING_H_
#define SWARMKV_CRYPTO_ENCODING_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace swarmkv {

std::string Base32Encode(absl::string_view bytes);
// INVALID_ARGUMENT for a character outside [a-z2-7] (upper case too when `allow_upper`, but not
// mixed case), an impossible length, padding, or non-zero trailing bits.
absl::StatusOr<std::string> Base32Decode(absl::string_view text, bool allow_upper = false);

std::string Base64UrlEncode(absl::string_view bytes);
// INVALID_ARGUMENT for anything but unpadded base64url with zero trailing bits.
absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text);

// Lower-case hex, for digests in logs and tests.
std::string HexEncode(absl::string_view bytes);
// Hex of either case, even length. INVALID_ARGUMENT for anything else.
absl::StatusOr<std::string> HexDecode(absl::string_view text);

}  // namespace swarmkv

#endif  // SWARMKV_CRYPTO_ENCODING_H_
