#include "replication/possession.h"

#include "crypto/secret_bytes.h"

namespace swarmkv {

Digest256 PossessionProof(absl::string_view nonce, absl::string_view block) {
  return KeyedBlake2b256(SecretBytes(nonce), "swarmkv-possession-v1", block);
}

}  // namespace swarmkv
