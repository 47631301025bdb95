// Makes libsodium's randomness (keys, nonces, identities) a function of a seed, for this whole
// process. Only the simulator does this: content keys decide CIDs, and CIDs decide where blocks
// go, so a replayed seed must draw the same "random" keys. Never link it into the node.
#ifndef SWARMKV_TESTING_DETERMINISTIC_RANDOM_BYTES_H_
#define SWARMKV_TESTING_DETERMINISTIC_RANDOM_BYTES_H_

#include <cstdint>

namespace swarmkv::testing {

// From now on randombytes_* (and everything in libsodium built on it) yields the stream of
// `seed`. Calling it again restarts the stream from the new seed.
void UseDeterministicRandomBytes(uint64_t seed);

}  // namespace swarmkv::testing

#endif  // SWARMKV_TESTING_DETERMINISTIC_RANDOM_BYTES_H_
