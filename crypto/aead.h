// XChaCha20-Poly1305 (libsodium IETF construction) with associated data.
//
// Two ways to pick the nonce:
// - Random nonce (`SealWithRandomNonce`): for keys that seal many values (the node's storage key).
//   Output is `nonce (24) | ciphertext | tag (16)`; 192-bit random nonces never repeat in practice.
// - Single-use key (`SealWithSingleUseKey`): for content keys, each of which seals exactly one
//   plaintext (a fresh random key, or a convergent key derived from that very plaintext), so a
//   fixed all-zero nonce is safe and the output is deterministic, which convergent dedup needs.
//   Output is `ciphertext | tag (16)`.
//
// Opening never says why it failed (wrong key, wrong associated data, or tampering look alike);
// callers choose the status code because only they know which it means.
#ifndef SWARMKV_CRYPTO_AEAD_H_
#define SWARMKV_CRYPTO_AEAD_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "crypto/secret_bytes.h"

namespace swarmkv {

inline constexpr size_t kAeadKeyBytes = 32;
inline constexpr size_t kAeadNonceBytes = 24;
inline constexpr size_t kAeadTagBytes = 16;

// Appends `nonce | ciphertext | tag` to `*out`. REQUIRES: key.size() == kAeadKeyBytes.
void SealWithRandomNonce(const SecretBytes& key, absl::string_view plaintext, absl::string_view ad,
                         std::string* out);
// Replaces `*out` with the plaintext. False when `sealed` does not open under `key` and `ad`.
[[nodiscard]] bool OpenWithRandomNonce(const SecretBytes& key, absl::string_view sealed,
                                       absl::string_view ad, std::string* out);

// Appends `ciphertext | tag` to `*out`. REQUIRES: key.size() == kAeadKeyBytes and `key` seals no
// other plaintext.
void SealWithSingleUseKey(const SecretBytes& key, absl::string_view plaintext, absl::string_view ad,
                          std::string* out);
[[nodiscard]] bool OpenWithSingleUseKey(const SecretBytes& key, absl::string_view sealed,
                                        absl::string_view ad, std::string* out);

}  // namespace swarmkv

#endif  // SWARMKV_CRYPTO_AEAD_H_
