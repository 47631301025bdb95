// The constants that bind content encryption together; shared by the writer and the reader so
// the two cannot drift apart. See docs/manifest-format.md ("Encryption").
#ifndef SWARMKV_STORAGE_CONTENT_CRYPTO_H_
#define SWARMKV_STORAGE_CONTENT_CRYPTO_H_

#include "absl/strings/string_view.h"

namespace swarmkv::content_crypto {

// Associated data of every encrypted chunk.
inline constexpr absl::string_view kChunkAd = "swarmkv/v1/chunk";
// Domains of the convergent key derivations (keyed BLAKE2b-256 under the cluster secret).
inline constexpr absl::string_view kChunkKeyDomain = "swarmkv/v1/convergent/chunk";
inline constexpr absl::string_view kNodeKeyDomain = "swarmkv/v1/convergent/node";

}  // namespace swarmkv::content_crypto

#endif  // SWARMKV_STORAGE_CONTENT_CRYPTO_H_
