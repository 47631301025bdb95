// A capability names content and, for encrypted content, carries the key that opens it:
//   swarmkv://<root CID>#<base64url key>   encrypted content
//   swarmkv://<root CID>  or  <root CID>   plain content
// Whoever holds the URI can read the content; whoever holds only the CID can store, replicate
// and verify it, but not read it.
#ifndef SWARMKV_CRYPTO_CAPABILITY_H_
#define SWARMKV_CRYPTO_CAPABILITY_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/cid.h"
#include "crypto/secret_bytes.h"

namespace swarmkv {

inline constexpr absl::string_view kCapabilityScheme = "swarmkv://";
inline constexpr size_t kContentKeyBytes = 32;

class Capability {
 public:
  explicit Capability(Cid root) : root_(root) {}
  // REQUIRES: key.size() == kContentKeyBytes.
  Capability(Cid root, SecretBytes key);

  Capability(Capability&&) = default;
  Capability& operator=(Capability&&) = default;
  Capability Clone() const;

  // Accepts the three forms above. INVALID_ARGUMENT, saying what is wrong, for anything else:
  // a malformed CID, a key that is not base32url of exactly 32 bytes, an empty fragment.
  static absl::StatusOr<Capability> Parse(absl::string_view text);

  const Cid& root() const { return root_; }
  bool has_key() const { return !key_.empty(); }
  // REQUIRES: has_key().
  const SecretBytes& key() const { return key_; }
  // The URI form. It contains the key: treat it as a secret and never log it.
  std::string ToUri() const;

 private:
  Cid root_;
  SecretBytes key_;
};

}  // namespace swarmkv

#endif  // SWARMKV_CRYPTO_CAPABILITY_H_
