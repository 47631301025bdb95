// The Kademlia key space: 256-bit node ids and content keys, XOR distance (DESIGN §2, §5).
// A content key is Cid::DhtKey() (SHA-256 of the multihash); a node's key is its NodeId.
#ifndef SWARMKV_REPLICATION_KEY_SPACE_H_
#define SWARMKV_REPLICATION_KEY_SPACE_H_

#include "crypto/hash.h"
#include "crypto/identity.h"

namespace swarmkv {

using DhtKey = Digest256;

inline DhtKey KeyOf(const NodeId& id) { return id.bytes(); }

// a XOR b, compared as a big-endian 256-bit number.
DhtKey Distance(const DhtKey& a, const DhtKey& b);

// The number of leading bits a and b share (256 when equal). Kademlia's bucket index for `b` in
// a table owned by `a` is 255 - CommonPrefixLength(a, b), so bucket 255 holds the far half.
int CommonPrefixLength(const DhtKey& a, const DhtKey& b);

// True when `a` is strictly closer to `target` than `b`.
bool Closer(const DhtKey& target, const DhtKey& a, const DhtKey& b);

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_KEY_SPACE_H_
