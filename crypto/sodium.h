// libsodium start-up. Every crypto entry point calls EnsureSodium() first; it is cheap after the
// first call and safe from any thread.
#ifndef SWARMKV_CRYPTO_SODIUM_H_
#define SWARMKV_CRYPTO_SODIUM_H_

namespace swarmkv {

// Aborts the process if libsodium cannot start (no entropy source): nothing secure can run then.
void EnsureSodium();

}  // namespace swarmkv

#endif  // SWARMKV_CRYPTO_SODIUM_H_
