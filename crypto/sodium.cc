#include "crypto/sodium.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace swarmkv {

void EnsureSodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) {
      std::fputs("swarmkv: libsodium failed to initialize (no entropy source?)\n", stderr);
      std::abort();
    }
    return true;
  }();
  (void)ready;
}

}  // namespace swarmkv
