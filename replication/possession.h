// Proof of possession (docs/wire-protocol.md, PROVE): before a node drops its copy of a block in
// a hand-off, every node it leaves the block to must answer a fresh challenge that only the
// block's bytes can answer. A HAVE "yes" costs a liar nothing; this costs it the block (issue 15
// finding 5: three made-up identities closer to a key answered HAVE "yes", the holder dropped
// its copy, and the block was lost).
#ifndef SWARMKV_REPLICATION_POSSESSION_H_
#define SWARMKV_REPLICATION_POSSESSION_H_

#include <cstddef>

#include "absl/strings/string_view.h"
#include "crypto/hash.h"

namespace swarmkv {

inline constexpr size_t kMinNonceBytes = 16;
inline constexpr size_t kMaxNonceBytes = 64;
inline constexpr size_t kNonceBytes = 32;

// BLAKE2b-256 keyed with `nonce` over a length-prefixed "swarmkv-possession-v1" and `block`.
// REQUIRES: kMinNonceBytes <= nonce.size() <= kMaxNonceBytes.
Digest256 PossessionProof(absl::string_view nonce, absl::string_view block);

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_POSSESSION_H_
