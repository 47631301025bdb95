// Hash functions: SHA-256 through OpenSSL (SHA-NI makes it ~5x faster than libsodium's here,
// see research/baselines.md) and BLAKE2b-256 through libsodium.
#ifndef SWARMKV_CRYPTO_HASH_H_
#define SWARMKV_CRYPTO_HASH_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "crypto/secret_bytes.h"

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace swarmkv {

using Digest256 = std::array<uint8_t, 32>;

inline absl::string_view DigestView(const Digest256& d) {
  return absl::string_view(reinterpret_cast<const char*>(d.data()), d.size());
}

// `bytes` as a digest; nullopt unless it is exactly 32 bytes (ids, keys and proofs off the wire
// or out of the store).
inline std::optional<Digest256> DigestFromBytes(absl::string_view bytes) {
  Digest256 d;
  if (bytes.size() != d.size()) return std::nullopt;
  std::copy(bytes.begin(), bytes.end(), d.begin());
  return d;
}

Digest256 Sha256(absl::string_view data);
Digest256 Blake2b256(absl::string_view data);
// BLAKE2b-256 keyed with `key` (16 to 64 bytes), over `domain` then `data`: a PRF whose output
// depends on both, used to derive convergent keys.
// REQUIRES: 16 <= key.size() <= 64.
Digest256 KeyedBlake2b256(const SecretBytes& key, absl::string_view domain, absl::string_view data);

// Incremental SHA-256 for streams. Not thread-safe.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(absl::string_view data);
  // Returns the digest and resets the hasher for reuse.
  Digest256 Finish();

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace swarmkv

#endif  // SWARMKV_CRYPTO_HASH_H_
